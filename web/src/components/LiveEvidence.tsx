import { useEffect, useRef } from "react";
import { useT } from "../i18n";
import type { EvidenceGrid } from "../inference/protocol";
import { cropBox } from "../inference/preprocess";
import { drawEvidence } from "./heatmap";

/** Drawn resolution of the overlay canvas (CSS stretches it over the crop square). */
const CANVAS_PX = 256;

function rows(grid: EvidenceGrid): number[][] {
  return Array.from({ length: grid.height }, (_, y) =>
    Array.from(grid.values.subarray(y * grid.width, (y + 1) * grid.width)),
  );
}

/** The live frame's evidence map (model output `evidence`), stretched over the square the model sees. */
export function LiveEvidence({ grid, width, height }: { grid: EvidenceGrid; width: number; height: number }) {
  const { t } = useT();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvasRef.current?.getContext("2d");
    if (!context) return;
    context.clearRect(0, 0, CANVAS_PX, CANVAS_PX);
    drawEvidence(context, rows(grid), null);
  }, [grid]);
  const box = cropBox(width, height);
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  return (
    <canvas
      ref={canvasRef}
      width={CANVAS_PX}
      height={CANVAS_PX}
      className="live-evidence"
      data-testid="live-heatmap"
      role="img"
      aria-label={t("live.heatmap_alt")}
      style={{
        left: pct(box.left, width),
        top: pct(box.top, height),
        width: pct(box.side, width),
        height: pct(box.side, height),
      }}
    />
  );
}
