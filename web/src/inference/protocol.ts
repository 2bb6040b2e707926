/** Messages between the page and the inference worker (src/inference/worker.ts). */
import type { ModelCard } from "./card";
import type { Decision } from "./decision";

/** The `evidence` output of one photo: an h x w grid, row-major, 0..1. */
export interface EvidenceGrid {
  height: number;
  width: number;
  values: Float32Array;
}

export type WorkerRequest =
  | { type: "load"; id: number; modelUrl: string; wasmPrefix: string; card: ModelCard }
  | { type: "classify"; id: number; width: number; height: number; pixels: ArrayBuffer }
  | { type: "preprocess"; id: number; width: number; height: number; pixels: ArrayBuffer; size: number };

export type WorkerResponse =
  | { type: "progress"; id: number; loaded: number; total: number }
  | { type: "loaded"; id: number; modelBytes: number; loadMs: number; threads: number }
  | {
      type: "result";
      id: number;
      decision: Decision;
      /** Only for an answered photo (a refused one gets no probability and no map). */
      evidence: EvidenceGrid | null;
      preprocessMs: number;
      modelMs: number;
    }
  | { type: "input"; id: number; rgb: ArrayBuffer; size: number; preprocessMs: number }
  | { type: "error"; id: number; message: string };
