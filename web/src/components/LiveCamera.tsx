import { type Ref, useCallback, useImperativeHandle, useState } from "react";
import type { PageError } from "../api/client";
import { useLiveReadings } from "../camera/useLiveReadings";
import { AbcdeGuide } from "../abcde/AbcdeGuide";
import { useCard } from "./useCard";
import { useT } from "../i18n";
import { CropFrame } from "./CropFrame";
import { GhostGuide, type Guide } from "./GhostGuide";
import { LiveEvidence } from "./LiveEvidence";
import { LiveResult } from "./LiveResult";

/** What the page may ask of the live view: e.g. "Try another photo" on a refused capture. */
export interface LiveControls {
  /** Leave the frozen frame for the live view again (as "Back to live view" does). */
  resume: () => void;
}

interface Props {
  onCapture: (frame: Blob, width: number, height: number) => void;
  onError: (error: PageError) => void;
  onStop: () => void;
  /** Back to the live view: the captured frame's server answer (or refusal) no longer applies. */
  onResume: () => void;
  /** When checking a saved spot again: its last photo, shown faintly over the view. */
  guide?: Guide | null;
  ref?: Ref<LiveControls>;
}

/**
 * The live camera view: the rear camera with the model's square outlined (and, on request, the
 * evidence map over it), the steady reading or the refusal, and the buttons. The work is in
 * useLiveReadings(); Capture is offered only while the view can be judged (state `reading`).
 */
export function LiveCamera({ onCapture, onError, onStop, onResume, guide = null, ref }: Props) {
  const { t, date } = useT();
  const card = useCard();
  const [showGuide, setShowGuide] = useState(true);
  const live = useLiveReadings(onCapture, onError);
  const [heatmap, setHeatmap] = useState(false);
  const { phase, frameSize, steady, evidence, resume, stats, captured, progress, videoRef, frozenRef } = live;
  const back = useCallback(() => {
    resume();
    onResume();
  }, [resume, onResume]);
  useImperativeHandle(ref, () => ({ resume: back }), [back]);
  const canCapture = (phase === "live" && steady.state === "reading") || phase === "model-failed";
  return (
    <div className="live" data-phase={phase}>
      <div className="live__view">
        <CropFrame width={frameSize?.width ?? 4} height={frameSize?.height ?? 3} label={t("preview.crop")}>
          <video
            ref={videoRef}
            className="crop-frame__media"
            muted
            playsInline
            autoPlay
            aria-label={t("live.view")}
            hidden={phase === "frozen"}
          />
          <canvas
            ref={frozenRef}
            className="crop-frame__media"
            hidden={phase !== "frozen"}
            role="img"
            aria-label={t("live.captured_alt")}
          />
          {guide && showGuide && phase === "live" ? (
            <GhostGuide guide={guide} width={frameSize?.width ?? 4} height={frameSize?.height ?? 3} />
          ) : null}
          {heatmap && evidence && frameSize && phase === "live" ? (
            <LiveEvidence grid={evidence} width={frameSize.width} height={frameSize.height} />
          ) : null}
        </CropFrame>
      </div>
      <LiveResult card={card} phase={phase} steady={steady} stats={stats} captured={captured} progress={progress} />
      <div className="live__buttons">
        {phase === "frozen" ? (
          <button type="button" className="button button--secondary" onClick={back}>
            {t("live.back")}
          </button>
        ) : canCapture ? (
          <button
            type="button"
            className="button button--primary"
            data-testid="capture"
            onClick={() => void live.capture()}
          >
            {t("live.capture")}
          </button>
        ) : null}
        {phase === "live" && evidence ? <HeatmapToggle checked={heatmap} onChange={setHeatmap} /> : null}
        <button type="button" className="button button--ghost" onClick={onStop}>
          {t("live.stop")}
        </button>
      </div>
      {guide ? (
        <div className="live__guide">
          <p>{t("ghost.label", { spot: guide.spot, date: date(guide.createdAt, true) })}</p>
          <label className="live__toggle">
            <input
              type="checkbox"
              data-testid="ghost-toggle"
              checked={showGuide}
              onChange={(event) => setShowGuide(event.currentTarget.checked)}
            />
            {t("ghost.toggle")}
          </label>
        </div>
      ) : null}
      <p className="live__hint">{t("live.hint")}</p>
      <AbcdeGuide />
    </div>
  );
}

function HeatmapToggle({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  const { t } = useT();
  return (
    <label className="live__toggle">
      <input
        type="checkbox"
        data-testid="heatmap-toggle"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      {t("live.heatmap_show")}
    </label>
  );
}
