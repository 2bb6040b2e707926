import type { FrameStats, LivePhase } from "../camera/useLiveReadings";
import type { Steady } from "../camera/steady";
import type { Risk } from "../api/types";
import { isMessageKey, useT } from "../i18n";
import { type ModelCard, riskFor } from "../inference/card";
import type { Reading } from "../inference/model";
import { percent } from "./format";

interface Props {
  /**
   * The card's bands: without steady.ts's band (hysteresis) the reading's band comes from them, so a
   * reading is worded exactly as an upload's answer.
   */
  card?: ModelCard | null;
  phase: LivePhase;
  steady: Steady;
  stats: FrameStats | null;
  captured: Reading | null;
  progress: { loaded: number; total: number } | null;
}

/** The hint for each reason code (`hint.<reason>`), without repeats. */
export function RefusalHints({ reasons }: { reasons: readonly string[] }) {
  const { t } = useT();
  const keys = [...new Set(reasons)].map((r) => `hint.${r}`).filter(isMessageKey);
  return (
    <ul className="live-result__hints">
      {keys.map((key) => (
        <li key={key}>{t(key)}</li>
      ))}
    </ul>
  );
}

/** What the live view shows: the machine state as data attributes, the words for people. */
function attributes(phase: LivePhase, steady: Steady, stats: FrameStats | null, captured: Reading | null) {
  // Frozen: only the captured frame's own reading (nothing until it is there), never the smoothed one.
  const frozen = phase === "frozen";
  const decision = frozen ? (captured?.decision ?? null) : null;
  const state = frozen ? (decision ? (decision.kind === "answer" ? "reading" : "refused") : null) : steady.state;
  const p = frozen ? (decision?.kind === "answer" ? decision.p : null) : steady.p;
  const label = frozen ? (decision?.kind === "answer" ? decision.label : null) : steady.label;
  const band = frozen ? (decision?.kind === "answer" ? decision.risk : null) : steady.band;
  const pDermoscopic = frozen ? (captured?.pDermoscopic ?? null) : steady.pDermoscopic;
  const reasons = frozen ? (decision?.kind === "refused" ? decision.reasons : []) : (steady.refusal?.reasons ?? []);
  return {
    "data-phase": phase,
    "data-state": state ?? undefined,
    "data-label": label ?? "",
    "data-p-malignant": p ?? undefined,
    // the shown risk band (steady.ts: with hysteresis) and model 3's p_dermoscopic, for the wording and tests
    "data-band": band ?? "",
    "data-p-dermoscopic": pDermoscopic ?? undefined,
    "data-settled": String(frozen ? true : steady.settled),
    "data-reasons": reasons.join(" "),
    "data-count": stats?.count ?? 0,
    "data-frame-ms": stats ? stats.frameMs.toFixed(2) : undefined,
    "data-model-ms": stats ? stats.modelMs.toFixed(2) : undefined,
    "data-preprocess-ms": stats ? stats.preprocessMs.toFixed(2) : undefined,
  };
}

function Loading({ phase, progress }: Pick<Props, "phase" | "progress">) {
  const { t } = useT();
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  if (phase === "starting") return <span>{t("live.starting")}</span>;
  if (phase === "model-failed") return <span>{t("live.model_failed")}</span>;
  return (
    <span>
      {progress && progress.total > 0
        ? t("live.loading_progress", { loaded: mb(progress.loaded), total: mb(progress.total) })
        : t("live.loading")}
    </span>
  );
}

/** A settled reading's band: the same three bands, and the same words, as an upload's answer. */
function Answer({ p, risk, kicker }: { p: number; risk: Risk | null; kicker: string }) {
  const { t } = useT();
  return (
    <>
      <span className="live-result__kicker">{kicker}</span>
      <span className="live-result__percent">{percent(p)}</span>
      <span className="live-result__text">{t("live.score")}</span>
      {risk ? (
        <span className={`live-result__label live-result__label--${risk}`} data-testid="live-band" data-risk={risk}>
          {t(`result.headline.${risk}`)}
        </span>
      ) : (
        <span className="live-result__steady" data-testid="hold-steady">
          {t("live.hold_steady")}
        </span>
      )}
    </>
  );
}

/** `[data-testid="live-result"]`: state `reading` | `refused`, the steady reading or the hints. */
export function LiveResult({ card = null, phase, steady, stats, captured, progress }: Props) {
  const { t } = useT();
  const attrs = attributes(phase, steady, stats, captured);
  const frozenDecision = phase === "frozen" ? captured?.decision : undefined;
  const steadyRisk = !steady.settled
    ? null
    : (steady.band ?? (card && steady.p !== null ? riskFor(card, steady.p) : null));
  const announce =
    attrs["data-state"] === "refused"
      ? t("live.refused")
      : steadyRisk
        ? t("live.sr_band", { band: t(`result.headline.${steadyRisk}`) })
        : "";
  let body;
  if (phase === "starting" || phase === "loading-model" || phase === "model-failed") {
    body = <Loading phase={phase} progress={progress} />;
  } else if (frozenDecision?.kind === "answer") {
    body = <Answer p={frozenDecision.p} risk={frozenDecision.risk} kicker={t("live.captured")} />;
  } else if (frozenDecision?.kind === "refused") {
    body = (
      <>
        <span className="live-result__kicker">{t("live.captured_refused")}</span>
        <RefusalHints reasons={frozenDecision.reasons} />
      </>
    );
  } else if (phase === "live" && steady.state === "refused") {
    body = (
      <>
        <span className="live-result__kicker">{t("live.refused")}</span>
        <RefusalHints reasons={steady.refusal?.reasons ?? []} />
      </>
    );
  } else if (phase === "live" && steady.p !== null) {
    body = <Answer p={steady.p} risk={steadyRisk} kicker={t("live.reading")} />;
  } else {
    body = <span>{t("live.waiting")}</span>;
  }
  const label = attrs["data-label"];
  const modifier = attrs["data-state"] === "refused" ? " live-result--refused" : label ? ` live-result--${label}` : "";
  return (
    <div className={`live-result${modifier}`} data-testid="live-result" {...attrs} aria-live="off">
      {body}
      {phase === "live" && stats && <span className="live-result__rate">{t("live.on_device")}</span>}
      <span className="visually-hidden" role="status">
        {phase === "live" ? announce : ""}
      </span>
    </div>
  );
}
