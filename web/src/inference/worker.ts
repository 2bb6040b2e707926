/// <reference lib="webworker" />
/**
 * The in-browser model, off the main thread: onnxruntime-web (WebAssembly backend) runs
 * models/skinscan.onnx on frames that the page sends as raw RGBA pixels. The worker crops and
 * resizes them exactly like the server (preprocess.ts), so a live reading and the server's answer
 * for the same frame agree.
 */
import * as ort from "onnxruntime-web/wasm";
import { squareCropResize } from "./preprocess";
import type { WorkerRequest, WorkerResponse } from "./protocol";

declare const self: DedicatedWorkerGlobalScope;

let session: ort.InferenceSession | null = null;
let inputName = "image";
let outputName = "p_malignant";
let size = 224;

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

async function load(id: number, modelUrl: string, wasmPrefix: string): Promise<void> {
  const start = performance.now();
  ort.env.wasm.wasmPaths = wasmPrefix;
  // We are already in a worker: no proxy worker. Threads need SharedArrayBuffer, which only a
  // cross-origin-isolated page has; without it run single-threaded (ORT would fall back anyway).
  // With it, use every core up to 4: ORT's default (half the cores) left a 2-core machine at one
  // thread, 1.6x slower per frame when the machine is otherwise idle (docs/web.md).
  ort.env.wasm.proxy = false;
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  const model = await fetchModel(modelUrl, id);
  session = await ort.InferenceSession.create(model, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  inputName = session.inputNames[0] ?? "image";
  outputName = session.outputNames.includes("p_malignant") ? "p_malignant" : (session.outputNames[0] ?? "");
  const meta = session.inputMetadata?.[0];
  if (meta && "shape" in meta && typeof meta.shape[1] === "number") size = meta.shape[1];
  reply({
    type: "loaded",
    id,
    modelBytes: model.length,
    loadMs: performance.now() - start,
    threads: ort.env.wasm.numThreads ?? 1,
  });
}

async function classify(id: number, width: number, height: number, pixels: ArrayBuffer): Promise<void> {
  if (!session) throw new Error("the model is not loaded yet");
  const t0 = performance.now();
  const rgb = squareCropResize(new Uint8Array(pixels), width, height, size);
  const t1 = performance.now();
  const tensor = new ort.Tensor("uint8", rgb, [1, size, size, 3]);
  const outputs = await session.run({ [inputName]: tensor });
  const output = outputs[outputName];
  const p = Number(output?.data[0]);
  tensor.dispose();
  output?.dispose();
  reply({ type: "result", id, p, preprocessMs: t1 - t0, modelMs: performance.now() - t1 });
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  const work = (async () => {
    switch (message.type) {
      case "load":
        return load(message.id, message.modelUrl, message.wasmPrefix);
      case "classify":
        return classify(message.id, message.width, message.height, message.pixels);
      case "preprocess": {
        const t0 = performance.now();
        const rgb = squareCropResize(new Uint8Array(message.pixels), message.width, message.height, size);
        reply({ type: "input", id: message.id, rgb: rgb.buffer as ArrayBuffer, preprocessMs: performance.now() - t0 }, [
          rgb.buffer,
        ]);
        return;
      }
    }
  })();
  work.catch((error: unknown) => {
    reply({ type: "error", id: message.id, message: error instanceof Error ? error.message : String(error) });
  });
};
