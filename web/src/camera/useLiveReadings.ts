/**
 * The live camera's readings, without any markup: the rear camera's frames go to the in-browser
 * model (same crop/resize and decision as the server), and come back as a steady state (steady.ts):
 * `reading` with a smoothed probability and a label that does not flicker, or `refused` with the
 * reasons. Capture freezes a frame, hands it (lossless PNG) to the page for the server, and reads
 * that exact frame in the browser too.
 *
 * With a model that takes `views` (model 3), each live frame is read in ONE of the 8 mirror/turn
 * views, cycling 0, 1, ..., 7, 0, ...: a frame costs one model run, and the smoothing (steady.ts,
 * three cycles of 8 frames) averages the views as the model's own 8-view answer does. A captured frame
 * is read in all 8 views, as the server reads it. A model without `views` (2.0) reads each frame once.
 */
import { type RefObject, useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from "react";
import { PageError } from "../api/client";
import { canvasToPng, readPixels } from "../inference/decode";
import { type LoadedModel, loadModel, type Reading } from "../inference/model";
import type { EvidenceGrid } from "../inference/protocol";
import { openRearCamera, stopStream } from "./camera";
import { EMPTY_STEADY, nextSteady, type Steady } from "./steady";
import { useAnswers } from "../questions/AnswersContext";
import { withAnswers } from "../questions/live";
import type { Answers } from "../questions/combine";
import type { LiveRule } from "../questions/live";
import { VIEW_COUNT } from "../inference/views";

/** At most this many readings per second (saves battery). */
const MAX_RATE = 20;
/** Readings per second are measured over this many frames. */
const RATE_FRAMES = 10;

export type LivePhase = "starting" | "loading-model" | "live" | "frozen" | "model-failed";

export interface FrameStats {
  /** Frames read since the camera started (or since Back to live view). */
  count: number;
  /** The last frame, as the page waited for it: read pixels + crop/resize + model. */
  frameMs: number;
  preprocessMs: number;
  modelMs: number;
  /** Readings per second over the last frames. */
  rate: number;
}

interface Live {
  steady: Steady;
  /** The last answered frame's evidence (null while refused). */
  evidence: EvidenceGrid | null;
  stats: FrameStats | null;
  stamps: number[];
}

const EMPTY_LIVE: Live = { steady: EMPTY_STEADY, evidence: null, stats: null, stamps: [] };

type Action =
  | { type: "frame"; reading: Reading; frameMs: number; at: number; rule: LiveRule; answers?: Answers }
  | { type: "reset" };

function liveReducer(live: Live, action: Action): Live {
  if (action.type === "reset") return EMPTY_LIVE;
  const { reading, frameMs, at, rule } = action;
  // The questionnaire's answers move each answered frame's p (the combination is a shift in logits,
  // so the smoothed reading moves exactly as the server's answer would).
  const decision = withAnswers(reading.decision, rule, action.answers ?? {});
  const steady = nextSteady(live.steady, { decision, pDermoscopic: reading.pDermoscopic }, rule);
  const stamps = [...live.stamps, at].slice(-(RATE_FRAMES + 1));
  const span = ((stamps.at(-1) ?? at) - (stamps[0] ?? at)) / 1000;
  const rate = span > 0 ? (stamps.length - 1) / span : 0;
  const stats = {
    count: (live.stats?.count ?? 0) + 1,
    frameMs,
    preprocessMs: reading.preprocessMs,
    modelMs: reading.modelMs,
    rate,
  };
  const evidence = steady.state === "refused" ? null : (reading.evidence ?? live.evidence);
  return { steady, evidence, stats, stamps };
}

/** Open the rear camera into `videoRef`; report its frame size. Errors go to `onError`. */
function useCamera(videoRef: RefObject<HTMLVideoElement | null>, onError: (error: PageError) => void) {
  const [frameSize, setFrameSize] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    // Per-run flag: under StrictMode the effect runs twice, and the first run must not go on.
    let cancelled = false;
    let stream: MediaStream | null = null;
    const video = videoRef.current;
    const onSize = () => {
      if (video?.videoWidth) setFrameSize({ width: video.videoWidth, height: video.videoHeight });
    };
    (async () => {
      try {
        stream = await openRearCamera();
      } catch (error) {
        if (!cancelled) onError(error instanceof PageError ? error : new PageError("camera_failed"));
        return;
      }
      if (cancelled || !video) return stopStream(stream);
      video.addEventListener("loadedmetadata", onSize);
      video.addEventListener("resize", onSize);
      video.srcObject = stream;
      // A muted inline video may autoplay; if play() is refused the frames still arrive.
      await video.play().catch(() => undefined);
      if (!cancelled) onSize();
    })();
    return () => {
      cancelled = true;
      stopStream(stream);
      video?.removeEventListener("loadedmetadata", onSize);
      video?.removeEventListener("resize", onSize);
      if (video) video.srcObject = null;
    };
  }, [videoRef, onError]);
  return frameSize;
}

/** The shared in-browser model, loaded when the live view opens. */
function useModel() {
  const [model, setModel] = useState<LoadedModel | null>(null);
  const [failed, setFailed] = useState(false);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  useEffect(() => {
    let cancelled = false;
    loadModel((loaded, total) => !cancelled && setProgress({ loaded, total })).then(
      (loaded) => !cancelled && setModel(loaded),
      (error: unknown) => {
        console.error("model load failed", error);
        if (!cancelled) setFailed(true);
      },
    );
    return () => void (cancelled = true);
  }, []);
  return { model, failed, setFailed, progress };
}

/** Run `step` over and over while `active`, at most MAX_RATE times a second; `onFail` on a throw. */
function useFrameLoop(active: boolean, step: (stopped: () => boolean) => Promise<void>, onFail: () => void) {
  const stepRef = useRef(step);
  useLayoutEffect(() => {
    stepRef.current = step;
  });
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    const isStopped = () => stopped;
    (async () => {
      while (!stopped) {
        const started = performance.now();
        await stepRef.current(isStopped);
        const wait = Math.max(0, 1000 / MAX_RATE - (performance.now() - started));
        await new Promise((resolve) => window.setTimeout(resolve, wait));
      }
    })().catch((error: unknown) => {
      console.error("live reading failed", error);
      if (!stopped) onFail();
    });
    return () => void (stopped = true);
  }, [active, onFail]);
}

export interface LiveReadings {
  videoRef: RefObject<HTMLVideoElement | null>;
  frozenRef: RefObject<HTMLCanvasElement | null>;
  phase: LivePhase;
  frameSize: { width: number; height: number } | null;
  progress: { loaded: number; total: number } | null;
  steady: Steady;
  evidence: EvidenceGrid | null;
  stats: FrameStats | null;
  /** The in-browser reading of exactly the captured frame (what the server is asked about). */
  captured: Reading | null;
  capture: () => Promise<void>;
  resume: () => void;
}

async function classifyFrom(
  model: LoadedModel,
  source: CanvasImageSource,
  w: number,
  h: number,
  canvas: HTMLCanvasElement,
  view: number | null = null,
) {
  const start = performance.now();
  const reading = await model.worker.classify(readPixels(source, w, h, canvas), view);
  return { reading, frameMs: performance.now() - start };
}

export function useLiveReadings(
  onCapture: (frame: Blob, width: number, height: number) => void,
  onError: (error: PageError) => void,
): LiveReadings {
  const videoRef = useRef<HTMLVideoElement>(null);
  const frozenRef = useRef<HTMLCanvasElement>(null);
  const workCanvas = useRef<HTMLCanvasElement | null>(null);
  /** Live frames read so far: the next frame's view is this modulo 8. */
  const frameIndex = useRef(0);
  const frameSize = useCamera(videoRef, onError);
  const { model, failed, setFailed, progress } = useModel();
  const [frozen, setFrozen] = useState(false);
  const [captured, setCaptured] = useState<Reading | null>(null);
  const [live, dispatch] = useReducer(liveReducer, EMPTY_LIVE);
  const phase: LivePhase = failed
    ? "model-failed"
    : frozen
      ? "frozen"
      : !frameSize
        ? "starting"
        : !model
          ? "loading-model"
          : "live";

  const { ref: answers } = useAnswers();
  const step = useCallback(
    async (stopped: () => boolean) => {
      const video = videoRef.current;
      if (!model || !video || video.readyState < 2 || video.videoWidth === 0) return;
      workCanvas.current ??= document.createElement("canvas");
      const view = model.info.views ? frameIndex.current++ % VIEW_COUNT : null;
      const { reading, frameMs } = await classifyFrom(
        model,
        video,
        video.videoWidth,
        video.videoHeight,
        workCanvas.current,
        view,
      );
      if (!stopped()) {
        dispatch({
          type: "frame",
          reading,
          frameMs,
          at: performance.now(),
          rule: model.card,
          answers: answers.current,
        });
      }
    },
    [model, answers],
  );
  const onLoopFail = useCallback(() => setFailed(true), [setFailed]);
  useFrameLoop(phase === "live", step, onLoopFail);

  const capture = useCallback(async () => {
    const video = videoRef.current;
    const canvas = frozenRef.current;
    if (!video || !canvas || video.videoWidth === 0) return;
    setFrozen(true);
    const w = video.videoWidth;
    const h = video.videoHeight;
    readPixels(video, w, h, canvas);
    onCapture(await canvasToPng(canvas), w, h);
    if (model) setCaptured((await classifyFrom(model, canvas, w, h, document.createElement("canvas"))).reading);
  }, [model, onCapture]);

  const resume = useCallback(() => {
    setCaptured(null);
    dispatch({ type: "reset" });
    setFrozen(false);
  }, []);

  return { videoRef, frozenRef, phase, frameSize, progress, ...live, captured, capture, resume };
}
