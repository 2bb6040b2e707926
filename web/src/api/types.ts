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
  model: { name: string; version: string };
  timing_ms?: Record<string, number>;
}

export interface ApiErrorBody {
  detail: string;
  code: string;
}
