import { useId, useState } from "react";
import { percent } from "../components/format";
import { RiskBadge } from "../components/RiskBadge";
import { useT } from "../i18n";
import { type Check, suggestsDoctor } from "./check";
import { ScoreChart } from "./ScoreChart";

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
export function ComparePanel({ checks }: { checks: Check[] }) {
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
          <SpotTimeline spot={spot} checks={list} />
        </>
      ) : null}
    </section>
  );
}

function SpotTimeline({ spot, checks }: { spot: string; checks: Check[] }) {
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
      <ScoreChart checks={checks} spot={spot} />
      <p className="compare__reminder">
        {suggestsDoctor(last)
          ? t("compare.remind.doctor", { spot })
          : t("compare.remind.low", { spot, date: date(recheckDate(last), true) })}
      </p>
      <p className="result__explain">{t("compare.change")}</p>
    </>
  );
}
