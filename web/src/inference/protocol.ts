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
  /** `view`: which of the 8 views a model with `views` sees (0..7), or null for all 8 (the server's answer). */
  | { type: "classify"; id: number; width: number; height: number; pixels: ArrayBuffer; view: number | null }
  | { type: "preprocess"; id: number; width: number; height: number; pixels: ArrayBuffer; size: number };

export type WorkerResponse =
  | { type: "progress"; id: number; loaded: number; total: number }
  /** `views`: the model takes the `views` input (model 3). */
  | { type: "loaded"; id: number; modelBytes: number; loadMs: number; threads: number; views: boolean }
  | {
      type: "result";
      id: number;
      decision: Decision;
      /** Only for an answered photo (a refused one gets no probability and no map). */
      evidence: EvidenceGrid | null;
      /** Model 3's `p_dermoscopic`; null when the model has no such output. */
      pDermoscopic: number | null;
      /** The view the model saw (0..7), or null: all 8, or a model without views. */
      view: number | null;
      preprocessMs: number;
      modelMs: number;
    }
  | { type: "input"; id: number; rgb: ArrayBuffer; size: number; preprocessMs: number }
  | { type: "error"; id: number; message: string };
