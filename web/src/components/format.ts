import type { Label, Risk } from "../api/types";

export const RISK_WORDS: Record<Risk, string> = {
  low: "Low risk",
  medium: "Medium risk",
  high: "High risk",
};

export const LABEL_WORDS: Record<Label, string> = {
  benign: "Benign",
  malignant: "Malignant",
};

/** 0.2345 -> "23%", 0.004 -> "0.4%": whole percent, one decimal below 1% and above 99%. */
export function percent(p: number): string {
  const value = Math.min(Math.max(p, 0), 1) * 100;
  const text = value < 1 || value > 99 ? value.toFixed(1) : value.toFixed(0);
  return `${text}%`;
}
