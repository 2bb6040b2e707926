import type { Label, Prediction, Risk } from "../api/types";
import type { Place } from "../bodymap/regions";

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
  /** Where on the body the spot is, when the person placed it (absent in checks saved before). */
  place?: Place;
  /** The questionnaire answers the estimate used, when given (kept on the device only). */
  answers?: Record<string, string | number>;
}

export function checkFrom(
  result: Prediction,
  thumbnail: string | null,
  createdAt: number,
  spot = "",
  place: Place | null = null,
): Check {
  return {
    ...(place ? { place } : {}),
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

/** A saved check is a suggestion to see a doctor from the medium band up. */
export const suggestsDoctor = (check: Pick<Check, "risk">): boolean => check.risk !== "low";
