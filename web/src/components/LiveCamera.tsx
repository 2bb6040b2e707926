import { useCallback, useEffect, useRef, useState } from "react";
import { PageError } from "../api/client";
import type { Label, Risk } from "../api/types";
import { openRearCamera, stopStream } from "../camera/camera";
import { labelFor, riskFor } from "../inference/card";
import { canvasToPng, readPixels } from "../inference/decode";
import { loadModel } from "../inference/model";
import { CropFrame } from "./CropFrame";
import { LABEL_WORDS, percent } from "./format";
import { RiskBadge } from "./RiskBadge";

/** At most this many readings per second (saves battery; the contract asks for at least 10). */
const MAX_RATE = 20;

interface LiveReading {
  p: number;
  label: Label;
  risk: Risk;
  rate: number;
  frameMs: number;
  count: number;
}

export interface LiveStats {
  count: number;
  /** Per-frame times in ms: read pixels + crop/resize + model, as the page experiences them. */
  frameMs: number[];
  preprocessMs: number[];
  modelMs: number[];
  modelBytes: number;
  loadMs: number;
}

declare global {
  interface Window {
    /** Diagnostics for tests and the benchmark (no personal data). */
    __skinscanLive?: LiveStats;
  }
}

type Phase = "starting" | "loading-model" | "live" | "frozen" | "model-failed";

interface Props {
  onCapture: (frame: Blob, width: number, height: number) => void;
  onError: (error: PageError) => void;
  onStop: () => void;
}

/**
 * Rear camera + in-browser model: reads each frame's pixels, sends them to the inference worker
 * (same crop/resize as the server), shows the reading; Capture freezes the frame and hands it
 * (as lossless PNG) to the page, which asks the server for the full answer.
 */
export function LiveCamera({ onCapture, onError, onStop }: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const workCanvas = useRef<HTMLCanvasElement | null>(null);
  const frozenCanvas = useRef<HTMLCanvasElement>(null);
  const frozen = useRef(false);
  const [phase, setPhase] = useState<Phase>("starting");
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [reading, setReading] = useState<LiveReading | null>(null);
  const model = useRef<Awaited<ReturnType<typeof loadModel>> | null>(null);
  const stamps = useRef<number[]>([]);
  const alive = useRef(true);
  const looping = useRef(false);

  const classifyFrame = useCallback(async (source: HTMLVideoElement | HTMLCanvasElement, w: number, h: number) => {
    const loaded = model.current;
    if (!loaded) return null;
    const start = performance.now();
    workCanvas.current ??= document.createElement("canvas");
    const pixels = readPixels(source, w, h, workCanvas.current);
    const result = await loaded.worker.classify(pixels);
    const end = performance.now();
    const stats = window.__skinscanLive;
    if (stats) {
      stats.count += 1;
      stats.frameMs.push(end - start);
      stats.preprocessMs.push(result.preprocessMs);
      stats.modelMs.push(result.modelMs);
      if (stats.frameMs.length > 500) for (const a of [stats.frameMs, stats.preprocessMs, stats.modelMs]) a.shift();
    }
    return { ...result, frameMs: end - start, end };
  }, []);

  const showReading = useCallback((p: number, frameMs: number, end: number | null) => {
    const card = model.current?.card;
    if (!card) return;
    if (end !== null) {
      stamps.current.push(end);
      while (stamps.current.length > 11) stamps.current.shift();
    }
    const first = stamps.current[0] ?? 0;
    const span = ((stamps.current.at(-1) ?? first) - first) / 1000;
    const rate = stamps.current.length > 1 && span > 0 ? (stamps.current.length - 1) / span : 0;
    setReading((previous) => ({
      p,
      label: labelFor(card, p),
      risk: riskFor(card, p),
      rate: end === null ? (previous?.rate ?? 0) : rate,
      frameMs,
      count: (previous?.count ?? 0) + 1,
    }));
  }, []);

  /** Read, classify, show; as fast as the model allows, at most MAX_RATE a second; stops when frozen. */
  const runLoop = useCallback(async () => {
    if (looping.current) return;
    looping.current = true;
    try {
      while (alive.current && !frozen.current) {
        const started = performance.now();
        const video = videoRef.current;
        if (video && video.readyState >= 2 && video.videoWidth > 0) {
          const result = await classifyFrame(video, video.videoWidth, video.videoHeight);
          if (result && alive.current && !frozen.current) showReading(result.p, result.frameMs, result.end);
        }
        const wait = Math.max(0, 1000 / MAX_RATE - (performance.now() - started));
        await new Promise((resolve) => window.setTimeout(resolve, wait));
      }
    } catch (error) {
      console.error("live reading failed", error);
      if (alive.current) setPhase("model-failed");
    } finally {
      looping.current = false;
    }
  }, [classifyFrame, showReading]);

  useEffect(() => {
    alive.current = true;
    // Per-run flag: under StrictMode the effect runs twice, and the first run must not go on.
    let cancelled = false;
    let stream: MediaStream | null = null;
    const video = videoRef.current;
    window.__skinscanLive = { count: 0, frameMs: [], preprocessMs: [], modelMs: [], modelBytes: 0, loadMs: 0 };
    const onSize = () => {
      if (video?.videoWidth) setSize({ width: video.videoWidth, height: video.videoHeight });
    };

    (async () => {
      try {
        stream = await openRearCamera();
      } catch (error) {
        if (!cancelled) onError(error instanceof PageError ? error : new PageError("camera_failed", String(error)));
        return;
      }
      if (cancelled || !video) {
        stopStream(stream);
        return;
      }
      video.addEventListener("loadedmetadata", onSize);
      video.addEventListener("resize", onSize);
      video.srcObject = stream;
      // A muted inline video may autoplay; if play() is refused the frames still arrive.
      await video.play().catch(() => undefined);
      onSize();
      setPhase("loading-model");
      try {
        model.current = await loadModel((loaded, total) => setProgress({ loaded, total }));
      } catch (error) {
        console.error("model load failed", error);
        if (!cancelled) setPhase("model-failed");
        return;
      }
      const stats = window.__skinscanLive;
      if (stats) {
        stats.modelBytes = model.current.info.modelBytes;
        stats.loadMs = model.current.info.loadMs;
      }
      if (cancelled) return;
      setPhase(frozen.current ? "frozen" : "live");
      void runLoop();
    })();

    return () => {
      cancelled = true;
      alive.current = false;
      stopStream(stream);
      video?.removeEventListener("loadedmetadata", onSize);
      video?.removeEventListener("resize", onSize);
      if (video) video.srcObject = null;
    };
  }, [onError, runLoop]);

  const capture = async () => {
    const video = videoRef.current;
    const canvas = frozenCanvas.current;
    if (!video || !canvas || video.videoWidth === 0) return;
    frozen.current = true;
    setPhase("frozen");
    const w = video.videoWidth;
    const h = video.videoHeight;
    readPixels(video, w, h, canvas);
    onCapture(await canvasToPng(canvas), w, h);
    // The in-browser reading of exactly the frame that was sent, to compare with the server's.
    const result = await classifyFrame(canvas, w, h).catch(() => null);
    if (result && frozen.current) showReading(result.p, result.frameMs, null);
  };

  const resume = () => {
    frozen.current = false;
    stamps.current = [];
    setPhase(model.current ? "live" : "loading-model");
    if (model.current) void runLoop();
  };

  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return (
    <div className="live" data-phase={phase}>
      <div className="live__view">
        <CropFrame width={size?.width ?? 4} height={size?.height ?? 3} label="what the model sees">
          <video
            ref={videoRef}
            className="crop-frame__media"
            muted
            playsInline
            autoPlay
            aria-label="Live camera view"
            hidden={phase === "frozen"}
          />
          <canvas
            ref={frozenCanvas}
            className="crop-frame__media"
            hidden={phase !== "frozen"}
            role="img"
            aria-label="The captured frame"
          />
        </CropFrame>
      </div>
      <div
        className={`live-result${reading ? ` live-result--${reading.risk}` : ""}`}
        data-testid="live-result"
        data-state={phase}
        data-p-malignant={reading?.p}
        data-count={reading?.count ?? 0}
        aria-live="off"
      >
        {phase === "starting" && <span>Starting the camera…</span>}
        {phase === "loading-model" && (
          <span>
            Loading the model into this browser
            {progress && progress.total > 0 ? ` (${mb(progress.loaded)} of ${mb(progress.total)} MB)` : ""}…
          </span>
        )}
        {phase === "model-failed" && (
          <span>The in-browser model could not run here; Capture still asks the server.</span>
        )}
        {reading && (phase === "live" || phase === "frozen") && (
          <>
            <span className="live-result__kicker">{phase === "frozen" ? "Captured frame" : "Live reading"}</span>
            <span className="live-result__percent">{percent(reading.p)}</span>
            <span className="live-result__text">probability of malignant · looks {LABEL_WORDS[reading.label].toLowerCase()}</span>
            <RiskBadge risk={reading.risk} />
            {phase === "live" && (
              <span className="live-result__rate">
                {reading.rate.toFixed(0)} readings/s · {reading.frameMs.toFixed(0)} ms/frame · on this device
              </span>
            )}
          </>
        )}
        {phase === "live" && !reading && <span>Reading…</span>}
      </div>
      <div className="live__buttons">
        {phase === "frozen" ? (
          <button type="button" className="button button--secondary" onClick={resume}>
            Back to live view
          </button>
        ) : (
          <button
            type="button"
            className="button button--primary"
            data-testid="capture"
            onClick={() => void capture()}
            disabled={phase === "starting" || size === null}
          >
            Capture &amp; analyse
          </button>
        )}
        <button type="button" className="button button--ghost" onClick={onStop}>
          Stop camera
        </button>
      </div>
      <p className="live__hint">
        Hold the phone 10–15 cm from the spot, keep it inside the square, in focus and in good light. Live readings are
        computed on this device; Capture sends the frame to the server for the full answer.
      </p>
    </div>
  );
}
