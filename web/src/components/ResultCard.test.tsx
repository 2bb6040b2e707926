import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Prediction } from "../api/types";
import { percent } from "./format";
import { ResultCard } from "./ResultCard";

const base: Prediction = {
  label: "malignant",
  p_malignant: 0.734,
  risk: "high",
  threshold: 0.3,
  advice: "Please see a dermatologist soon.",
  disclaimer: "This is not a diagnosis.",
  model: { name: "skinscan", version: "1.0.0" },
  timing_ms: { decode: 3, model: 20 },
};

describe("ResultCard", () => {
  it("shows label, percentage, risk in words, advice and disclaimer", () => {
    render(<ResultCard result={base} />);
    const card = screen.getByTestId("result");
    expect(card).toHaveTextContent("Malignant");
    expect(card).toHaveTextContent("73%");
    expect(card).toHaveTextContent("High risk");
    expect(card).toHaveTextContent("Please see a dermatologist soon.");
    expect(card).toHaveTextContent("This is not a diagnosis.");
    expect(card).toHaveAttribute("data-risk", "high");
    expect(card).toHaveAttribute("data-p-malignant", "0.734");
    // A sentence for screen readers that does not depend on colour or layout.
    expect(screen.getByText(/Result: Malignant\. Probability of malignant 73%\. High risk\./)).toBeInTheDocument();
  });

  it.each([
    ["low", "Low risk"],
    ["medium", "Medium risk"],
    ["high", "High risk"],
  ] as const)("names the %s band in words, not colour alone", (risk, words) => {
    render(<ResultCard result={{ ...base, risk, label: "benign" }} />);
    expect(screen.getByTestId("result")).toHaveTextContent(words);
    expect(screen.getByTestId("result")).toHaveTextContent("Benign");
  });
});

describe("percent", () => {
  it("rounds to whole percent, with a decimal near the ends", () => {
    expect(percent(0.2345)).toBe("23%");
    expect(percent(0.004)).toBe("0.4%");
    expect(percent(0.9961)).toBe("99.6%");
    expect(percent(1.2)).toBe("100.0%");
  });
});
