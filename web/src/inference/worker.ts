/// <reference lib="webworker" />
/**
 * The in-browser model, off the main thread: onnxruntime-web (WebAssembly backend) runs
 * models/skinscan.onnx on frames that the page sends as raw RGBA pixels. The worker crops and
 * resizes them exactly like the server (preprocess.ts) to the card's input size, reads the
 * outputs by name and applies the contract's decision (decision.ts) as the server does, so a live
 * reading and the server's answer for the same frame agree, refusals included.
 *
 * A model 3 file has the optional `views` input (views.ts): the worker then feeds the view the page
 * asks for (one per live frame) or all 8 (a captured frame: the server's answer); a model without
 * it (2.0) gets `image` alone. `p_dermoscopic` is read when the model has it.
 */
import * as ort from "onnxruntime-web/wasm";
import type { ModelCard } from "./card";
import { decide, type ModelOutputs } from "./decision";
import { prepareFrame } from "./preprocess";
import type { EvidenceGrid, WorkerRequest, WorkerResponse } from "./protocol";
import { exposeInput, VIEWS_INPUT, viewsFor } from "./views";

declare const self: DedicatedWorkerGlobalScope;

/** The `evidence` output's name (docs/model-contract.md); contract-1 models lack it. */
const EVIDENCE = "evidence";
/** Model 3's modality head (MODEL3.md), read for the page's wording when present. */
const P_DERMOSCOPIC = "p_dermoscopic";

let session: ort.InferenceSession | null = null;
let card: ModelCard | null = null;
/** Whether the loaded model takes `views` (model 3). */
let takesViews = false;

function reply(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function fetchModel(url: string, id: number): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`model download failed: HTTP ${response.status}`);
  const total = Number(response.headers.get("Content-Length") ?? 0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    reply({ type: "progress", id, loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The model file must have the outputs and the input size its card promises. */
function checkAgainstCard(loaded: ort.InferenceSession, spec: ModelCard): void {
  const needed = [spec.output, spec.gate?.output, spec.quality?.output].filter((n): n is string => !!n);
  const missing = needed.filter((name) => !loaded.outputNames.includes(name));
  if (missing.length) throw new Error(`the model lacks the outputs its card names: ${missing.join(", ")}`);
  if (!loaded.inputNames.includes(spec.input.name)) throw new Error(`the model has no input ${spec.input.name}`);
  const meta = loaded.inputMetadata?.find((m) => m.name === spec.input.name);
  const side = meta && "shape" in meta ? meta.shape[1] : undefined;
  if (typeof side === "number" && side !== spec.input.size) {
    throw new Error(`the model takes ${side} px, its card says ${spec.input.size}`);
  }
}

/** The model bytes with `views` made feedable (views.ts); bytes it cannot read are left to ORT. */
function feedableViews(model: Uint8Array): Uint8Array {
  try {
    return exposeInput(model).bytes;
  } catch {
    return model;
  }
}

async function load(id: number, modelUrl: string, wasmPrefix: string, spec: ModelCard): Promise<void> {
  const start = performance.now();
  ort.env.wasm.wasmPaths = wasmPrefix;
  // We are already in a worker: no proxy worker. Threads need SharedArrayBuffer, which only a
  // cross-origin-isolated page has; without it run single-threaded (ORT would fall back anyway).
  // With it, use every core up to 4: ORT's default (half the cores) left a 2-core machine at one
  // thread, 1.6x slower per frame when the machine is otherwise idle (docs/web.md).
  ort.env.wasm.proxy = false;
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  const model = await fetchModel(modelUrl, id);
  const created = await ort.InferenceSession.create(feedableViews(model), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  checkAgainstCard(created, spec);
  session = created;
  card = spec;
  takesViews = created.inputNames.includes(VIEWS_INPUT);
  reply({
    type: "loaded",
    id,
    modelBytes: model.length,
    loadMs: performance.now() - start,
    threads: ort.env.wasm.numThreads ?? 1,
    views: takesViews,
  });
}

function evidenceGrid(tensor: ort.Tensor | undefined): EvidenceGrid | null {
  if (!tensor || tensor.dims.length !== 3) return null;
  const [, height = 0, width = 0] = tensor.dims;
  return { height, width, values: Float32Array.from(tensor.data as Float32Array) };
}

async function classify(
  id: number,
  width: number,
  height: number,
  pixels: ArrayBuffer,
  view: number | null,
): Promise<void> {
  if (!session || !card) throw new Error("the model is not loaded yet");
  const size = card.input.size;
  const t0 = performance.now();
  const rgb = prepareFrame(new Uint8Array(pixels), width, height, size);
  const t1 = performance.now();
  const tensor = new ort.Tensor("uint8", rgb, [1, size, size, 3]);
  const feeds: Record<string, ort.Tensor> = { [card.input.name]: tensor };
  if (takesViews) {
    const views = viewsFor(view);
    feeds[VIEWS_INPUT] = new ort.Tensor("int64", views, [views.length]);
  }
  const outputs = await session.run(feeds);
  const read = (name: string | undefined) => (name ? outputs[name] : undefined);
  const quality = read(card.quality?.output);
  const pLesion = read(card.gate?.output);
  const said: ModelOutputs = {
    pMalignant: Number(read(card.output)?.data[0]),
    pLesion: pLesion ? Number(pLesion.data[0]) : null,
    quality: quality ? Array.from(quality.data as Float32Array) : null,
  };
  const decision = decide(card, said, Math.min(width, height));
  const dermoscopic = read(P_DERMOSCOPIC);
  const pDermoscopic = dermoscopic ? Number(dermoscopic.data[0]) : null;
  const evidence = decision.kind === "answer" ? evidenceGrid(read(EVIDENCE)) : null;
  for (const fed of Object.values(feeds)) fed.dispose();
  for (const output of Object.values(outputs)) output.dispose();
  const modelMs = performance.now() - t1;
  const usedView = takesViews ? view : null;
  const result = {
    type: "result",
    id,
    decision,
    evidence,
    pDermoscopic,
    view: usedView,
    preprocessMs: t1 - t0,
    modelMs,
  } as const;
  reply(result, evidence ? [evidence.values.buffer] : []);
}

function preprocess(request: Extract<WorkerRequest, { type: "preprocess" }>): void {
  const t0 = performance.now();
  const rgb = prepareFrame(new Uint8Array(request.pixels), request.width, request.height, request.size);
  const buffer = rgb.buffer as ArrayBuffer;
  reply({ type: "input", id: request.id, rgb: buffer, size: request.size, preprocessMs: performance.now() - t0 }, [
    buffer,
  ]);
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  const work = (async () => {
    switch (message.type) {
      case "load":
        return load(message.id, message.modelUrl, message.wasmPrefix, message.card);
      case "classify":
        return classify(message.id, message.width, message.height, message.pixels, message.view);
      case "preprocess":
        return preprocess(message);
    }
  })();
  work.catch((error: unknown) => {
    reply({ type: "error", id: message.id, message: error instanceof Error ? error.message : String(error) });
  });
};
