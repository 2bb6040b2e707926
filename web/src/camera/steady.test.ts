import { describe, expect, it } from "vitest";
import type { Decision } from "../inference/decision";
import { EMPTY_STEADY, median, nextSteady, type Steady } from "./steady";

const THRESHOLD = 0.4;
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
    steady = nextSteady(steady, d, THRESHOLD);
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

  it("shows no label until the readings settle, then the smoothed one", () => {
    const states = run([
      answer(0.1),
      answer(0.7),
      answer(0.12),
      answer(0.15),
      answer(0.11),
      answer(0.13),
      answer(0.12),
    ]);
    expect(states.slice(0, 4).every((s) => s.label === null && !s.settled)).toBe(true);
    expect(states.at(-1)).toMatchObject({ state: "reading", settled: true, label: "benign" });
    expect(states.at(-1)?.p).toBeCloseTo(0.12);
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
});
