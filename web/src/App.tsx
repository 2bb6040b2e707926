import { useCallback, useEffect, useRef, useState } from "react";
import { checkPhoto, PageError, predict } from "./api/client";
import type { Prediction } from "./api/types";
import { Disclaimer } from "./components/Disclaimer";
import { ErrorMessage } from "./components/ErrorMessage";
import { LiveCamera } from "./components/LiveCamera";
import { type PhotoSource, PhotoPreview } from "./components/PhotoPreview";
import { ResultCard } from "./components/ResultCard";
import { UploadPanel } from "./components/UploadPanel";
import type { ModelCard } from "./inference/card";
import { decodePhoto, readPixels } from "./inference/decode";
import { API_BASE } from "./config";
import { fetchCard, sharedWorker } from "./inference/model";
import { MODEL_SIZE } from "./inference/preprocess";

type Status = "idle" | "analysing" | "done" | "error";

interface ShownError {
  code: string;
  message: string;
}

/** Above this the 224 px "what the model sees" thumbnail is skipped (the crop outline still shows). */
const MAX_THUMBNAIL_PIXELS = 16_000_000;

const CAMERA_CODES = new Set(["camera_refused", "camera_absent", "camera_busy", "camera_failed", "camera_insecure"]);

function toShownError(error: unknown): ShownError {
  if (error instanceof PageError) return { code: error.code, message: error.message };
  return { code: "unexpected", message: "Something went wrong. Please try again." };
}

export function App() {
  const [status, setStatus] = useState<Status>("idle");
  const [result, setResult] = useState<Prediction | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [photo, setPhoto] = useState<PhotoSource | null>(null);
  const [camera, setCamera] = useState(false);
  const [card, setCard] = useState<ModelCard | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const request = useRef<AbortController | null>(null);

  useEffect(() => {
    // The card gives the risk-band zones of the probability bar; the page works without it.
    fetchCard()
      .then(setCard)
      .catch(() => undefined);
  }, []);

  const photoUrl = photo?.url;
  useEffect(() => () => void (photoUrl && URL.revokeObjectURL(photoUrl)), [photoUrl]);

  useEffect(() => {
    // Move focus to the answer (and scroll it into view on a phone) once it is there.
    if (status === "done") resultRef.current?.focus();
  }, [status]);

  /** Send a photo (upload, drop, paste or captured frame) to the server and show the answer. */
  const analyse = useCallback(async (blob: Blob, name: string) => {
    request.current?.abort();
    const controller = new AbortController();
    request.current = controller;
    setResult(null);
    setError(null);
    setStatus("analysing");
    try {
      await checkPhoto(blob);
      const answer = await predict(blob, name, controller.signal);
      if (controller.signal.aborted) return;
      setResult(answer);
      setStatus("done");
    } catch (caught) {
      if (controller.signal.aborted) return;
      setError(toShownError(caught));
      setStatus("error");
    }
  }, []);

  /** Show the photo with its crop and the model's 224 px input (when this browser can decode it). */
  const preview = useCallback(async (blob: Blob, name: string) => {
    const url = URL.createObjectURL(blob);
    let bitmap: ImageBitmap;
    try {
      bitmap = await decodePhoto(blob);
    } catch {
      URL.revokeObjectURL(url);
      setPhoto(null);
      return;
    }
    const base: PhotoSource = {
      url,
      name,
      width: bitmap.width,
      height: bitmap.height,
      modelInput: null,
      modelSize: MODEL_SIZE,
    };
    setPhoto(base);
    if (bitmap.width * bitmap.height > MAX_THUMBNAIL_PIXELS) {
      bitmap.close(); // reading back a huge photo's pixels would cost hundreds of MB on a phone
      return;
    }
    try {
      const pixels = readPixels(bitmap, bitmap.width, bitmap.height);
      const modelInput = await sharedWorker().modelInput(pixels);
      setPhoto((current) => (current?.url === url ? { ...base, modelInput } : current));
    } catch {
      // The crop outline is still shown; only the 224 px thumbnail is missing.
    } finally {
      bitmap.close();
    }
  }, []);

  const onPhoto = useCallback(
    (file: File) => {
      setCamera(false);
      void preview(file, file.name);
      void analyse(file, file.name);
    },
    [analyse, preview],
  );

  const onCapture = useCallback(
    (frame: Blob) => {
      void analyse(frame, "camera-frame.png");
    },
    [analyse],
  );

  const onCameraError = useCallback((caught: PageError) => {
    setCamera(false);
    setError(toShownError(caught));
    setStatus("error");
  }, []);

  const startCamera = useCallback(() => {
    setError(null);
    setPhoto(null);
    setResult(null);
    setStatus("idle");
    setCamera(true);
  }, []);

  const stopCamera = useCallback(() => setCamera(false), []);

  useEffect(() => {
    // Paste a photo from the clipboard anywhere on the page.
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

  return (
    <div className="app">
      <header className="site-header">
        <div className="site-header__inner">
          <span className="logo" aria-hidden="true">
            <svg viewBox="0 0 32 32">
              <circle cx="16" cy="16" r="14" />
              <circle cx="16" cy="16" r="6" />
            </svg>
          </span>
          <div>
            <h1 className="site-header__title">skinscan</h1>
            <p className="site-header__tagline">Does a skin spot look benign or malignant? A second look, in seconds.</p>
          </div>
        </div>
      </header>

      <main className="layout">
        <Disclaimer />
        <section className="panel panel--input" aria-labelledby="input-heading">
          <h2 id="input-heading" className="panel__heading">
            {camera ? "Live camera" : "Your photo"}
          </h2>
          {camera ? (
            <LiveCamera onCapture={onCapture} onError={onCameraError} onStop={stopCamera} />
          ) : (
            <>
              <UploadPanel
                onPhoto={onPhoto}
                onStartCamera={startCamera}
                inputRef={inputRef}
                busy={status !== "idle"}
              />
              {photo ? <PhotoPreview photo={photo} /> : null}
            </>
          )}
        </section>

        <section className="panel panel--result" aria-labelledby="result-panel-heading">
          <h2 id="result-panel-heading" className="panel__heading">
            Result
          </h2>
          <div ref={resultRef} tabIndex={-1} className="result-slot" role="status" aria-live="polite" aria-busy={status === "analysing"}>
            {status === "idle" && (
              <p className="placeholder">
                Choose a photo or capture a camera frame: the answer appears here, with what it means and what to do.
              </p>
            )}
            {status === "analysing" && (
              <p className="loading" data-testid="loading">
                <span className="spinner" aria-hidden="true" /> Analysing the photo…
              </p>
            )}
            {status === "done" && result && <ResultCard result={result} card={card} />}
          </div>
          {status === "error" && error && (
            <ErrorMessage message={error.message} code={error.code}>
              {CAMERA_CODES.has(error.code) || error.code === "not_an_image" || error.code === "too_large" ? (
                <button type="button" className="button button--secondary" onClick={() => inputRef.current?.click()}>
                  {CAMERA_CODES.has(error.code) ? "Upload a photo instead" : "Choose another photo"}
                </button>
              ) : null}
            </ErrorMessage>
          )}
        </section>
      </main>

      <footer className="site-footer">
        <p>
          skinscan is open-source research software. The model was trained on public dermoscopy photos (ISIC); it has
          not been clinically validated. <a href={`${API_BASE}/docs`}>API documentation</a>
        </p>
      </footer>
    </div>
  );
}
