import type { Risk } from "../api/types";
import { useT } from "../i18n";

/** A shape per band, so the band never depends on colour alone. */
export const RISK_ICONS: Record<Risk, string> = { low: "●", medium: "▲", high: "◆" };

/** The risk band in plain words, colour and a shape. */
export function RiskBadge({ risk, size = "normal" }: { risk: Risk; size?: "normal" | "large" }) {
  const { t } = useT();
  return (
    <span className={`risk-badge risk-badge--${risk} risk-badge--${size}`} data-risk={risk}>
      <span className="risk-badge__icon" aria-hidden="true">
        {RISK_ICONS[risk]}
      </span>
      {t(`risk.${risk}`)}
    </span>
  );
}
