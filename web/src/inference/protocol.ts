/** Messages between the page and the inference worker (src/inference/worker.ts). */

export type WorkerRequest =
  | { type: "load"; id: number; modelUrl: string; wasmPrefix: string }
  | { type: "classify"; id: number; width: number; height: number; pixels: ArrayBuffer }
  | { type: "preprocess"; id: number; width: number; height: number; pixels: ArrayBuffer };

export type WorkerResponse =
  | { type: "progress"; id: number; loaded: number; total: number }
  | { type: "loaded"; id: number; modelBytes: number; loadMs: number; threads: number }
  | { type: "result"; id: number; p: number; preprocessMs: number; modelMs: number }
  | { type: "input"; id: number; rgb: ArrayBuffer; preprocessMs: number }
  | { type: "error"; id: number; message: string };
