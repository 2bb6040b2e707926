/**
 * Bands and sentences that are true together: every band of the shipped card, at its edges, in
 * both languages, live and on upload. The edges come from models/skinscan.json (risk_bands), so a
 * new card is checked against the same rules without editing this file.
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
import { ResultCard } from "./ResultCard";

const card = parseCard(JSON.parse(readFileSync(resolve(__dirname, "../../../models/skinscan.json"), "utf8")));
const { medium, high } = card.risk_bands;
const EPS = 1e-6;
/** Both sides of every edge, and the ends of the scale. */
const EDGES = [0, medium - EPS, medium, high - EPS, high, 1];

/** Claims a sentence may make, and the count ("about N of 100") they need beside them. */
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
    model: { name: "skinscan", version: "3.0.0" },
    timing_ms: {},
  };
}

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
      const count = perHundred(p);
      const { unmount } = render(
        <I18nProvider lang={lang}>
          <ResultCard result={answer(p)} card={card} />
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
      expect(screen.getByTestId("frequency")).toHaveTextContent(String(count));

      const text = `${upload.textContent} ${live.textContent}`;
      expect(text).not.toContain("server words");
      for (const { pattern, holds } of CLAIMS[lang]) {
        if (pattern.test(text)) expect(holds(count), `"${pattern}" beside ${count} of 100`).toBe(true);
      }
      if (p >= card.threshold) expect(text).not.toMatch(REASSURING[lang]);
      else expect(text).not.toMatch(URGENT[lang]);
      unmount();
    },
  );
});
