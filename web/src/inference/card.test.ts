import { describe, expect, it } from "vitest";
import { CardError, labelFor, parseCard, riskFor } from "./card";

const card = {
  name: "skinscan",
  version: "1.0.0",
  labels: ["benign", "malignant"],
  threshold: 0.3,
  risk_bands: { low: 0, medium: 0.2, high: 0.6 },
  input: { name: "image", size: 96 },
};

describe("model card", () => {
  it("takes threshold, bands and labels from the card", () => {
    const parsed = parseCard(card);
    expect(labelFor(parsed, 0.29)).toBe("benign");
    expect(labelFor(parsed, 0.3)).toBe("malignant");
    expect(riskFor(parsed, 0.19)).toBe("low");
    expect(riskFor(parsed, 0.2)).toBe("medium");
    expect(riskFor(parsed, 0.6)).toBe("high");
  });

  it("refuses a card the page cannot trust", () => {
    expect(() => parseCard({ ...card, labels: ["malignant", "benign"] })).toThrow(CardError);
    expect(() => parseCard({ ...card, threshold: 1.5 })).toThrow(CardError);
    expect(() => parseCard({ ...card, risk_bands: { low: 0, medium: 0.7, high: 0.6 } })).toThrow(CardError);
    expect(() => parseCard(null)).toThrow(CardError);
  });
});
