import type { Prediction } from "../api/types";
import type { ModelCard } from "../inference/card";
import { LABEL_WORDS, percent, RISK_WORDS } from "./format";
import { ProbabilityMeter } from "./ProbabilityMeter";
import { RiskBadge } from "./RiskBadge";

interface Props {
  result: Prediction;
  card?: ModelCard | null;
}

/** The server's full answer: label, probability, risk band, advice and disclaimer. */
export function ResultCard({ result, card }: Props) {
  const summary =
    `Result: ${LABEL_WORDS[result.label]}. Probability of malignant ${percent(result.p_malignant)}. ` +
    `${RISK_WORDS[result.risk]}.`;
  return (
    <article
      className={`result result--${result.risk}`}
      data-testid="result"
      data-label={result.label}
      data-risk={result.risk}
      data-p-malignant={result.p_malignant}
      aria-labelledby="result-heading"
    >
      <p className="visually-hidden">{summary}</p>
      <header className="result__header">
        <h3 id="result-heading" className="result__title">
          <span className="result__kicker">Model answer</span>
          <span className="result__label">{LABEL_WORDS[result.label]}</span>
        </h3>
        <RiskBadge risk={result.risk} size="large" />
      </header>
      <p className="result__probability">
        <span className="result__percent">{percent(result.p_malignant)}</span> probability of malignant
      </p>
      <ProbabilityMeter
        p={result.p_malignant}
        threshold={result.threshold}
        bands={card ? { medium: card.risk_bands.medium, high: card.risk_bands.high } : undefined}
      />
      <p className="result__explain">
        The model calls a lesion malignant at {percent(result.threshold)} or more (a threshold chosen to miss few
        melanomas, so it raises some false alarms).
      </p>
      <section className="result__advice" aria-label="What to do">
        <h4>What to do</h4>
        <p>{result.advice}</p>
      </section>
      <p className="result__disclaimer">{result.disclaimer}</p>
      <p className="result__meta">
        {result.model.name} {result.model.version}
        {result.timing_ms && Object.keys(result.timing_ms).length > 0
          ? ` · analysed in ${Math.round(Object.values(result.timing_ms).reduce((a, b) => a + b, 0))} ms`
          : ""}
      </p>
    </article>
  );
}
