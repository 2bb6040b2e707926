/**
 * Steady live readings: hand-held frames jitter (drift, turn, light, blur), so the live view shows
 * a smoothed state, not the last frame.
 *
 * - State: `refused` while most of the recent frames are refused (gate or quality), `reading`
 *   while most are answered; a tie keeps the previous state, so one blurred frame changes nothing.
 * - Probability: the answered frames of the last `pWindow` frames (24: three full cycles of the model's
 *   8 views, see `useLiveReadings`) are combined as the model combines its views, the mean of their logits
 *   back through the logistic, but trimmed: with 5 or more answered frames the lowest and the
 *   highest logit are left out, so one odd frame (motion, a reflection) moves nothing. With a
 *   model that takes `views`, each frame is a different mirror or turn of the photo, so for a
 *   still photo the reading is close to the model's own 8-view answer (the server's), and a
 *   turning phone does not move it.
 * - Label: none until the readings have settled (enough answered frames, close together: the
 *   "hold steady" cue shows meanwhile); then the label flips only when the smoothed probability is
 *   clearly past the threshold (hysteresis of `margin` on each side).
 * - Risk band: the same hysteresis at each band boundary of the card (`risk_bands`): the shown
 *   band moves up only when the smoothed probability is `margin` past the next band's lower bound,
 *   and down only when it is `margin` below the current band's lower bound (the margin is halved
 *   near 0 and 1, at most half the distance to the end). Between the two it keeps the band.
 * - A refusal resets the label and the band: the next reading settles afresh.
 */
import type { Label, Risk } from "../api/types";
import type { Decision } from "../inference/decision";

export interface SteadyOptions {
  /** Frames whose majority decides reading or refused: one cycle of the model's 8 views. */
  window: number;
  /**
   * Frames whose answers are averaged into the shown probability: three cycles of the 8 views. At ~15-19
   * frames/s one cycle spans only ~25-30 degrees of a hand turning the phone once in 6 s: the shown
   * percentage moved 19-21 points a turn in the browser test with one cycle, 10-14 with two, 5-8 with
   * three (docs/web.md); a new spot takes ~1.6 s to move the reading fully.
   */
  pWindow: number;
  /** Answered frames needed before the readings may count as settled. */
  settleFrames: number;
  /** Largest spread (max - min) of the last `settleFrames` probabilities that counts as settled. */
  settleSpread: number;
  /** Half-width of the hysteresis band around the threshold and each band boundary, in probability. */
  margin: number;
}

export const STEADY_DEFAULTS: SteadyOptions = {
  window: 8,
  pWindow: 24,
  settleFrames: 4,
  settleSpread: 0.2,
  margin: 0.05,
};

/** What the live view needs from the model card: the label threshold and the bands' lower bounds. */
export interface SteadyRule {
  threshold: number;
  risk_bands: Record<Risk, number>;
}

/** One live frame: the contract's decision and, from a model 3 file, `p_dermoscopic`. */
export interface LiveFrame {
  decision: Decision;
  pDermoscopic?: number | null;
}

export interface Steady {
  /** null before the first frame. */
  state: "reading" | "refused" | null;
  /** For `refused`: the latest refusal's code and reasons (its hints are shown). */
  refusal: { code: string; reasons: string[] } | null;
  /** Smoothed probability of the answered frames in the window; null when there are none. */
  p: number | null;
  settled: boolean;
  /** The shown label; null until settled. */
  label: Label | null;
  /** The shown risk band (with hysteresis); null until settled. */
  band: Risk | null;
  /** Mean `p_dermoscopic` of the answered frames in the window; null when the model has none. */
  pDermoscopic: number | null;
  recent: LiveFrame[];
}

export const EMPTY_STEADY: Steady = {
  state: null,
  refusal: null,
  p: null,
  settled: false,
  label: null,
  band: null,
  pDermoscopic: null,
  recent: [],
};

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const EPS = 1e-7;

/** Frames needed before the lowest and highest logit are left out of the mean. */
const TRIM_FROM = 5;

/**
 * The logistic of the mean logit (how the model combines its views), without the lowest and the
 * highest logit once there are `TRIM_FROM` or more.
 */
export function trimmedMeanLogit(ps: readonly number[]): number {
  const logits = ps.map((p) => {
    const q = Math.min(1 - EPS, Math.max(EPS, p));
    return Math.log(q / (1 - q));
  });
  logits.sort((a, b) => a - b);
  const kept = logits.length >= TRIM_FROM ? logits.slice(1, -1) : logits;
  return 1 / (1 + Math.exp(-kept.reduce((a, b) => a + b, 0) / kept.length));
}

function majorityState(recent: readonly LiveFrame[], previous: Steady["state"]): Steady["state"] {
  const refused = recent.filter((f) => f.decision.kind === "refused").length;
  const answered = recent.length - refused;
  if (refused > answered) return "refused";
  if (answered > refused) return "reading";
  return previous ?? (recent.at(-1)?.decision.kind === "refused" ? "refused" : "reading");
}

/** The hysteresis half-width at boundary `b`: `margin`, at most half the way to 0 or 1. */
function halfWidth(b: number, margin: number): number {
  return Math.min(margin, b / 2, (1 - b) / 2);
}

function nextLabel(previous: Label | null, p: number, threshold: number, margin: number): Label {
  const band = halfWidth(threshold, margin);
  if (previous === null) return p >= threshold ? "malignant" : "benign";
  if (previous === "benign" && p >= threshold + band) return "malignant";
  if (previous === "malignant" && p < threshold - band) return "benign";
  return previous;
}

const BANDS: readonly Risk[] = ["low", "medium", "high"];

/** The shown band after one more smoothed probability (see the file comment). */
export function nextBand(previous: Risk | null, p: number, bands: Record<Risk, number>, margin: number): Risk {
  let i = 0;
  for (let j = 1; j < BANDS.length; j++) if (p >= bands[BANDS[j]!]) i = j;
  if (previous === null) return BANDS[i]!;
  let shown = BANDS.indexOf(previous);
  while (shown < BANDS.length - 1) {
    const bound = bands[BANDS[shown + 1]!];
    if (p >= bound + halfWidth(bound, margin)) shown++;
    else break;
  }
  while (shown > 0) {
    const bound = bands[BANDS[shown]!];
    if (p < bound - halfWidth(bound, margin)) shown--;
    else break;
  }
  return BANDS[shown]!;
}

/**
 * The steady view after one more frame. `rule`: the card's threshold and risk bands (a bare
 * threshold gives no band).
 */
export function nextSteady(
  prev: Steady,
  frame: Decision | LiveFrame,
  rule: SteadyRule | number,
  options = STEADY_DEFAULTS,
): Steady {
  const entry: LiveFrame = "decision" in frame ? frame : { decision: frame };
  const { threshold, risk_bands: bands } = typeof rule === "number" ? { threshold: rule, risk_bands: null } : rule;
  const kept = [...prev.recent, entry].slice(-Math.max(options.window, options.pWindow));
  const recent = kept.slice(-options.window);
  const state = majorityState(recent, prev.state);
  const lastRefusal = [...recent].reverse().find((f) => f.decision.kind === "refused")?.decision;
  const refusal = lastRefusal?.kind === "refused" ? { code: lastRefusal.code, reasons: lastRefusal.reasons } : null;
  const answered = kept.slice(-options.pWindow).filter((f) => f.decision.kind === "answer");
  const ps = answered.flatMap((f) => (f.decision.kind === "answer" ? [f.decision.p] : []));
  if (state !== "reading" || ps.length === 0) {
    return { ...EMPTY_STEADY, state, refusal: state === "refused" ? refusal : null, recent: kept };
  }
  const p = trimmedMeanLogit(ps);
  const derm = answered.flatMap((f) => (typeof f.pDermoscopic === "number" ? [f.pDermoscopic] : []));
  const pDermoscopic = derm.length ? derm.reduce((a, b) => a + b, 0) / derm.length : null;
  const last = ps.slice(-options.settleFrames);
  const settled =
    prev.settled ||
    (last.length >= options.settleFrames && Math.max(...last) - Math.min(...last) <= options.settleSpread);
  const label = settled ? nextLabel(prev.label, p, threshold, options.margin) : null;
  const band = settled && bands ? nextBand(prev.band, p, bands, options.margin) : null;
  return { state, refusal: null, p, settled, label, band, pDermoscopic, recent: kept };
}
