import type { CSSProperties } from "react";
import { useT } from "../i18n";
import { percent } from "./format";

interface Props {
  p: number;
  threshold: number;
  bands?: { medium: number; high: number } | undefined;
}

const clamp = (v: number) => Math.min(Math.max(v, 0), 1);
const pos = (v: number) => `${clamp(v) * 100}%`;

/**
 * The score on a 0-100 scale: the three bands as zones told apart by pattern, a gap and a word as
 * well as colour (each zone >= 3:1 against the white page), the line from which a doctor is
 * suggested, and a marker at this photo's score. The same facts are in the card's text, so
 * the drawing is hidden from screen readers.
 */
export function ProbabilityMeter({ p, threshold, bands }: Props) {
  const { t } = useT();
  const zones = bands
    ? (
        [
          ["low", 0, bands.medium],
          ["medium", bands.medium, bands.high],
          ["high", bands.high, 1],
        ] as const
      ).filter(([, from, to]) => to > from)
    : [];
  return (
    <div className="meter" aria-hidden="true">
      <div className="meter__you" style={{ "--at": pos(p) } as CSSProperties}>
        <span className="meter__you-label">{t("meter.you", { percent: percent(p) })}</span>
      </div>
      <div className="meter__track">
        {zones.map(([name, from, to]) => (
          <div
            key={name}
            className={`meter__zone meter__zone--${name}`}
            style={{ left: pos(from), width: pos(to - from) }}
          >
            <span className="meter__zone-label">{t(`meter.zone.${name}`)}</span>
          </div>
        ))}
        <div className="meter__threshold" style={{ left: pos(threshold) }} />
        <div className="meter__marker" style={{ left: pos(p) }} />
      </div>
      <div className="meter__scale">
        <span>0</span>
        <span className="meter__threshold-label" style={{ "--at": pos(threshold) } as CSSProperties}>
          {t("meter.threshold", { percent: percent(threshold) })}
        </span>
        <span>100</span>
      </div>
    </div>
  );
}
