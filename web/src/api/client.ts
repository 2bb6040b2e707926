import { MAX_UPLOAD_BYTES, PREDICT_URL } from "../config";
import type { Prediction } from "./types";

/** A failure the page explains to the person; `code` is stable (the API's codes plus our own). */
export class PageError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "PageError";
    this.code = code;
  }
}

const IMAGE_SIGNATURES: Array<(b: Uint8Array) => boolean> = [
  (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, // JPEG
  (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47, // PNG
  (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP", // WebP
  (b) => ascii(b, 4, 8) === "ftyp", // HEIC/HEIF/AVIF: the server decides whether it can read it
];

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The first bytes of a file (FileReader: works in every browser and in jsdom). */
function readHead(file: Blob, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(new PageError("unreadable_file", "This file could not be read. Try another photo."));
    reader.readAsArrayBuffer(file.slice(0, length));
  });
}

/** Check a file before uploading it: it must be a photo (by content, not by name) and not too big. */
export async function checkPhoto(file: Blob, maxBytes: number = MAX_UPLOAD_BYTES): Promise<void> {
  if (file.size === 0) {
    throw new PageError("empty_file", "This file is empty. Choose a photo (JPEG, PNG or WebP).");
  }
  if (file.size > maxBytes) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new PageError(
      "too_large",
      `This photo is ${mb(file.size)} MB; the limit is ${mb(maxBytes)} MB. Choose a smaller photo.`,
    );
  }
  const head = await readHead(file, 16);
  if (!IMAGE_SIGNATURES.some((matches) => matches(head))) {
    throw new PageError("not_an_image", "This file is not an image. Choose a photo as JPEG, PNG or WebP.");
  }
}

function isPrediction(value: unknown): value is Prediction {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.label === "benign" || v.label === "malignant") &&
    typeof v.p_malignant === "number" &&
    (v.risk === "low" || v.risk === "medium" || v.risk === "high") &&
    typeof v.advice === "string" &&
    typeof v.disclaimer === "string"
  );
}

/** POST the photo as multipart field `image`; resolve to the answer or reject with a PageError. */
export async function predict(photo: Blob, filename = "photo", signal?: AbortSignal): Promise<Prediction> {
  const form = new FormData();
  form.append("image", photo, filename);
  let response: Response;
  try {
    response = await fetch(PREDICT_URL, { method: "POST", body: form, signal: signal ?? null });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new PageError(
      "unreachable",
      "The skinscan server cannot be reached. Check your connection and try again in a moment.",
    );
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && isPrediction(body)) return body;
  if (response.ok) {
    throw new PageError("bad_response", "The server sent an answer this page does not understand.");
  }
  const detail =
    typeof body === "object" && body !== null && typeof (body as { detail?: unknown }).detail === "string"
      ? (body as { detail: string }).detail
      : null;
  const code =
    typeof body === "object" && body !== null && typeof (body as { code?: unknown }).code === "string"
      ? (body as { code: string }).code
      : `http_${response.status}`;
  if (response.status === 413) {
    throw new PageError(code, detail ?? "This photo is too large for the server. Choose a smaller photo.");
  }
  if (response.status === 429) {
    throw new PageError(code, detail ?? "Too many requests. Wait a minute and try again.");
  }
  if (response.status >= 500) {
    throw new PageError(code, "The server had a problem analysing this photo. Please try again.");
  }
  throw new PageError(code, detail ?? `The server refused this photo (HTTP ${response.status}).`);
}
