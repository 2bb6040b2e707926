import type { CSSProperties } from "react";
import { percent } from "./format";

interface Props {
  p: number;
  threshold: number;
  bands?: { medium: number; high: number } | undefined;
}

/** A scale from 0 to 100% with the risk-band zones, the decision threshold and a marker at the probability. */
export function ProbabilityMeter({ p, threshold, bands }: Props) {
  const pos = (v: number) => `${Math.min(Math.max(v, 0), 1) * 100}%`;
  const zones = bands
    ? ({ "--medium": pos(bands.medium), "--high": pos(bands.high) } as CSSProperties)
    : undefined;
  return (
    <div className="meter" aria-hidden="true">
      <div className={`meter__track${bands ? " meter__track--bands" : ""}`} style={zones}>
        <div className="meter__marker" style={{ left: pos(p) }} />
        <div className="meter__threshold" style={{ left: pos(threshold) }} title={`threshold ${percent(threshold)}`} />
      </div>
      <div className="meter__scale">
        <span>0%</span>
        <span className="meter__threshold-label" style={{ left: pos(threshold) }}>
          threshold {percent(threshold)}
        </span>
        <span>100%</span>
      </div>
    </div>
  );
}
