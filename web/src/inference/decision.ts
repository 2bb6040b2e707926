/**
 * "The decision" of docs/model-contract.md, the same as the server's (src/skinscan/predictor.py):
 *
 * 1. reasons = the reason of every failing quality check, plus `too_small` when the photo's shorter
 *    side (here the video frame's) is below `quality.min_side`;
 * 2. any reason: refuse with `photo_unusable`;
 * 3. else p_lesion below `gate.threshold`: refuse with `not_a_lesion`, reasons [`not_a_lesion`];
 * 4. else, when the answer would be "low" and a `quality.low_needs` check fails (model 3), refuse with
 *    `photo_unusable` and that check's reason: a blurred photo is never answered "low";
 * 5. else answer. A refused photo never gets a probability.
 *
 * Everything comes from the card; a contract-1 card (no gate, no quality) answers every photo.
 */
import type { Label, Risk } from "../api/types";
import { labelFor, type ModelCard, type QualityCheck, type QualitySpec, riskFor } from "./card";

export const TOO_SMALL = "too_small";
export const NOT_A_LESION = "not_a_lesion";
export type RefusalCode = "not_a_lesion" | "photo_unusable";

/** What the model said about one photo, read by output name. */
export interface ModelOutputs {
  pMalignant: number;
  /** The gate output; null when the card has no gate. */
  pLesion: number | null;
  /** One value per `quality.signals` name; null when the card has no quality block. */
  quality: ArrayLike<number> | null;
}

export type Decision =
  { kind: "answer"; p: number; label: Label; risk: Risk } | { kind: "refused"; code: RefusalCode; reasons: string[] };

/** A check fails below its `min`, above its `max`, and whenever the signal is not a number. */
export function checkFails(check: QualityCheck, value: number): boolean {
  if (Number.isNaN(value)) return true;
  if (check.min !== undefined) return value < check.min;
  return check.max !== undefined && value > check.max;
}

/** The reasons of the failing `checks` (`quality.checks` or `quality.lowNeeds`), each once, in order. */
function failingReasons(spec: QualitySpec, checks: QualityCheck[], quality: ArrayLike<number> | null): string[] {
  const reasons: string[] = [];
  for (const check of checks) {
    const column = spec.signals.indexOf(check.signal);
    const value = quality && column >= 0 && column < quality.length ? Number(quality[column]) : Number.NaN;
    if (checkFails(check, value) && !reasons.includes(check.reason)) reasons.push(check.reason);
  }
  return reasons;
}

/** Step 1: the reason codes of every failing check, then `too_small`, in the card's order. */
export function qualityReasons(card: ModelCard, quality: ArrayLike<number> | null, shortSide: number): string[] {
  const spec = card.quality;
  if (!spec) return [];
  const reasons = failingReasons(spec, spec.checks, quality);
  if (shortSide < spec.minSide) reasons.push(TOO_SMALL);
  return reasons;
}

/** Step 4: the reasons of the failing `quality.low_needs` checks (only an answer of "low" needs them). */
export function lowNeedsReasons(card: ModelCard, quality: ArrayLike<number> | null): string[] {
  return card.quality ? failingReasons(card.quality, card.quality.lowNeeds, quality) : [];
}

/** Steps 1-5 for one photo whose shorter side is `shortSide` pixels. */
export function decide(card: ModelCard, outputs: ModelOutputs, shortSide: number): Decision {
  const reasons = qualityReasons(card, outputs.quality, shortSide);
  if (reasons.length > 0) return { kind: "refused", code: "photo_unusable", reasons };
  if (card.gate) {
    const pLesion = outputs.pLesion ?? Number.NaN;
    if (!(pLesion >= card.gate.threshold)) return { kind: "refused", code: "not_a_lesion", reasons: [NOT_A_LESION] };
  }
  const p = outputs.pMalignant;
  const risk = riskFor(card, p);
  if (risk === "low") {
    const soft = lowNeedsReasons(card, outputs.quality);
    if (soft.length > 0) return { kind: "refused", code: "photo_unusable", reasons: soft };
  }
  return { kind: "answer", p, label: labelFor(card, p), risk };
}
