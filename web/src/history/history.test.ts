import { describe, expect, it } from "vitest";
import { EVIDENCE_FLOOR, evidenceAlpha, evidencePeak, rampColour } from "../components/heatmap";
import { breakable } from "../report/report";
import { perHundred, shortVersion } from "../components/format";
import { type Check, checkFrom, suggestsDoctor } from "./check";
import { recheckDate, spotsOf } from "./ComparePanel";

const answer = {
  label: "benign" as const,
  p_malignant: 0.26,
  risk: "low" as const,
  threshold: 0.38,
  advice: "…",
  disclaimer: "…",
  evidence: [[0, 1]],
  model: { name: "skinscan", version: "2.0.0+efficientnet-lite0.fp32" },
  timing_ms: {},
};

const at = (day: number, spot: string, risk: Check["risk"] = "low"): Check => ({
  ...checkFrom({ ...answer, risk }, null, new Date(2025, 0, day).getTime(), spot),
  id: day,
});

describe("a check", () => {
  it("keeps the machine fields of the answer, never its server-worded texts", () => {
    const check = checkFrom(answer, "data:image/jpeg;base64,xx", 5, "left shoulder");
    expect(check).toEqual({
      createdAt: 5,
      spot: "left shoulder",
      thumbnail: "data:image/jpeg;base64,xx",
      evidence: [[0, 1]],
      label: "benign",
      p_malignant: 0.26,
      risk: "low",
      threshold: 0.38,
      model: { name: "skinscan", version: "2.0.0+efficientnet-lite0.fp32" },
    });
    expect(shortVersion(check.model.version)).toBe("2.0.0");
    expect(suggestsDoctor(check)).toBe(false);
    expect(suggestsDoctor({ risk: "medium" })).toBe(true);
  });

  it("says 'about N of 100' without ever saying none or all", () => {
    expect(perHundred(0.26)).toBe(26);
    expect(perHundred(0.001)).toBe(1);
    expect(perHundred(0.999)).toBe(99);
  });
});

describe("compare", () => {
  it("groups named spots only, oldest first", () => {
    const spots = spotsOf([at(9, "arm"), at(2, "arm"), at(3, ""), at(4, "back")]);
    expect([...spots.keys()]).toEqual(["arm", "back"]);
    expect(spots.get("arm")?.map((c) => c.id)).toEqual([2, 9]);
  });

  it("reminds three months after a low-concern check", () => {
    const when = recheckDate(at(31, "arm"));
    expect([when.getFullYear(), when.getMonth(), when.getDate()]).toEqual([2025, 4, 1]);
  });
});

describe("heat map and report helpers", () => {
  it("runs the colour ramp from dark to pale, and finds the peak", () => {
    const [r0, g0, b0] = rampColour(0);
    const [r1, g1, b1] = rampColour(1);
    expect(r0 + g0 + b0).toBeLessThan(r1 + g1 + b1);
    expect(
      evidencePeak([
        [0.1, 0.7],
        [0.3, 0],
      ]),
    ).toBe(0.7);
    expect(evidencePeak([])).toBe(0);
  });

  it("breaks English between words and Chinese between characters", () => {
    expect(breakable("See a doctor soon.")).toEqual(["See ", "a ", "doctor ", "soon."]);
    expect(breakable("请尽快就医。")).toEqual(["请", "尽", "快", "就", "医。"]);
  });
});

describe("evidence tint", () => {
  it("leaves weak evidence untinted and grows with the evidence above the floor", () => {
    expect(evidenceAlpha(0)).toBe(0);
    expect(evidenceAlpha(EVIDENCE_FLOOR)).toBe(0);
    expect(evidenceAlpha(0.6)).toBeGreaterThan(evidenceAlpha(0.4));
    expect(evidenceAlpha(1)).toBeCloseTo(0.85);
  });
});
