import { percent } from "../components/format";
import { useT } from "../i18n";
import type { Check } from "./check";

const W = 480;
const H = 200;
const PAD = { left: 40, right: 14, top: 30, bottom: 34 };
/** Room for one date label under the axis, in chart units (dates that would overlap are left out). */
const DATE_LABEL_WIDTH = 82;

type Scale = (value: number) => number;

/** Which checks get a date under the axis: the last always, the others where they leave room for their neighbours. */
function datedChecks(checks: Check[], x: Scale): Set<number> {
  const lastX = x(checks.at(-1)!.createdAt);
  const dated = new Set<number>([checks.length - 1]);
  let previous = -Infinity;
  checks.forEach((check, i) => {
    const at = x(check.createdAt);
    if (at - previous >= DATE_LABEL_WIDTH && lastX - at >= DATE_LABEL_WIDTH) {
      dated.add(i);
      previous = at;
    }
  });
  return dated;
}

/** The legend naming the score line, and the 0 %, 50 % and 100 % grid lines with their labels. */
function ChartFrame({ y }: { y: Scale }) {
  const { t } = useT();
  return (
    <>
      <g className="score-chart__legend" aria-hidden="true">
        <line className="score-chart__line" x1={PAD.left} x2={PAD.left + 22} y1={12} y2={12} />
        <text className="score-chart__label" x={PAD.left + 28} y={16}>
          {t("compare.score_line")}
        </text>
      </g>
      {[0, 0.5, 1].map((v) => (
        <g key={v}>
          <line className="score-chart__grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text className="score-chart__axis" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
            {`${Math.round(v * 100)}%`}
          </text>
        </g>
      ))}
    </>
  );
}

/** The doctor line at the threshold, labelled (below the line when it is too near the top). */
function DoctorLine({ threshold, y }: { threshold: number; y: Scale }) {
  const { t } = useT();
  const thresholdY = y(threshold);
  return (
    <>
      <line className="score-chart__threshold" x1={PAD.left} x2={W - PAD.right} y1={thresholdY} y2={thresholdY} />
      <text
        className="score-chart__label score-chart__label--threshold"
        x={PAD.left + 4}
        y={thresholdY + (thresholdY < PAD.top + 14 ? 14 : -5)}
      >
        {t("compare.doctor_line_short", { percent: percent(threshold) })}
      </text>
    </>
  );
}

/** One point per check (date and score as its title), and the dates chosen by datedChecks under the axis. */
function ChartPoints({ checks, x, y }: { checks: Check[]; x: Scale; y: Scale }) {
  const { date } = useT();
  const dated = datedChecks(checks, x);
  return checks.map((c, i) => (
    <g key={c.id ?? i}>
      <circle
        className={`score-chart__point score-chart__point--${c.risk}`}
        cx={x(c.createdAt)}
        cy={y(c.p_malignant)}
        r={5}
      >
        <title>{`${date(c.createdAt)}: ${percent(c.p_malignant)}`}</title>
      </circle>
      {dated.has(i) ? (
        <text
          className="score-chart__axis score-chart__date"
          x={x(c.createdAt)}
          y={H - 12}
          textAnchor={checks.length === 1 ? "middle" : i === checks.length - 1 ? "end" : i === 0 ? "start" : "middle"}
        >
          {date(c.createdAt, true)}
        </text>
      ) : null}
    </g>
  ));
}

/**
 * The score of one spot over time, an SVG line chart: the checks placed by date on the time axis
 * (the first and last dates always written), the score line named in its legend, and the doctor
 * line labelled. Each point has its date and value as a title; the table of checks beside it
 * carries the same facts for screen readers.
 */
export function ScoreChart({ checks, spot }: { checks: Check[]; spot: string }) {
  const { t, date } = useT();
  const first = checks[0];
  const last = checks.at(-1);
  if (!first || !last) return null;
  const span = last.createdAt - first.createdAt;
  const x = (at: number) => PAD.left + (span <= 0 ? 0.5 : (at - first.createdAt) / span) * (W - PAD.left - PAD.right);
  const y = (p: number) => PAD.top + (1 - Math.min(Math.max(p, 0), 1)) * (H - PAD.top - PAD.bottom);
  const line = checks
    .map((c, i) => `${i === 0 ? "M" : "L"}${x(c.createdAt).toFixed(1)},${y(c.p_malignant).toFixed(1)}`)
    .join(" ");
  const label = `${t("compare.chart", { spot })}. ${t("compare.chart_summary", {
    count: checks.length,
    first: date(first.createdAt, true),
    last: date(last.createdAt, true),
  })}`;
  return (
    <svg className="score-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid="score-chart">
      <ChartFrame y={y} />
      <DoctorLine threshold={last.threshold} y={y} />
      <path className="score-chart__line" d={line} />
      <ChartPoints checks={checks} x={x} y={y} />
      <text className="score-chart__axis" x={(PAD.left + W - PAD.right) / 2} y={H - 1} textAnchor="middle">
        {t("compare.axis_date")}
      </text>
    </svg>
  );
}
