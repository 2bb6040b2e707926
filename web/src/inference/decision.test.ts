import { describe, expect, it } from "vitest";
import { parseCard } from "./card";
import { decide, qualityReasons } from "./decision";

const base = {
  name: "skinscan",
  version: "2.0.0",
  labels: ["benign", "malignant"],
  threshold: 0.4,
  risk_bands: { low: 0, medium: 0.4, high: 0.8 },
  input: { name: "image", size: 96 },
};
const v2 = parseCard({
  ...base,
  gate: { output: "p_lesion", threshold: 0.5, method: "test" },
  quality: {
    output: "quality",
    signals: ["brightness", "overexposed", "contrast", "sharpness"],
    min_side: 64,
    checks: [
      { signal: "sharpness", min: 0.05, reason: "out_of_focus" },
      { signal: "brightness", min: 0.12, reason: "too_dark" },
      { signal: "overexposed", max: 0.5, reason: "overexposed" },
      { signal: "contrast", min: 0.02, reason: "low_contrast" },
    ],
  },
});
const good = [0.5, 0.0, 0.15, 0.3];

describe("the decision (docs/model-contract.md)", () => {
  it("reads size, gate and checks from the card", () => {
    expect(v2.input.size).toBe(96);
    expect(v2.gate).toEqual({ output: "p_lesion", threshold: 0.5 });
    expect(v2.quality?.checks[2]).toEqual({ signal: "overexposed", max: 0.5, reason: "overexposed" });
  });

  it("answers a judgeable photo with label and band from the card", () => {
    expect(decide(v2, { pMalignant: 0.45, pLesion: 0.9, quality: good }, 480)).toEqual({
      kind: "answer",
      p: 0.45,
      label: "malignant",
      risk: "medium",
    });
  });

  it("collects every failing check, then too_small, and refuses as photo_unusable before the gate", () => {
    const dark = [0.05, 0.0, 0.01, 0.01];
    expect(qualityReasons(v2, dark, 480)).toEqual(["out_of_focus", "too_dark", "low_contrast"]);
    expect(decide(v2, { pMalignant: 0.9, pLesion: 0.0, quality: [0.5, 0.6, 0.15, 0.3] }, 63)).toEqual({
      kind: "refused",
      code: "photo_unusable",
      reasons: ["overexposed", "too_small"],
    });
    expect(qualityReasons(v2, [0.5, 0.0, Number.NaN, 0.3], 480)).toEqual(["low_contrast"]);
  });

  it("refuses a photo below the gate as not_a_lesion, with no probability", () => {
    const refused = decide(v2, { pMalignant: 0.9, pLesion: 0.49, quality: good }, 480);
    expect(refused).toEqual({ kind: "refused", code: "not_a_lesion", reasons: ["not_a_lesion"] });
    expect("p" in refused).toBe(false);
  });

  it("answers every photo for a contract-1 card", () => {
    const v1 = parseCard(base);
    expect(v1.gate).toBeNull();
    expect(decide(v1, { pMalignant: 0.1, pLesion: null, quality: null }, 10)).toMatchObject({
      kind: "answer",
      label: "benign",
    });
  });

  it("refuses a card whose checks it cannot apply", () => {
    const bad = {
      ...base,
      quality: {
        output: "quality",
        signals: ["brightness"],
        min_side: 64,
        checks: [{ signal: "sharpness", min: 1, reason: "out_of_focus" }],
      },
    };
    expect(() => parseCard(bad)).toThrow(/signal/);
    expect(() => parseCard({ ...base, gate: { output: "p_lesion", threshold: 2 } })).toThrow(/gate/);
  });
});

describe("quality.low_needs (model 3): a blurred photo is never answered low", () => {
  const v3 = parseCard({
    ...base,
    gate: { output: "p_lesion", threshold: 0.5, method: "test" },
    quality: {
      output: "quality",
      signals: ["brightness", "overexposed", "contrast", "sharpness"],
      min_side: 64,
      checks: [{ signal: "sharpness", min: 0.05, reason: "out_of_focus" }],
      low_needs: [{ signal: "sharpness", min: 0.5, reason: "out_of_focus" }],
    },
  });
  const soft = [0.5, 0.0, 0.15, 0.3]; // passes the checks, fails low_needs

  it("refuses a soft photo that would be answered low, as the server does", () => {
    expect(decide(v3, { pMalignant: 0.1, pLesion: 0.9, quality: soft }, 480)).toEqual({
      kind: "refused",
      code: "photo_unusable",
      reasons: ["out_of_focus"],
    });
  });

  it("still answers the soft photo when the estimate is not low, and a sharp photo when it is", () => {
    expect(decide(v3, { pMalignant: 0.45, pLesion: 0.9, quality: soft }, 480).kind).toBe("answer");
    const sharp = [0.5, 0.0, 0.15, 0.9];
    expect(decide(v3, { pMalignant: 0.1, pLesion: 0.9, quality: sharp }, 480)).toMatchObject({ risk: "low" });
  });
});
