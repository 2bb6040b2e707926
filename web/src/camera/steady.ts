/**
 * Steady live readings: hand-held frames jitter (drift, light, blur), so the live view shows a
 * smoothed state, not the last frame.
 *
 * - State: `refused` while most of the recent frames are refused (gate or quality), `reading`
 *   while most are answered; a tie keeps the previous state, so one blurred frame changes nothing.
 * - Probability: the median of the answered frames in the window (robust to a blurred outlier).
 * - Label: none until the readings have settled (enough answered frames, close together: the
 *   "hold steady" cue shows meanwhile); then the label flips only when the smoothed probability is
 *   clearly past the threshold (hysteresis of `margin` on each side).
 * - A refusal resets the label: the next reading settles afresh.
 */
import type { Label } from "../api/types";
import type { Decision } from "../inference/decision";

export interface SteadyOptions {
  /** Frames kept (answered and refused). */
  window: number;
  /** Answered frames needed before the readings may count as settled. */
  settleFrames: number;
  /** Largest spread (max - min) of the last `settleFrames` probabilities that counts as settled. */
  settleSpread: number;
  /** Half-width of the hysteresis band around the threshold, in probability. */
  margin: number;
}

export const STEADY_DEFAULTS: SteadyOptions = { window: 7, settleFrames: 4, settleSpread: 0.2, margin: 0.05 };

export interface Steady {
  /** null before the first frame. */
  state: "reading" | "refused" | null;
  /** For `refused`: the latest refusal's code and reasons (its hints are shown). */
  refusal: { code: string; reasons: string[] } | null;
  /** Median probability of the answered frames in the window; null when there are none. */
  p: number | null;
  settled: boolean;
  /** The shown label; null until settled. */
  label: Label | null;
  recent: Decision[];
}

export const EMPTY_STEADY: Steady = { state: null, refusal: null, p: null, settled: false, label: null, recent: [] };

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function majorityState(recent: readonly Decision[], previous: Steady["state"]): Steady["state"] {
  const refused = recent.filter((d) => d.kind === "refused").length;
  const answered = recent.length - refused;
  if (refused > answered) return "refused";
  if (answered > refused) return "reading";
  return previous ?? (recent.at(-1)?.kind === "refused" ? "refused" : "reading");
}

function nextLabel(previous: Label | null, p: number, threshold: number, margin: number): Label {
  const band = Math.min(margin, threshold / 2, (1 - threshold) / 2);
  if (previous === null) return p >= threshold ? "malignant" : "benign";
  if (previous === "benign" && p >= threshold + band) return "malignant";
  if (previous === "malignant" && p < threshold - band) return "benign";
  return previous;
}

/** The steady view after one more frame's decision (`threshold`: the card's decision threshold). */
export function nextSteady(prev: Steady, decision: Decision, threshold: number, options = STEADY_DEFAULTS): Steady {
  const recent = [...prev.recent, decision].slice(-options.window);
  const state = majorityState(recent, prev.state);
  const lastRefusal = [...recent].reverse().find((d) => d.kind === "refused");
  const refusal = lastRefusal?.kind === "refused" ? { code: lastRefusal.code, reasons: lastRefusal.reasons } : null;
  const ps = recent.flatMap((d) => (d.kind === "answer" ? [d.p] : []));
  const p = ps.length ? median(ps) : null;
  if (state !== "reading" || p === null) {
    return { state, refusal: state === "refused" ? refusal : null, p: null, settled: false, label: null, recent };
  }
  const last = ps.slice(-options.settleFrames);
  const settled =
    prev.settled ||
    (last.length >= options.settleFrames && Math.max(...last) - Math.min(...last) <= options.settleSpread);
  const label = settled ? nextLabel(prev.label, p, threshold, options.margin) : null;
  return { state, refusal: null, p, settled, label, recent };
}
