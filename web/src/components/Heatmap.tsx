import { useEffect, useId, useRef, useState } from "react";
import { useT } from "../i18n";
import { drawEvidence, evidencePeak, loadImage } from "./heatmap";

interface Props {
  /** The model's evidence grid (h x w, 0..1). */
  evidence: number[][];
  /** The square the model saw (data or blob URL); the map alone is drawn without it. */
  image: string | null;
  /** Start with the map shown (true) or only the photo. */
  initiallyShown?: boolean;
  /** Drawn size in CSS pixels. */
  size?: number;
}

/** Default drawn size in CSS pixels (a display size, not the model's input size, which is the card's). */
const DRAWN_PX = 200;

/**
 * "Where the model looked": the evidence over the square the model saw, with a switch to compare
 * with the bare photo and one line on what the map is and is not.
 */
export function Heatmap({ evidence, image, initiallyShown = true, size = DRAWN_PX }: Props) {
  const { t } = useT();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [shown, setShown] = useState(initiallyShown);
  const switchId = useId();
  const peak = evidencePeak(evidence);

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return;
    let cancelled = false;
    const draw = (photo: HTMLImageElement | null) => {
      if (cancelled) return;
      context.clearRect(0, 0, canvas.width, canvas.height);
      if (!photo) {
        context.fillStyle = "#15202b";
        context.fillRect(0, 0, canvas.width, canvas.height);
      }
      drawEvidence(context, shown ? evidence : [], photo);
    };
    if (image) loadImage(image).then(draw, () => draw(null));
    else draw(null);
    return () => void (cancelled = true);
  }, [evidence, image, shown]);

  return (
    <figure className="heatmap" data-testid="heatmap" data-peak={peak.toFixed(3)}>
      <div className="heatmap__body">
        <canvas
          ref={canvasRef}
          width={size * 2}
          height={size * 2}
          className="heatmap__canvas"
          role="img"
          aria-label={t("heatmap.alt")}
        />
        <div className="heatmap__side">
          <label className="heatmap__switch" htmlFor={switchId}>
            <input
              id={switchId}
              type="checkbox"
              checked={shown}
              onChange={(event) => setShown(event.currentTarget.checked)}
            />
            {t("heatmap.show")}
          </label>
          <div className="heatmap__legend" aria-hidden="true">
            <span>{t("heatmap.legend_low")}</span>
            <span className="heatmap__ramp" />
            <span>{t("heatmap.legend_high")}</span>
          </div>
        </div>
      </div>
      <figcaption className="heatmap__what">{peak > 0 ? t("heatmap.what") : t("heatmap.none")}</figcaption>
    </figure>
  );
}
