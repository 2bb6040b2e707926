/** A check's picture: the square the model saw, drawn on a canvas and kept as a small JPEG data URL. */
import { rgbToImageData } from "../inference/decode";
import { cropBox } from "../inference/preprocess";

/** Display size of a thumbnail made without the model card (a picture to recognise, not model input). */
export const FALLBACK_THUMBNAIL_PX = 160;

function squareCanvas(size: number): { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D } | null {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext("2d");
  return context ? { canvas, context } : null;
}

/** The model's RGB square as a small JPEG data URL (null where canvas is unavailable). */
export function thumbnailUrl(rgb: Uint8Array, size: number): string | null {
  const drawn = squareCanvas(size);
  if (!drawn) return null;
  drawn.context.putImageData(rgbToImageData(rgb, size), 0, 0);
  return drawn.canvas.toDataURL("image/jpeg", 0.9);
}

/**
 * The photo's centred square (the part the model looks at, cut as the model's own crop cuts it) as
 * a small JPEG data URL: the history's picture when the model's own square is unavailable (no model
 * card, or a photo too large to read back). Null where canvas is unavailable.
 */
export function squareThumbnailUrl(source: CanvasImageSource, width: number, height: number): string | null {
  const { left, top, side } = cropBox(width, height);
  if (side <= 0) return null;
  const size = Math.min(side, FALLBACK_THUMBNAIL_PX);
  const drawn = squareCanvas(size);
  if (!drawn) return null;
  drawn.context.imageSmoothingQuality = "high";
  drawn.context.drawImage(source, left, top, side, side, 0, 0, size, size);
  return drawn.canvas.toDataURL("image/jpeg", 0.9);
}
