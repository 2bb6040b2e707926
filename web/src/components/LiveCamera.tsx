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
  const { t } = useT();
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
      <LiveButtons
        phase={phase}
        canCapture={canCapture}
        onBack={back}
        onCapture={() => void live.capture()}
        heatmap={phase === "live" && evidence ? { checked: heatmap, onChange: setHeatmap } : null}
        onStop={onStop}
      />
      {guide ? <GuideNote guide={guide} shown={showGuide} onChange={setShowGuide} /> : null}
      <p className="live__hint">{t("live.hint")}</p>
      <AbcdeGuide />
    </div>
  );
}

interface ButtonsProps {
  phase: string;
  canCapture: boolean;
  onBack: () => void;
  onCapture: () => void;
  /** The evidence-map switch, when there is an evidence map to show. */
  heatmap: { checked: boolean; onChange: (checked: boolean) => void } | null;
  onStop: () => void;
}

/** Back to live view (frozen) or Capture (when the view can be judged); the map switch; Stop. */
function LiveButtons({ phase, canCapture, onBack, onCapture, heatmap, onStop }: ButtonsProps) {
  const { t } = useT();
  return (
    <div className="live__buttons">
      {phase === "frozen" ? (
        <button type="button" className="button button--secondary" onClick={onBack}>
          {t("live.back")}
        </button>
      ) : canCapture ? (
        <button type="button" className="button button--primary" data-testid="capture" onClick={onCapture}>
          {t("live.capture")}
        </button>
      ) : null}
      {heatmap ? <HeatmapToggle checked={heatmap.checked} onChange={heatmap.onChange} /> : null}
      <button type="button" className="button button--ghost" onClick={onStop}>
        {t("live.stop")}
      </button>
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

/** Which saved check the faint guide comes from, and the switch that hides it. */
function GuideNote({ guide, shown, onChange }: { guide: Guide; shown: boolean; onChange: (shown: boolean) => void }) {
  const { t, date } = useT();
  return (
    <div className="live__guide">
      <p>{t("ghost.label", { spot: guide.spot, date: date(guide.createdAt, true) })}</p>
      <label className="live__toggle">
        <input
          type="checkbox"
          data-testid="ghost-toggle"
          checked={shown}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
        {t("ghost.toggle")}
      </label>
    </div>
  );
}
