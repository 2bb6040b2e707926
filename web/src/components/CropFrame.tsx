import type { ReactNode } from "react";
import { cropBox } from "../inference/preprocess";

interface Props {
  width: number;
  height: number;
  children: ReactNode;
  label?: string;
}

/**
 * A picture (img, video or canvas as children) with the square the model sees outlined and the
 * rest dimmed: the same largest centred square as the server's crop.
 */
export function CropFrame({ width, height, children, label }: Props) {
  const box = cropBox(width, height);
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  return (
    <div className="crop-frame" style={{ aspectRatio: `${width} / ${height}` }}>
      {children}
      <div
        className="crop-frame__square"
        aria-hidden="true"
        style={{
          left: pct(box.left, width),
          top: pct(box.top, height),
          width: pct(box.side, width),
          height: pct(box.side, height),
        }}
      >
        {label ? <span className="crop-frame__label">{label}</span> : null}
      </div>
    </div>
  );
}
