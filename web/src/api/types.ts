/** The API contract (DESIGN.md): POST /api/v1/predict -> Prediction, errors -> ApiErrorBody. */

export type Label = "benign" | "malignant";
export type Risk = "low" | "medium" | "high";

export interface Prediction {
  label: Label;
  p_malignant: number;
  risk: Risk;
  threshold: number;
  advice: string;
  disclaimer: string;
  /** Where the malignant evidence lies: a small h x w grid, 0..1 (model contract 2). */
  evidence?: number[][];
  model: { name: string; version: string };
  timing_ms?: Record<string, number>;
}

export interface ApiErrorBody {
  detail: string;
  code: string;
  /** A refused photo (422 not_a_lesion | photo_unusable): what to do, and the machine reason codes. */
  hint?: string;
  reasons?: string[];
}
