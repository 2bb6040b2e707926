import { useId, useState } from "react";
import { percent } from "../components/format";
import { RiskBadge } from "../components/RiskBadge";
import { useT } from "../i18n";
import { type Check, suggestsDoctor } from "./check";
import { PhotoPair } from "./PhotoPair";
import { ReminderControls } from "./ReminderControls";
import { ScoreChart } from "./ScoreChart";
import { SpotExport } from "./SpotExport";

/** When to look again at a spot whose last check was in the low band. */
const RECHECK_MONTHS = 3;

/** Named spots with their checks, oldest first. */
export function spotsOf(checks: Check[]): Map<string, Check[]> {
  const spots = new Map<string, Check[]>();
  for (const check of checks) {
    if (!check.spot) continue;
    spots.set(check.spot, [...(spots.get(check.spot) ?? []), check]);
  }
  for (const list of spots.values()) list.sort((a, b) => a.createdAt - b.createdAt);
  return spots;
}

export function recheckDate(last: Check): Date {
  const when = new Date(last.createdAt);
  when.setMonth(when.getMonth() + RECHECK_MONTHS);
  return when;
}

/** Pick a spot: its checks side by side with dates, the score over time, and when to check again. */
export function ComparePanel({ checks, onRetake }: { checks: Check[]; onRetake?: (last: Check) => void }) {
  const { t } = useT();
  const id = useId();
  const spots = spotsOf(checks);
  const names = [...spots.keys()];
  const [picked, setPicked] = useState<string | null>(null);
  const spot = picked !== null && spots.has(picked) ? picked : (names[0] ?? null);
  const list = spot ? (spots.get(spot) ?? []) : [];
  return (
    <section className="panel panel--compare" data-testid="compare" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="panel__heading">
        {t("compare.heading")}
      </h2>
      {names.length === 0 ? <p className="placeholder">{t("compare.none")}</p> : null}
      {names.length > 0 && spot ? (
        <>
          <label htmlFor={`${id}-spot`}>{t("compare.pick")}</label>
          <select id={`${id}-spot`} value={spot} onChange={(event) => setPicked(event.currentTarget.value)}>
            {names.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          <SpotTimeline key={spot} spot={spot} checks={list} onRetake={onRetake} />
        </>
      ) : null}
    </section>
  );
}

interface TimelineProps {
  spot: string;
  checks: Check[];
  onRetake?: ((last: Check) => void) | undefined;
}

function SpotTimeline({ spot, checks, onRetake }: TimelineProps) {
  const { t, date } = useT();
  const last = checks.at(-1);
  if (!last) return null;
  return (
    <>
      <ol className="compare__row">
        {checks.map((check) => (
          <li key={check.id} className="compare__item" data-testid="compare-item">
            {check.thumbnail ? (
              <img src={check.thumbnail} alt={t("history.thumb_alt", { spot, date: date(check.createdAt) })} />
            ) : null}
            <time dateTime={new Date(check.createdAt).toISOString()}>{date(check.createdAt)}</time>
            <RiskBadge risk={check.risk} />
            <span>{t("result.score", { percent: percent(check.p_malignant) })}</span>
          </li>
        ))}
      </ol>
      <PhotoPair spot={spot} checks={checks} />
      <ScoreChart checks={checks} spot={spot} />
      <p className="compare__reminder">
        {suggestsDoctor(last)
          ? t("compare.remind.doctor", { spot })
          : t("compare.remind.low", { spot, date: date(recheckDate(last), true) })}
      </p>
      <p className="result__explain">{t("compare.change")}</p>
      <div className="compare__actions">
        {onRetake ? (
          <button type="button" className="button button--primary" data-testid="retake" onClick={() => onRetake(last)}>
            {t("compare.retake")}
          </button>
        ) : null}
        <SpotExport spot={spot} checks={checks} />
      </div>
      <ReminderControls spot={spot} last={last} />
    </>
  );
}
