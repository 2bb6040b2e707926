import { render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import type { Prediction } from "../api/types";
import { I18nProvider } from "../i18n";
import { percent } from "./format";
import { FiguresContext, type ModelFigures } from "./ModelFigures";
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
  p_malignant_photo: 0.734,
  answers: {},
};

/** Hand-made measurements of the same model version (shares chosen apart from the scores used below). */
const figures: ModelFigures = {
  version: base.model.version,
  threshold: 0.383,
  sets: [],
  bands: {
    low: { photos: 500, malignant: 6, share: 0.012 },
    medium: { photos: 200, malignant: 62, share: 0.31 },
    high: { photos: 100, malignant: 81, share: 0.81 },
  },
};

function withFigures(node: ReactNode, value: ModelFigures | null = figures) {
  return <FiguresContext.Provider value={value}>{node}</FiguresContext.Provider>;
}

describe("ResultCard", () => {
  it("leads with the band and what to do, then the score and its band's measured frequency", () => {
    render(withFigures(<ResultCard result={base} />));
    const card = screen.getByTestId("result");
    const text = card.textContent ?? "";
    expect(screen.getByRole("heading", { level: 3 })).toHaveTextContent("Higher concern: see a doctor soon");
    expect(text.indexOf("What to do")).toBeLessThan(text.indexOf("73%"));
    expect(card).toHaveTextContent("Model score: 73%");
    expect(screen.getByTestId("frequency")).toHaveTextContent(
      "Of 100 spots that got this band in our test photos, about 81 were skin cancer. But those test photos",
    );
    expect(screen.getByTestId("frequency")).toHaveTextContent("Neither this figure nor the score is your personal");
    expect(screen.getByTestId("frequency")).not.toHaveTextContent("about 73");
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
    render(withFigures(<ResultCard result={{ ...base, risk: "low", label: "benign", p_malignant: 0.3 }} />));
    expect(screen.getByTestId("frequency")).toHaveTextContent("about 1 was skin cancer.");
  });

  it("gives each band its own measured count, whatever the score inside the band", () => {
    for (const [risk, p, count] of [
      ["medium", 0.45, 31],
      ["medium", 0.7, 31],
      ["high", 0.99, 81],
    ] as const) {
      const { unmount } = render(withFigures(<ResultCard result={{ ...base, risk, p_malignant: p }} />));
      expect(screen.getByTestId("frequency")).toHaveTextContent(`about ${count} were skin cancer.`);
      unmount();
    }
  });

  it.each([
    ["no figures (no metrics file, offline without a copy)", null],
    ["figures of another model version (a check saved before the model changed)", { ...figures, version: "3.0.0+x" }],
    ["figures without the answer's band", { ...figures, bands: { low: figures.bands.low! } }],
  ])("leaves the sentence out with %s, never putting the score in its place", (_, value) => {
    render(withFigures(<ResultCard result={base} />, value));
    const card = screen.getByTestId("result");
    expect(screen.queryByTestId("frequency")).toBeNull();
    expect(card).not.toHaveTextContent(/of 100|about \d+ were|test photos come/);
    expect(screen.getByTestId("score-note")).toHaveTextContent("The score is not your personal chance of cancer.");
    expect(card).toHaveTextContent("Model score: 73%");
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
      withFigures(
        <I18nProvider lang="zh">
          <ResultCard result={{ ...base, risk: "low", label: "benign", p_malignant: 0.26 }} />
        </I18nProvider>,
      ),
    );
    const card = screen.getByTestId("result");
    expect(card).toHaveTextContent("关注度低：留意观察即可");
    expect(card).toHaveTextContent("在我们的测试照片中，评分落在这一档的每 100 个斑点里，大约有 1 个是皮肤癌。");
    expect(card).toHaveTextContent("这个比例和模型评分都不是您本人患癌的概率");
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
