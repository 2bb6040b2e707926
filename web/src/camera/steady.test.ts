import { describe, expect, it } from "vitest";
import type { Decision } from "../inference/decision";
import { EMPTY_STEADY, median, nextBand, nextSteady, type Steady, STEADY_DEFAULTS, trimmedMeanLogit } from "./steady";

const THRESHOLD = 0.4;
const RULE = { threshold: THRESHOLD, risk_bands: { low: 0, medium: THRESHOLD, high: 0.8 } };
const answer = (p: number): Decision => ({
  kind: "answer",
  p,
  label: p >= THRESHOLD ? "malignant" : "benign",
  risk: "low",
});
const blurred: Decision = { kind: "refused", code: "photo_unusable", reasons: ["out_of_focus"] };
const everyday: Decision = { kind: "refused", code: "not_a_lesion", reasons: ["not_a_lesion"] };

function run(decisions: Decision[], start: Steady = EMPTY_STEADY): Steady[] {
  const states: Steady[] = [];
  let steady = start;
  for (const d of decisions) {
    steady = nextSteady(steady, d, RULE);
    states.push(steady);
  }
  return states;
}

function labelChanges(states: Steady[]): number {
  const shown = states.map((s) => s.label).filter((l) => l !== null);
  return shown.slice(1).filter((l, i) => l !== shown[i]).length;
}

describe("steady live readings", () => {
  it("takes the median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it("averages logits like the model averages its views, leaving out the extremes from 5 frames on", () => {
    const logit = (p: number) => Math.log(p / (1 - p));
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expect(trimmedMeanLogit([0.2, 0.4])).toBeCloseTo(sigmoid((logit(0.2) + logit(0.4)) / 2), 12);
    expect(trimmedMeanLogit([0.3, 0.3, 0.3, 0.3, 0.99])).toBeCloseTo(0.3, 12);
    expect(trimmedMeanLogit([0.01, 0.3, 0.3, 0.3, 0.3])).toBeCloseTo(0.3, 12);
    expect(trimmedMeanLogit([0, 1, 0.5])).toBeCloseTo(0.5, 6); // 0 and 1 clamped, finite
    expect(STEADY_DEFAULTS.window).toBe(8); // one cycle of the model's 8 views
    expect(STEADY_DEFAULTS.pWindow).toBe(24); // three cycles, averaged into the shown probability
  });

  it("shows no label until the readings settle, then the smoothed one; one odd frame moves nothing", () => {
    const states = run([
      answer(0.1),
      answer(0.7),
      answer(0.12),
      answer(0.15),
      answer(0.11),
      answer(0.13),
      answer(0.12),
    ]);
    expect(states.slice(0, 4).every((s) => s.label === null && s.band === null && !s.settled)).toBe(true);
    expect(states.at(-1)).toMatchObject({ state: "reading", settled: true, label: "benign", band: "low" });
    expect(states.at(-1)?.p).toBeCloseTo(trimmedMeanLogit([0.1, 0.7, 0.12, 0.15, 0.11, 0.13, 0.12]), 12);
    expect(Math.abs(states.at(-1)!.p! - 0.125)).toBeLessThan(0.01);
  });

  it("does not flicker around the threshold (hysteresis), and flips once clearly past it", () => {
    const jitter = Array.from({ length: 60 }, (_, i) => answer(THRESHOLD + 0.04 * Math.sin(i * 1.7)));
    expect(labelChanges(run(jitter))).toBe(0);
    const states = run([...jitter, ...Array.from({ length: 8 }, () => answer(0.8))]);
    expect(labelChanges(states)).toBeLessThanOrEqual(1);
    expect(states.at(-1)?.label).toBe("malignant");
  });

  it("ignores an occasional blurred frame", () => {
    const frames = Array.from({ length: 40 }, (_, i) => (i % 6 === 5 ? blurred : answer(0.2 + 0.05 * Math.sin(i))));
    const states = run(frames);
    expect(states.slice(1).every((s) => s.state === "reading")).toBe(true);
    expect(labelChanges(states)).toBe(0);
  });

  it("stays refused for an everyday scene, with the reason, and gives no probability", () => {
    const states = run(Array.from({ length: 10 }, () => everyday));
    expect(states.every((s) => s.state === "refused" && s.p === null && s.label === null)).toBe(true);
    expect(states.at(-1)?.refusal).toEqual({ code: "not_a_lesion", reasons: ["not_a_lesion"] });
  });

  it("settles afresh after a refusal", () => {
    const before = run(Array.from({ length: 8 }, () => answer(0.2)));
    const refused = run(
      Array.from({ length: 5 }, () => everyday),
      before.at(-1),
    );
    expect(refused.at(-1)).toMatchObject({ state: "refused", settled: false, label: null });
    const back = run([answer(0.2), answer(0.2), answer(0.2)], refused.at(-1));
    expect(back.at(-1)?.state).toBe("refused");
    expect(
      run(
        Array.from({ length: 5 }, () => answer(0.2)),
        back.at(-1),
      ).at(-1),
    ).toMatchObject({ state: "reading" });
  });

  it("keeps the band at a boundary (hysteresis) and moves it once clearly past", () => {
    const bands = RULE.risk_bands;
    // around the medium/high boundary 0.8: within +-0.05 the shown band stays
    expect(nextBand("medium", 0.84, bands, 0.05)).toBe("medium");
    expect(nextBand("medium", 0.851, bands, 0.05)).toBe("high");
    expect(nextBand("high", 0.76, bands, 0.05)).toBe("high");
    expect(nextBand("high", 0.749, bands, 0.05)).toBe("medium");
    // a jump over two bands in one step, both ways
    expect(nextBand("low", 0.95, bands, 0.05)).toBe("high");
    expect(nextBand("high", 0.1, bands, 0.05)).toBe("low");
    // the first band is the plain one; near 0 the margin shrinks to half the bound
    expect(nextBand(null, 0.81, bands, 0.05)).toBe("high");
    const low = { low: 0, medium: 0.04, high: 0.5 };
    expect(nextBand("low", 0.059, low, 0.05)).toBe("low");
    expect(nextBand("low", 0.061, low, 0.05)).toBe("medium");
  });

  it("does not flicker the band when the reading wavers across a boundary, and follows a real change", () => {
    const wavering = Array.from({ length: 120 }, (_, i) =>
      answer(0.8 + 0.04 * Math.sin(i * 0.9) + 0.02 * Math.sin(i * 2.3)),
    );
    const states = run(wavering);
    const bands = states.map((s) => s.band).filter((b) => b !== null);
    const changes = bands.slice(1).filter((b, i) => b !== bands[i]).length;
    // frame-by-frame bands would change dozens of times
    const raw = wavering.map((d) => (d.kind === "answer" && d.p >= 0.8 ? "high" : "medium"));
    expect(raw.slice(1).filter((b, i) => b !== raw[i]).length).toBeGreaterThan(20);
    expect(changes).toBe(0);
    // A real change is followed once it fills the averaging window (three cycles of the 8 views).
    const after = run(
      Array.from({ length: STEADY_DEFAULTS.pWindow }, () => answer(0.3)),
      states.at(-1),
    );
    expect(after.at(-1)?.band).toBe("low");
  });

  it("carries p_dermoscopic (mean of the answered frames) for the wording, and resets the band on a refusal", () => {
    let steady = EMPTY_STEADY;
    for (let i = 0; i < 6; i++)
      steady = nextSteady(steady, { decision: answer(0.3), pDermoscopic: i % 2 ? 0.9 : 0.7 }, RULE);
    expect(steady.pDermoscopic).toBeCloseTo(0.8);
    expect(steady.band).toBe("low");
    for (let i = 0; i < 5; i++) steady = nextSteady(steady, { decision: everyday }, RULE);
    expect(steady).toMatchObject({ state: "refused", band: null, label: null, pDermoscopic: null });
    expect(nextSteady(EMPTY_STEADY, answer(0.3), THRESHOLD).band).toBeNull(); // a bare threshold: no band
  });
});
