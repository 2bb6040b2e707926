/** Always on screen: the page is a research tool, not a diagnosis. */
export function Disclaimer() {
  return (
    <aside className="disclaimer" data-testid="disclaimer" aria-label="Medical disclaimer">
      <strong>Not a diagnosis.</strong> skinscan is a research tool and can be wrong. Only a doctor who examines you
      can diagnose a skin lesion: if a spot is new, changing, bleeding or worries you, see a doctor.
    </aside>
  );
}
