/**
 * "How well does it work?" shows the shipped model's held-out figures as reports/metrics.json has
 * them (the file the server publishes as /models/skinscan.metrics.json), in both languages.
 */
import { render, screen, within } from "@testing-library/react";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { I18nProvider, type Lang } from "../i18n";
import { perHundred } from "./format";
import { ModelFiguresView, parseFigures } from "./ModelFigures";

const raw: unknown = JSON.parse(readFileSync(resolve(__dirname, "../../../reports/metrics.json"), "utf8"));
const shipped = raw as { test: Record<string, { sensitivity: { value: number }; specificity: { value: number } }> };

describe("parseFigures", () => {
  it("reads every held-out set of the shipped report, in the page's order", () => {
    const figures = parseFigures(raw);
    expect(figures).not.toBeNull();
    expect(figures!.sets.map((s) => s.id)).toEqual(["kaggle", "ham10000", "pad-ufes-20", "derm7pt"]);
    const pad = figures!.sets.find((s) => s.id === "pad-ufes-20")!;
    expect(pad.specificity).toBe(shipped.test["pad-ufes-20"]!.specificity.value);
  });

  it("refuses what evaluate does not write, and leaves out a set with a figure missing", () => {
    expect(parseFigures(null)).toBeNull();
    expect(parseFigures({ model: { version: "3" }, threshold: 2, test: {} })).toBeNull();
    const partial = {
      model: { version: "3.0.0+x" },
      threshold: 0.16,
      test: {
        kaggle: {
          n: { photos: 10 },
          sensitivity: { value: 0.9 },
          specificity: { value: 0.8 },
          roc_auc: { value: 0.9 },
        },
        derm7pt: { n: { photos: 10 }, sensitivity: { value: 0.9 }, specificity: { value: 0.8 } },
      },
    };
    expect(parseFigures(partial)!.sets.map((s) => s.id)).toEqual(["kaggle"]);
  });
});

describe("ModelFiguresView", () => {
  const figures = parseFigures(raw)!;
  const cases: [Lang, RegExp, (n: number) => string][] = [
    ["en", /How well does it work\?/, (n) => `${n} of 100`],
    ["zh", /它的表现如何？/, (n) => `100 个中 ${n} 个`],
  ];
  it.each(cases)(
    "shows each set's cancers sent to a doctor and harmless spots cleared, of 100 (%s)",
    (lang, title, per) => {
      render(
        <I18nProvider lang={lang}>
          <ModelFiguresView figures={figures} />
        </I18nProvider>,
      );
      const view = screen.getByTestId("model-figures");
      expect(view).toHaveTextContent(title);
      expect(view).toHaveTextContent("3.0.0");
      expect(view).not.toHaveTextContent("efficientnet");
      for (const set of figures.sets) {
        const cells = within(screen.getByTestId(`figures-${set.id}`)).getAllByRole("cell");
        expect(cells.map((c) => c.textContent)).toEqual([
          set.photos.toLocaleString(lang === "zh" ? "zh-CN" : "en"),
          per(perHundred(set.sensitivity)),
          per(perHundred(set.specificity)),
          set.rocAuc.toFixed(2),
        ]);
      }
    },
  );
});
