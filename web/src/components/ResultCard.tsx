import { type ReactNode, useEffect, useRef, useState } from "react";
import { AbcdeGuide } from "../abcde/AbcdeGuide";
import type { Prediction } from "../api/types";
import { useT } from "../i18n";
import type { ModelCard } from "../inference/card";
import { percent, sentenceGap, shortVersion } from "./format";
import { bandCount, frequencyText, useFigures } from "./ModelFigures";
import { Heatmap } from "./Heatmap";
import { ProbabilityMeter } from "./ProbabilityMeter";
import { RISK_ICONS } from "./RiskBadge";

interface Props {
  result: Prediction;
  card?: ModelCard | null;
  /** The square the model saw (data URL), under the heat map. */
  image?: string | null;
  /** When the check was made (ms since 1970). */
  checkedAt?: number;
  /** Move keyboard and screen-reader focus to the headline when shown. */
  autoFocus?: boolean;
  /** Save / export controls. */
  actions?: ReactNode;
}

/**
 * The answer in plain words: first the band as a headline and what to do, then the score with the
 * measured share of skin cancers among the test photos that got the same band (when the loaded model's
 * figures are there), the scale, where the model looked, and the disclaimer. Every
 * sentence is the page's own, worded from the answer's machine fields (band, label, probability)
 * in the current language; the server's `advice` and `disclaimer` text is for API clients.
 */
export function ResultCard({ result, card, image = null, checkedAt, autoFocus = false, actions }: Props) {
  const { t, date, lang } = useT();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [shownAt] = useState(Date.now);
  useEffect(() => {
    if (autoFocus) headingRef.current?.focus();
  }, [autoFocus]);
  return (
    <article
      className={`result result--${result.risk}`}
      data-testid="result"
      data-label={result.label}
      data-risk={result.risk}
      data-p-malignant={result.p_malignant}
      aria-labelledby="result-heading"
    >
      <header className="result__header">
        <span className="result__kicker">{t("result.kicker")}</span>
        <h3 id="result-heading" ref={headingRef} tabIndex={-1} className="result__headline">
          <span className="result__icon" aria-hidden="true">
            {RISK_ICONS[result.risk]}
          </span>
          {t(`result.headline.${result.risk}`)}
        </h3>
      </header>
      <section className="result__advice" aria-labelledby="result-todo">
        <h4 id="result-todo">{t("result.todo")}</h4>
        <p>{t(`result.advice.${result.risk}`)}</p>
        <AbcdeGuide />
      </section>
      <ScoreExplained result={result} card={card ?? null} />
      {result.evidence && result.evidence.length > 0 ? <Heatmap evidence={result.evidence} image={image} /> : null}
      <p className="result__disclaimer">
        <strong>{t("disclaimer.strong")}</strong>
        {sentenceGap(lang)}
        {t("disclaimer.text")}
      </p>
      {actions ? <div className="result__actions">{actions}</div> : null}
      <p className="result__meta">
        {t("result.meta", { date: date(checkedAt ?? shownAt), version: shortVersion(result.model.version) })}
      </p>
    </article>
  );
}

/** The score, what its band meant in "of 100 spots" terms on the test photos, and where the line for a doctor lies. */
function ScoreExplained({ result, card }: { result: Prediction; card: ModelCard | null }) {
  const i18n = useT();
  const { t } = i18n;
  const count = bandCount(useFigures(), result.risk, result.model.version);
  return (
    <section className="result__score" aria-labelledby="result-score">
      <p className="result__look">{t(`result.look.${result.label}`)}</p>
      <h4 id="result-score" className="result__score-title">
        {t("result.score", { percent: percent(result.p_malignant) })}
      </h4>
      <ProbabilityMeter
        p={result.p_malignant}
        threshold={result.threshold}
        bands={card ? { medium: card.risk_bands.medium, high: card.risk_bands.high } : undefined}
      />
      {/* The frequency and its caveat are one paragraph of one weight: the caveat is not small print. */}
      <p className="result__frequency" data-testid={count === null ? "score-note" : "frequency"}>
        {frequencyText(i18n, count)}
      </p>
      <p className="result__explain">{t("result.threshold", { percent: percent(result.threshold) })}</p>
    </section>
  );
}
