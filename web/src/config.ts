/**
 * Where the page finds the API and the model. Same origin by default (the API serves the page);
 * for split hosting (page on Firebase Hosting, API elsewhere) build with
 * `VITE_API_BASE=https://api.example.org npm run build`.
 */
const rawBase: string = import.meta.env.VITE_API_BASE ?? "";

/** API origin without a trailing slash; "" means the page's own origin. */
export const API_BASE = rawBase.replace(/\/+$/, "");

export const PREDICT_URL = `${API_BASE}/api/v1/predict`;
/** The model and its card come from the API host, which serves `/models/` from its model folder. */
export const MODEL_URL = `${API_BASE}/models/skinscan.onnx`;
export const CARD_URL = `${API_BASE}/models/skinscan.json`;
/** The held-out measurements of the loaded model file (`reports/metrics.json`), when the server has them. */
export const METRICS_URL = `${API_BASE}/models/skinscan.metrics.json`;

/** onnxruntime-web's .wasm/.mjs, copied into the build by vite.config.ts and served with the page. */
export const ORT_WASM_PREFIX = `${import.meta.env.BASE_URL}ort/`;

/** Client-side size check; the server enforces its own limit (SKINSCAN_MAX_UPLOAD_MB, default 15). */
export const MAX_UPLOAD_BYTES = Number(import.meta.env.VITE_MAX_UPLOAD_MB ?? "15") * 1024 * 1024;
