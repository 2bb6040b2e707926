import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Prediction } from "../api/types";
import { I18nProvider } from "../i18n";
import { percent } from "./format";
import { ResultCard } from "./ResultCard";

const base: Prediction = {
  label: "malignant",
  p_malignant: 0.734,
  risk: "high",
  threshold: 0.383,
  advice: "Please see a dermatologist soon.",
  disclaimer: "This is not a diagnosis.",
  evidence: [
    [0, 0.2],
    [0.5, 1],
  ],
  model: { name: "skinscan", version: "2.0.0+efficientnet-lite0.fp32" },
  timing_ms: { decode: 3, model: 20, total: 23 },
};

describe("ResultCard", () => {
  it("leads with the band and what to do, then the score as a natural frequency", () => {
    render(<ResultCard result={base} />);
    const card = screen.getByTestId("result");
    const text = card.textContent ?? "";
    expect(screen.getByRole("heading", { level: 3 })).toHaveTextContent("Higher concern: see a doctor soon");
    expect(text.indexOf("What to do")).toBeLessThan(text.indexOf("73%"));
    expect(card).toHaveTextContent("Model score: 73%");
    expect(screen.getByTestId("frequency")).toHaveTextContent(
      "Of 100 spots that scored like this in the model's test photos, about 73 were skin cancer. But those test photos",
    );
    expect(card).toHaveTextContent("from a score of 38%");
    // The page's own disclaimer, not the server's text (the server's words are for API clients).
    expect(card).toHaveTextContent("Not a diagnosis.");
    expect(card).not.toHaveTextContent("This is not a diagnosis.");
    expect(card).not.toHaveTextContent(base.advice);
    expect(card).toHaveAttribute("data-risk", "high");
    expect(card).toHaveAttribute("data-p-malignant", "0.734");
    // No diagnosis-like "Malignant" headline, no developer details.
    expect(text).not.toMatch(/Malignant|ms\b|fp32|efficientnet/);
    expect(card).toHaveTextContent("model version 2.0.0");
  });

  it("says 'about 1 was' in the singular", () => {
    render(<ResultCard result={{ ...base, risk: "low", label: "benign", p_malignant: 0.01 }} />);
    expect(screen.getByTestId("frequency")).toHaveTextContent("about 1 was skin cancer.");
  });

  it.each([
    ["low", "benign", 0.26, "Low concern: keep an eye on it", /Check the spot again in about 3 months/],
    ["medium", "malignant", 0.45, "Some concern: have a doctor look at it", /Book an appointment/],
    ["high", "malignant", 0.9, "Higher concern: see a doctor soon", /within the next 2 weeks/],
  ] as const)("the %s band: headline, advice and look agree", (risk, label, p, headline, advice) => {
    render(<ResultCard result={{ ...base, risk, label, p_malignant: p }} />);
    const card = screen.getByTestId("result");
    expect(card).toHaveTextContent(headline);
    expect(card).toHaveTextContent(advice);
    expect(card.textContent).not.toMatch(/probably fine/);
  });

  it("shows where the model looked, with what the map is not", () => {
    render(<ResultCard result={base} />);
    expect(screen.getByTestId("heatmap")).toHaveTextContent(/not an outline/);
    expect(screen.getByRole("checkbox", { name: "Show where the model looked" })).toBeChecked();
  });

  it("speaks Chinese end to end", () => {
    render(
      <I18nProvider lang="zh">
        <ResultCard result={{ ...base, risk: "low", label: "benign", p_malignant: 0.26 }} />
      </I18nProvider>,
    );
    const card = screen.getByTestId("result");
    expect(card).toHaveTextContent("关注度低：留意观察即可");
    expect(card).toHaveTextContent("每 100 个斑点里，大约有 26 个是皮肤癌");
    expect(document.documentElement.lang).toBe("zh-CN");
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
