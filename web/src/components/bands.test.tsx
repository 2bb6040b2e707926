/**
 * Bands and sentences that are true together: every band of the shipped card, at its edges, in
 * both languages, live and on upload. The edges come from models/skinscan.json (risk_bands) and
 * the measured share of skin cancers per band from reports/metrics.json (`bands.all`, the file the
 * server publishes for this model), so a new card or a new evaluation is checked against the same
 * rules without editing this file.
 */
import { render, screen } from "@testing-library/react";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Prediction } from "../api/types";
import { EMPTY_STEADY } from "../camera/steady";
import { I18nProvider, type Lang, translate } from "../i18n";
import { labelFor, parseCard, riskFor } from "../inference/card";
import { perHundred } from "./format";
import { LiveResult } from "./LiveResult";
import { FiguresContext, parseFigures } from "./ModelFigures";
import { ResultCard } from "./ResultCard";

const card = parseCard(JSON.parse(readFileSync(resolve(__dirname, "../../../models/skinscan.json"), "utf8")));
const figures = parseFigures(JSON.parse(readFileSync(resolve(__dirname, "../../../reports/metrics.json"), "utf8")));
const { medium, high } = card.risk_bands;
const EPS = 1e-6;
/** Both sides of every edge, and the ends of the scale. */
const EDGES = [0, medium - EPS, medium, high - EPS, high, 1];

/** Claims a sentence may make, and the count they need beside them (checked for the measured one and the score). */
const CLAIMS: Record<Lang, { pattern: RegExp; holds: (count: number) => boolean }[]> = {
  en: [
    { pattern: /most[^.]*harmless/i, holds: (n) => n < 50 },
    { pattern: /most[^.]*skin cancer/i, holds: (n) => n > 50 },
    { pattern: /nothing[^.]*stands out/i, holds: (n) => n < 10 },
  ],
  zh: [
    { pattern: /大多[^。]*无害/, holds: (n) => n < 50 },
    { pattern: /大多[^。]*皮肤癌/, holds: (n) => n > 50 },
    { pattern: /没有发现突出/, holds: (n) => n < 10 },
  ],
};
/** Reassurance never stands beside a score from which a doctor is suggested. */
const REASSURING: Record<Lang, RegExp> = { en: /harmless|keep an eye on it|no need/i, zh: /无害|留意观察即可|不需要/ };
/** Urgency never stands beside a score below the doctor line. */
const URGENT: Record<Lang, RegExp> = { en: /\bsoon\b|within the next 2 weeks/i, zh: /尽快|2 周内/ };

function answer(p: number): Prediction {
  return {
    label: labelFor(card, p),
    p_malignant: p,
    risk: riskFor(card, p),
    threshold: card.threshold,
    advice: "server words (not shown)",
    disclaimer: "server words (not shown)",
    evidence: null,
    model: { name: "skinscan", version: card.version },
    timing_ms: {},
    p_malignant_photo: p,
    answers: {},
  };
}

describe("the measured share per band (reports/metrics.json)", () => {
  it("is there for every band of the shipped card, measured on this model", () => {
    expect(figures).not.toBeNull();
    expect(figures!.version).toBe(card.version);
    for (const risk of ["low", "medium", "high"] as const) {
      const band = figures!.bands[risk];
      expect(band, risk).toBeDefined();
      expect(band!.photos).toBeGreaterThan(0);
    }
  });
});

describe.each(["en", "zh"] as const)("bands of the shipped card (%s)", (lang) => {
  it("has three bands, low from 0, the doctor line at the medium edge", () => {
    expect(card.risk_bands.low).toBe(0);
    expect(medium).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(medium);
    expect(high).toBeLessThan(1);
  });

  it.each(EDGES)(
    "at p = %f: the same band and words live and on upload, and no sentence contradicts the number",
    (p) => {
      const risk = riskFor(card, p);
      const score = perHundred(p);
      const measured = perHundred(figures!.bands[risk]!.share);
      const { unmount } = render(
        <I18nProvider lang={lang}>
          <FiguresContext.Provider value={figures}>
            <ResultCard result={answer(p)} card={card} />
          </FiguresContext.Provider>
          <LiveResult
            card={card}
            phase="live"
            steady={{ ...EMPTY_STEADY, state: "reading", p, settled: true, label: labelFor(card, p) }}
            stats={null}
            captured={null}
            progress={null}
          />
        </I18nProvider>,
      );
      const upload = screen.getByTestId("result");
      const live = screen.getByTestId("live-result");
      const headline = translate(lang, `result.headline.${risk}`);
      expect(upload).toHaveAttribute("data-risk", risk);
      expect(screen.getByRole("heading", { level: 3 })).toHaveTextContent(headline);
      expect(screen.getByTestId("live-band")).toHaveTextContent(headline);
      expect(screen.getByTestId("live-band")).toHaveAttribute("data-risk", risk);
      // The sentence beside the score gives the band's measured share, not the score.
      expect(screen.getByTestId("frequency")).toHaveTextContent(
        translate(lang, "result.frequency", { count: measured }),
      );

      const text = `${upload.textContent} ${live.textContent}`;
      expect(text).not.toContain("server words");
      for (const { pattern, holds } of CLAIMS[lang]) {
        if (!pattern.test(text)) continue;
        expect(holds(measured), `"${pattern}" beside a measured ${measured} of 100 (${risk})`).toBe(true);
        expect(holds(score), `"${pattern}" beside a score of ${score}%`).toBe(true);
      }
      if (p >= card.threshold) expect(text).not.toMatch(REASSURING[lang]);
      else expect(text).not.toMatch(URGENT[lang]);
      unmount();
    },
  );
});

describe.each(["en", "zh"] as const)("without the measured figures (%s)", (lang) => {
  it.each(EDGES)("at p = %f: no frequency sentence, and the score is never worded as one", (p) => {
    const { unmount } = render(
      <I18nProvider lang={lang}>
        <ResultCard result={answer(p)} card={card} />
      </I18nProvider>,
    );
    const text = screen.getByTestId("result").textContent ?? "";
    expect(screen.queryByTestId("frequency")).toBeNull();
    expect(screen.getByTestId("score-note")).toHaveTextContent(translate(lang, "result.score_note"));
    const sentence = translate(lang, "result.frequency", { count: 7 }).split("7")[0]!;
    expect(text).not.toContain(sentence);
    for (const { pattern } of CLAIMS[lang]) expect(text).not.toMatch(pattern);
    unmount();
  });
});
