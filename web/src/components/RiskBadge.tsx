import type { Risk } from "../api/types";
import { RISK_WORDS } from "./format";

const ICONS: Record<Risk, string> = { low: "●", medium: "▲", high: "◆" };

/** The risk band in words and colour (never colour alone), with a shape for each band. */
export function RiskBadge({ risk, size = "normal" }: { risk: Risk; size?: "normal" | "large" }) {
  return (
    <span className={`risk-badge risk-badge--${risk} risk-badge--${size}`} data-risk={risk}>
      <span className="risk-badge__icon" aria-hidden="true">
        {ICONS[risk]}
      </span>
      {RISK_WORDS[risk]}
    </span>
  );
}
