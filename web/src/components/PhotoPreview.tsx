import { useEffect, useRef } from "react";
import { useT } from "../i18n";
import { rgbToImageData } from "../inference/decode";
import { CropFrame } from "./CropFrame";

export interface PhotoSource {
  url: string;
  name: string;
  width: number;
  height: number;
  /** The exact SxS RGB bytes the model sees (null while computing or if the browser can't decode). */
  modelInput: Uint8Array | null;
  /** The card's input size; 0 when the card could not be fetched. */
  modelSize: number;
  /** The centred square drawn without the card, for the history when `modelInput` is unavailable. */
  squareThumbnail: string | null;
}

/** The photo with the model's crop outlined, and the square picture (card input size) the model actually sees. */
export function PhotoPreview({ photo }: { photo: PhotoSource }) {
  const { t } = useT();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !photo.modelInput) return;
    canvas.width = photo.modelSize;
    canvas.height = photo.modelSize;
    canvas.getContext("2d")?.putImageData(rgbToImageData(photo.modelInput, photo.modelSize), 0, 0);
  }, [photo.modelInput, photo.modelSize]);

  return (
    <figure className="photo-preview">
      <CropFrame width={photo.width} height={photo.height} label={t("preview.crop")}>
        <img src={photo.url} alt={t("preview.photo_alt", { name: photo.name })} className="crop-frame__media" />
      </CropFrame>
      <figcaption className="photo-preview__caption">
        {photo.modelInput ? (
          <canvas
            ref={canvasRef}
            className="photo-preview__model-input"
            role="img"
            aria-label={t("preview.model_alt")}
          />
        ) : null}
        <span>{t("preview.caption")}</span>
      </figcaption>
    </figure>
  );
}
