import { cropBox } from "../inference/preprocess";

/** The last photo of a spot being checked again: shown over the live view as a guide. */
export interface Guide {
  /** The square the model saw last time (data URL). */
  src: string;
  spot: string;
  createdAt: number;
}

/**
 * The guide photo, faint, over the square the model sees (the saved photo is that square), so
 * the spot can be lined up at the same place and size as last time. Decorative for screen
 * readers: the caption under the view says what it is.
 */
export function GhostGuide({ guide, width, height }: { guide: Guide; width: number; height: number }) {
  const box = cropBox(width, height);
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  return (
    <img
      className="live-ghost"
      data-testid="ghost"
      src={guide.src}
      alt=""
      style={{
        left: pct(box.left, width),
        top: pct(box.top, height),
        width: pct(box.side, width),
        height: pct(box.side, height),
      }}
    />
  );
}
