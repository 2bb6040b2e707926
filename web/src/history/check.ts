import type { Label, Prediction, Risk } from "../api/types";
import { rgbToImageData } from "../inference/decode";

/**
 * One check as the page shows, saves, compares and exports it: the answer's machine fields (the
 * words come from the catalogue in the reader's language), the square the model saw, the date.
 */
export interface Check {
  /** IndexedDB key; absent until saved. */
  id?: number;
  createdAt: number;
  /** Optional name of the spot ("left shoulder"); "" when not named. */
  spot: string;
  /** The model's square as a JPEG data URL (null when the browser could not decode the photo). */
  thumbnail: string | null;
  evidence: number[][] | null;
  label: Label;
  p_malignant: number;
  risk: Risk;
  threshold: number;
  model: { name: string; version: string };
  /** The questionnaire answers the estimate used, when given (kept on the device only). */
  answers?: Record<string, string | number>;
}

export function checkFrom(result: Prediction, thumbnail: string | null, createdAt: number, spot = ""): Check {
  return {
    createdAt,
    spot,
    thumbnail,
    evidence: result.evidence ?? null,
    label: result.label,
    p_malignant: result.p_malignant,
    risk: result.risk,
    threshold: result.threshold,
    model: { name: result.model.name, version: result.model.version },
  };
}

/** The model's RGB square as a small JPEG data URL (null where canvas is unavailable). */
export function thumbnailUrl(rgb: Uint8Array, size: number): string | null {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext("2d");
  if (!context) return null;
  context.putImageData(rgbToImageData(rgb, size), 0, 0);
  return canvas.toDataURL("image/jpeg", 0.9);
}

/** Display size of a thumbnail made without the model card (a picture to recognise, not model input). */
export const FALLBACK_THUMBNAIL_PX = 160;

/**
 * The photo's centred square (the part the model looks at) as a small JPEG data URL, drawn by the
 * canvas: the history's picture when the model's own square is unavailable (no model card, or a
 * photo too large to read back). Null where canvas is unavailable.
 */
export function squareThumbnailUrl(source: CanvasImageSource, width: number, height: number): string | null {
  const side = Math.min(width, height);
  if (side <= 0) return null;
  const size = Math.min(side, FALLBACK_THUMBNAIL_PX);
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext("2d");
  if (!context) return null;
  context.imageSmoothingQuality = "high";
  context.drawImage(source, Math.floor((width - side) / 2), Math.floor((height - side) / 2), side, side, 0, 0, size, size);
  return canvas.toDataURL("image/jpeg", 0.9);
}

/** "1.0.0+efficientnet-lite0.fp32" -> "1.0.0": the version people need, without build details. */
export function shortVersion(version: string): string {
  return version.split("+")[0] ?? version;
}

/** A saved check is a suggestion to see a doctor from the medium band up. */
export const suggestsDoctor = (check: Pick<Check, "risk">): boolean => check.risk !== "low";

/** Round a probability to "about N of 100" (at least 1, at most 99: never "none" or "all"). */
export function perHundred(p: number): number {
  return Math.min(99, Math.max(1, Math.round(p * 100)));
}
