import { percent } from "../components/format";
import { LOCALES, useT } from "../i18n";
import type { Check } from "./check";

const W = 320;
const H = 120;
const PAD = { left: 34, right: 12, top: 16, bottom: 22 };
/** At most this many dates under the axis (first and last always), so they never overlap. */
const MAX_DATE_LABELS = 4;

/** Which points get a date under the axis: the first, the last, and evenly spaced ones between. */
export function labelledPoints(count: number, most = MAX_DATE_LABELS): number[] {
  if (count <= most) return [...Array(count).keys()];
  const step = (count - 1) / (most - 1);
  return [...new Set([...Array(most).keys()].map((k) => Math.round(k * step)))];
}

/**
 * The score of one spot over time, a small SVG line chart with the labelled doctor line. Checks
 * are evenly spaced (they are irregular; order matters more than gaps), with their dates under
 * the axis; each point has its date and value as a title.
 */
export function ScoreChart({ checks, spot }: { checks: Check[]; spot: string }) {
  const { t, date, lang } = useT();
  const shortDate = new Intl.DateTimeFormat(LOCALES[lang], { month: "short", day: "numeric" });
  const first = checks[0];
  const last = checks.at(-1);
  if (!first || !last) return null;
  const x = (i: number) =>
    PAD.left + (checks.length === 1 ? 0.5 : i / (checks.length - 1)) * (W - PAD.left - PAD.right);
  const y = (p: number) => PAD.top + (1 - Math.min(Math.max(p, 0), 1)) * (H - PAD.top - PAD.bottom);
  const line = checks
    .map((c, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(c.p_malignant).toFixed(1)}`)
    .join(" ");
  const dated = new Set(labelledPoints(checks.length));
  const label = `${t("compare.chart", { spot })}. ${t("compare.chart_summary", {
    count: checks.length,
    first: date(first.createdAt, true),
    last: date(last.createdAt, true),
  })}`;
  return (
    <svg className="score-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      {[0, 0.5, 1].map((v) => (
        <g key={v}>
          <line className="score-chart__grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text className="score-chart__axis" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
            {Math.round(v * 100)}
          </text>
        </g>
      ))}
      <line
        className="score-chart__threshold"
        x1={PAD.left}
        x2={W - PAD.right}
        y1={y(last.threshold)}
        y2={y(last.threshold)}
      />
      <text className="score-chart__threshold-label" x={W - PAD.right} y={y(last.threshold) - 4} textAnchor="end">
        {t("meter.threshold", { percent: percent(last.threshold) })}
      </text>
      <path className="score-chart__line" d={line} />
      {checks.map((c, i) => (
        <g key={c.id ?? i}>
          <circle className={`score-chart__point score-chart__point--${c.risk}`} cx={x(i)} cy={y(c.p_malignant)} r={5}>
            <title>{`${date(c.createdAt)}: ${Math.round(c.p_malignant * 100)}`}</title>
          </circle>
          {dated.has(i) ? (
            <text className="score-chart__axis" x={x(i)} y={H - 6} textAnchor="middle" data-testid="chart-date">
              {shortDate.format(c.createdAt)}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}
