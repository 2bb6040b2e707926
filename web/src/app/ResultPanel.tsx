import { useMemo } from "react";
import type { Prediction } from "../api/types";
import type { Place } from "../bodymap/regions";
import { ResultCard } from "../components/ResultCard";
import { checkFrom } from "../history/check";
import { SaveCheck } from "../history/SaveCheck";
import { useT } from "../i18n";
import type { ModelCard } from "../inference/card";
import { ExportButton } from "../report/ExportButton";
import type { Status } from "./useAnalysis";

interface Props {
  status: Status;
  /** The last photo was refused (no answer, with a hint above): the placeholder must not promise one. */
  refused?: boolean;
  result: Prediction | null;
  checkedAt: number;
  card: ModelCard | null;
  thumbnail: string | null;
  knownSpots: string[];
  onSave: (spot: string, place: Place | null) => Promise<unknown>;
  /** The spot being checked again, if any: Save offers its name. */
  retakeSpot?: string | undefined;
}

/**
 * The answer, with Save and Export. Only the short "Analysing…" line is a live region; the answer
 * itself is not announced as a whole: focus moves to its headline, which screen readers read once.
 */
export function ResultPanel({
  status,
  refused = false,
  result,
  checkedAt,
  card,
  thumbnail,
  knownSpots,
  onSave,
  retakeSpot,
}: Props) {
  const { t } = useT();
  const check = useMemo(
    () => (result ? checkFrom(result, thumbnail, checkedAt) : null),
    [result, thumbnail, checkedAt],
  );
  return (
    <section className="panel panel--result" aria-labelledby="result-panel-heading">
      <h2 id="result-panel-heading" className="panel__heading">
        {t("result.heading")}
      </h2>
      <div role="status" aria-live="polite" className="result-status">
        {status === "analysing" ? (
          <p className="loading" data-testid="loading">
            <span className="spinner" aria-hidden="true" /> {t("result.analysing")}
          </p>
        ) : null}
      </div>
      {status === "idle" ? <p className="placeholder">{t("result.placeholder")}</p> : null}
      {status === "error" ? (
        <p className="placeholder">{t(refused ? "result.placeholder_refused" : "result.placeholder_error")}</p>
      ) : null}
      {status === "done" && result && check ? (
        <ResultCard
          key={checkedAt}
          result={result}
          card={card}
          image={thumbnail}
          checkedAt={checkedAt}
          autoFocus
          actions={
            <>
              <SaveCheck
                key={checkedAt}
                knownSpots={knownSpots}
                onSave={onSave}
                {...(retakeSpot ? { initialSpot: retakeSpot } : {})}
              />
              <ExportButton check={check} />
            </>
          }
        />
      ) : null}
    </section>
  );
}
