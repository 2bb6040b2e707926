import { type RefObject, useCallback, useEffect, useRef } from "react";
import type { PageError } from "../api/client";
import { Guidance } from "../components/Guidance";
import type { Guide } from "../components/GhostGuide";
import { type LiveControls, LiveCamera } from "../components/LiveCamera";
import { type PhotoSource, PhotoPreview } from "../components/PhotoPreview";
import { Refusal } from "../components/Refusal";
import { UploadPanel } from "../components/UploadPanel";
import { useT } from "../i18n";
import { PageErrorNotice, REFUSAL_CODES } from "./notices";

/** The page is one column below 900 px (`$wide` in styles/_tokens.scss). */
const ONE_COLUMN = (): boolean => window.matchMedia?.("(max-width: 899.98px)").matches ?? false;

interface Props {
  camera: boolean;
  error: PageError | null;
  photo: PhotoSource | null;
  inputRef: RefObject<HTMLInputElement | null>;
  onPhoto: (file: File) => void;
  onStartCamera: () => void;
  onCapture: (frame: Blob) => void;
  onCameraError: (error: PageError) => void;
  onStopCamera: () => void;
  /** Back from a captured frame to the live view: clear that frame's answer or refusal. */
  onResumeCamera: () => void;
  /** Checking a saved spot again: its last photo as a guide over the live view. */
  guide?: Guide | null;
}

/**
 * Where the photo comes from: upload (with the photo tips and the crop preview) or the live
 * camera. Errors sit at the top of this panel, so on a phone they are on screen without scrolling.
 * "Try another photo" on a refusal goes back to the live view while the camera is on (the upload
 * input is not on screen then), and opens the photo picker otherwise.
 */
/**
 * Opening the camera removes the button that had focus: keep focus in the panel (its heading), not on
 * `<body>`. On a phone (one column) also bring the live view to the top of the screen, so the reading
 * and Capture are on it whatever the words' length above (issue 19 item 4).
 */
function useFocusOnCameraOpen(camera: boolean, headingRef: RefObject<HTMLHeadingElement | null>): void {
  const wasCamera = useRef(camera);
  useEffect(() => {
    if (camera && !wasCamera.current) {
      const heading = headingRef.current;
      if (ONE_COLUMN()) {
        heading?.focus({ preventScroll: true });
        heading?.scrollIntoView?.({ block: "start" });
      } else {
        heading?.focus();
      }
    }
    wasCamera.current = camera;
  }, [camera, headingRef]);
}

export function PhotoPanel(props: Props) {
  const {
    camera,
    error,
    photo,
    inputRef,
    onPhoto,
    onStartCamera,
    onCapture,
    onCameraError,
    onStopCamera,
    onResumeCamera,
    guide = null,
  } = props;
  const { t } = useT();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const liveRef = useRef<LiveControls>(null);
  const onResume = useCallback(() => {
    onResumeCamera();
    // The focused button (Back, or the refusal's Try another photo) goes away: keep focus in the panel.
    headingRef.current?.focus();
  }, [onResumeCamera]);
  const retry = () => (camera && liveRef.current ? liveRef.current.resume() : inputRef.current?.click());
  useFocusOnCameraOpen(camera, headingRef);
  return (
    <section className="panel panel--input" aria-labelledby="input-heading">
      <h2 id="input-heading" ref={headingRef} tabIndex={-1} className="panel__heading">
        {camera ? t("input.heading_live") : t("input.heading")}
      </h2>
      {error && REFUSAL_CODES.has(error.code) ? (
        <Refusal code={error.code} reasons={error.reasons} onRetry={retry} />
      ) : null}
      {error && !REFUSAL_CODES.has(error.code) ? <PageErrorNotice error={error} inputRef={inputRef} /> : null}
      {camera ? (
        <LiveCamera
          ref={liveRef}
          onCapture={onCapture}
          onError={onCameraError}
          onStop={onStopCamera}
          onResume={onResume}
          guide={guide}
        />
      ) : (
        <>
          <UploadPanel onPhoto={onPhoto} onStartCamera={onStartCamera} inputRef={inputRef} hasPhoto={photo !== null} />
          <Guidance />
          {photo ? <PhotoPreview photo={photo} /> : null}
        </>
      )}
    </section>
  );
}
