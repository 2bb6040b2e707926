/**
 * The page's handle on the inference worker: promise-based calls, one worker for the page.
 */
import { CARD_URL, MODEL_URL, ORT_WASM_PREFIX } from "../config";
import { type ModelCard, parseCard } from "./card";
import type { Decision } from "./decision";
import type { EvidenceGrid, WorkerRequest, WorkerResponse } from "./protocol";

/** One photo or frame through the in-browser model: the contract's decision and the times. */
export interface Reading {
  decision: Decision;
  evidence: EvidenceGrid | null;
  /** Model 3's `p_dermoscopic` (probability that the photo is dermoscopic); null without it. */
  pDermoscopic: number | null;
  /** The view the model saw (0..7); null: all 8 views, or a model without views. */
  view: number | null;
  preprocessMs: number;
  modelMs: number;
}

type Pending = {
  resolve: (message: WorkerResponse) => void;
  reject: (error: Error) => void;
  onProgress?: (loaded: number, total: number) => void;
};

export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "skinscan-model" });
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const message = event.data;
      const entry = this.pending.get(message.id);
      if (!entry) return;
      if (message.type === "progress") {
        entry.onProgress?.(message.loaded, message.total);
        return;
      }
      this.pending.delete(message.id);
      if (message.type === "error") entry.reject(new Error(message.message));
      else entry.resolve(message);
    };
    this.worker.onerror = (event) => {
      const error = new Error(event.message || "the in-browser model stopped working");
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
    };
  }

  private call(request: WorkerRequest, transfer: Transferable[] = [], onProgress?: Pending["onProgress"]) {
    return new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.worker.postMessage(request, transfer);
    });
  }

  async load(card: ModelCard, onProgress?: (loaded: number, total: number) => void) {
    const wasmPrefix = new URL(ORT_WASM_PREFIX, window.location.href).href;
    const modelUrl = new URL(MODEL_URL, window.location.href).href;
    const reply = await this.call({ type: "load", id: this.nextId++, modelUrl, wasmPrefix, card }, [], onProgress);
    if (reply.type !== "loaded") throw new Error("unexpected reply from the model worker");
    return reply;
  }

  /**
   * Classify an RGBA frame; the pixel buffer is transferred (the caller must not reuse it).
   * `view`: for a model with `views`, the one view (0..7) to read; null (default) reads all 8,
   * as the server does. Ignored by a model without views.
   */
  async classify(image: ImageData, view: number | null = null): Promise<Reading> {
    const reply = await this.sendFrame("classify", image, 0, view);
    if (reply.type !== "result") throw new Error("unexpected reply from the model worker");
    const { decision, evidence, pDermoscopic, preprocessMs, modelMs } = reply;
    return { decision, evidence, pDermoscopic, view: reply.view, preprocessMs, modelMs };
  }

  /** The exact size x size RGB input the model sees for this photo (size: the card's input size). */
  async modelInput(image: ImageData, size: number): Promise<Uint8Array> {
    const reply = await this.sendFrame("preprocess", image, size);
    if (reply.type !== "input") throw new Error("unexpected reply from the model worker");
    return new Uint8Array(reply.rgb);
  }

  /** Send a frame's pixels to the worker without copying them (the buffer is transferred). */
  private sendFrame(type: "classify" | "preprocess", image: ImageData, size = 0, view: number | null = null) {
    const pixels = image.data.buffer as ArrayBuffer;
    const frame = { id: this.nextId++, width: image.width, height: image.height, pixels };
    return this.call(type === "classify" ? { type, ...frame, view } : { type, ...frame, size }, [pixels]);
  }

  terminate(): void {
    this.worker.terminate();
  }
}

let shared: InferenceWorker | null = null;
export interface LoadedModel {
  worker: InferenceWorker;
  card: ModelCard;
  /** `views`: the model takes the `views` input (model 3): live frames then cycle through them. */
  info: { modelBytes: number; loadMs: number; threads: number; views: boolean };
}

let loading: Promise<LoadedModel> | null = null;

/** The page's one worker (created on first use). */
export function sharedWorker(): InferenceWorker {
  shared ??= new InferenceWorker();
  return shared;
}

let cardRequest: Promise<ModelCard> | null = null;

/** The model card, fetched once for the page (a failed fetch is retried by the next call). */
export function fetchCard(): Promise<ModelCard> {
  cardRequest ??= (async () => {
    const response = await fetch(CARD_URL);
    if (!response.ok) throw new Error(`model card download failed: HTTP ${response.status}`);
    return parseCard(await response.json());
  })();
  cardRequest.catch(() => {
    cardRequest = null;
  });
  return cardRequest;
}

/** Load the model card, then the model into the worker, once; later calls share the same promise. */
export function loadModel(onProgress?: (loaded: number, total: number) => void): Promise<LoadedModel> {
  loading ??= (async () => {
    const worker = sharedWorker();
    const card = await fetchCard();
    const loaded = await worker.load(card, onProgress);
    const { modelBytes, loadMs, threads, views } = loaded;
    return { worker, card, info: { modelBytes, loadMs, threads, views } };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
