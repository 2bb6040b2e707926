import { useT } from "../i18n";

const TIPS = ["guide.distance", "guide.light", "guide.focus", "guide.straight"] as const;

/** "How to take a good photo": distance, light, focus, straight on. Folded, one tap to open. */
export function Guidance({ open = false }: { open?: boolean }) {
  const { t } = useT();
  return (
    <details className="guidance" open={open}>
      <summary className="guidance__summary">{t("guide.title")}</summary>
      <ul className="guidance__list">
        {TIPS.map((key) => (
          <li key={key}>{t(key)}</li>
        ))}
      </ul>
    </details>
  );
}
