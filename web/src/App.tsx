import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { PageError } from "./api/client";
import { PhotoPanel } from "./app/PhotoPanel";
import { REFUSAL_CODES } from "./app/notices";
import { ResultPanel } from "./app/ResultPanel";
import { SiteHeader } from "./app/SiteHeader";
import { useAnalysis } from "./app/useAnalysis";
import { useCard } from "./components/useCard";
import { BodyMapPanel } from "./bodymap/BodyMapPanel";
import type { Place } from "./bodymap/regions";
import { Disclaimer } from "./components/Disclaimer";
import { FiguresProvider } from "./components/ModelFigures";
import { SiteFooter } from "./components/SiteFooter";
import type { PhotoSource } from "./components/PhotoPreview";
import type { Guide } from "./components/GhostGuide";
import { type Check, checkFrom } from "./history/check";
import { thumbnailUrl } from "./history/thumbnail";
import { ComparePanel, spotsOf } from "./history/ComparePanel";
import { HistoryPanel } from "./history/HistoryPanel";
import { useHistory } from "./history/useHistory";
import { I18nProvider } from "./i18n";
import { OfflineNotice } from "./app/OfflineNotice";
import { AnswersProvider } from "./questions/AnswersContext";
import { QuestionsStep } from "./questions/QuestionsStep";

export function App() {
  return (
    <I18nProvider>
      <AnswersProvider>
        <FiguresProvider>
          <Page />
        </FiguresProvider>
      </AnswersProvider>
    </I18nProvider>
  );
}

/** The picture a saved check keeps: the model's square, else the centred square drawn without the card. */
function useThumbnail(photo: PhotoSource | null): string | null {
  return useMemo(
    () => (photo?.modelInput ? thumbnailUrl(photo.modelInput, photo.modelSize) : (photo?.squareThumbnail ?? null)),
    [photo],
  );
}

/** Paste a photo from the clipboard anywhere on the page. */
function usePaste(onPhoto: (file: File) => void) {
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = Array.from(event.clipboardData?.files ?? []).find((f) => f.type.startsWith("image/"));
      if (file) {
        event.preventDefault();
        onPhoto(file);
      }
    };
    window.addEventListener("paste", onPaste);
    return () => window.removeEventListener("paste", onPaste);
  }, [onPhoto]);
}

/** The photo controls' state: the camera on or off, the spot being checked again, and the handlers. */
function useCameraFlow(
  analyse: (blob: Blob, name: string) => Promise<unknown>,
  fail: (error: PageError) => void,
  reset: () => void,
) {
  const [camera, setCamera] = useState(false);
  /** Checking a saved spot again: its last check (the guide over the live view, the name to save under). */
  const [retake, setRetake] = useState<Check | null>(null);
  const onPhoto = useCallback(
    (file: File) => {
      setCamera(false);
      setRetake(null);
      void analyse(file, file.name);
    },
    [analyse],
  );
  usePaste(onPhoto);
  const onCapture = useCallback((frame: Blob) => void analyse(frame, "camera-frame.png"), [analyse]);
  const onCameraError = useCallback(
    (caught: PageError) => {
      setCamera(false);
      fail(caught);
    },
    [fail],
  );
  const startCamera = useCallback(() => {
    reset();
    setRetake(null);
    setCamera(true);
  }, [reset]);
  const retakeSpot = useCallback(
    (last: Check) => {
      reset();
      setRetake(last);
      setCamera(true);
      document.getElementById("input-heading")?.scrollIntoView({ block: "start" });
    },
    [reset],
  );
  const guide = useMemo<Guide | null>(
    () => (retake?.thumbnail ? { src: retake.thumbnail, spot: retake.spot, createdAt: retake.createdAt } : null),
    [retake],
  );
  const stopCamera = useCallback(() => {
    setCamera(false);
    // Keep keyboard focus in place: back on the button that opens the camera again.
    window.setTimeout(() => document.querySelector<HTMLElement>('[data-testid="camera-start"]')?.focus());
  }, []);
  return { camera, retake, guide, onPhoto, onCapture, onCameraError, startCamera, retakeSpot, stopCamera };
}

function Page() {
  const { status, result, checkedAt, error, photo, analyse, fail, reset } = useAnalysis();
  const history = useHistory();
  const card = useCard();
  const { camera, retake, guide, onPhoto, onCapture, onCameraError, startCamera, retakeSpot, stopCamera } =
    useCameraFlow(analyse, fail, reset);
  const inputRef = useRef<HTMLInputElement>(null);
  const thumbnail = useThumbnail(photo);
  const knownSpots = useMemo(() => [...spotsOf(history.checks).keys()], [history.checks]);
  const save = (spot: string, place: Place | null) =>
    result ? history.save(checkFrom(result, thumbnail, checkedAt, spot, place)) : Promise.resolve();

  return (
    <div className="app">
      <SiteHeader />
      <main className="layout">
        <Disclaimer />
        <OfflineNotice />
        <QuestionsStep spec={card?.questionnaire ?? null} />
        <PhotoPanel
          camera={camera}
          error={status === "error" ? error : null}
          photo={photo}
          inputRef={inputRef}
          onPhoto={onPhoto}
          onStartCamera={startCamera}
          onCapture={onCapture}
          onCameraError={onCameraError}
          onStopCamera={stopCamera}
          onResumeCamera={reset}
          guide={camera ? guide : null}
        />
        <ResultPanel
          status={status}
          refused={status === "error" && error !== null && REFUSAL_CODES.has(error.code)}
          result={result}
          checkedAt={checkedAt}
          card={card}
          thumbnail={thumbnail}
          knownSpots={knownSpots}
          onSave={save}
          retakeSpot={retake?.spot}
        />
        <HistoryPanel history={history} />
        <ComparePanel checks={history.checks} onRetake={retakeSpot} />
        <BodyMapPanel checks={history.checks} />
      </main>
      <SiteFooter card={card} />
    </div>
  );
}
