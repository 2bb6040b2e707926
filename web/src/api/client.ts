import { type Answers, given } from "../questions/combine";
import { MAX_UPLOAD_BYTES, PREDICT_URL } from "../config";
import { activeLang, isMessageKey, LOCALES, type Params, translate } from "../i18n/translate";
import type { Prediction } from "./types";

/**
 * A failure the page explains to the person; `code` is stable (the API's codes plus our own).
 * `detail` is the server's own wording (already in the page's language, via Accept-Language);
 * without it the page words the message from its catalogue (`error.<code>`, with `params`).
 * A refused photo (422 not_a_lesion / photo_unusable) also carries the server's `hint` and `reasons`.
 */
export class PageError extends Error {
  readonly code: string;
  readonly params: Params;
  readonly detail: string | null;
  readonly hint: string | null;
  readonly reasons: readonly string[];
  constructor(
    code: string,
    message?: string | null,
    extra: { params?: Params; detail?: string | null; hint?: string | null; reasons?: readonly string[] } = {},
  ) {
    const key = `error.${code}`;
    super(message ?? extra.detail ?? (isMessageKey(key) ? translate(activeLang(), key, extra.params) : code));
    this.name = "PageError";
    this.code = code;
    this.params = extra.params ?? {};
    this.detail = extra.detail ?? null;
    this.hint = extra.hint ?? null;
    this.reasons = extra.reasons ?? [];
  }
}

const IMAGE_SIGNATURES: Array<(b: Uint8Array) => boolean> = [
  (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, // JPEG
  (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47, // PNG
  (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP", // WebP
  (b) => ascii(b, 4, 8) === "ftyp", // HEIC/HEIF/AVIF: the server decides whether it can read it
];

/** Images the server cannot read (GIF, BMP, TIFF): said as such, not as "not an image". */
const OTHER_IMAGE_SIGNATURES: Array<(b: Uint8Array) => boolean> = [
  (b) => ascii(b, 0, 4) === "GIF8",
  (b) => ascii(b, 0, 2) === "BM",
  (b) => ascii(b, 0, 4) === "II*\0" || ascii(b, 0, 4) === "MM\0*",
];

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The first bytes of a file (FileReader: works in every browser and in jsdom). */
function readHead(file: Blob, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(new PageError("unreadable_file"));
    reader.readAsArrayBuffer(file.slice(0, length));
  });
}

/** Check a file before uploading it: it must be a photo (by content, not by name) and not too big. */
export async function checkPhoto(file: Blob, maxBytes: number = MAX_UPLOAD_BYTES): Promise<void> {
  if (file.size === 0) {
    throw new PageError("empty_file");
  }
  if (file.size > maxBytes) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new PageError("too_large", null, { params: { size: mb(file.size), limit: mb(maxBytes) } });
  }
  const head = await readHead(file, 16);
  if (OTHER_IMAGE_SIGNATURES.some((matches) => matches(head))) throw new PageError("unsupported_type");
  if (!IMAGE_SIGNATURES.some((matches) => matches(head))) {
    throw new PageError("not_an_image");
  }
}

function isGrid(value: unknown): value is number[][] {
  return Array.isArray(value) && value.every((row) => Array.isArray(row) && row.every((x) => typeof x === "number"));
}

function isPrediction(value: unknown): value is Prediction {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.label === "benign" || v.label === "malignant") &&
    typeof v.p_malignant === "number" &&
    (v.risk === "low" || v.risk === "medium" || v.risk === "high") &&
    typeof v.advice === "string" &&
    typeof v.disclaimer === "string" &&
    (v.evidence === undefined || isGrid(v.evidence))
  );
}

/** The page's language as an Accept-Language value (CORS-safelisted: letters, digits, '-', ',', ';', '='). */
export function acceptLanguage(): string {
  const lang = activeLang();
  return lang === "en" ? "en" : `${LOCALES[lang]},${lang};q=0.9,en;q=0.5`;
}

function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** The PageError for a non-2xx answer: the server's code and wording, or ours by status. */
function httpError(status: number, body: unknown): PageError {
  const rawDetail = field(body, "detail");
  const detail = typeof rawDetail === "string" ? rawDetail : null;
  const rawCode = field(body, "code");
  const code = typeof rawCode === "string" ? rawCode : `http_${status}`;
  const hint = field(body, "hint");
  const reasons = field(body, "reasons");
  const extra = {
    detail,
    hint: typeof hint === "string" ? hint : null,
    reasons: Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === "string") : [],
    params: { status },
  };
  if (status >= 500) return new PageError(code, translate(activeLang(), "error.server"), { ...extra, detail: null });
  if (detail !== null || isMessageKey(`error.${code}`)) return new PageError(code, null, extra);
  if (status === 413) return new PageError(code, translate(activeLang(), "error.upload_too_large"), extra);
  if (status === 429) return new PageError(code, translate(activeLang(), "error.rate_limited"), extra);
  return new PageError(code, translate(activeLang(), "error.http", { status }), extra);
}

/**
 * POST the photo as multipart field `image`, in the page's language (Accept-Language); resolve to
 * the answer or reject with a PageError.
 */
export async function predict(
  photo: Blob,
  filename = "photo",
  signal?: AbortSignal,
  answers: Answers = {},
): Promise<Prediction> {
  const form = new FormData();
  form.append("image", photo, filename);
  // The questionnaire's answers (issue 18): only those given; "don't know" is the same as not sending it.
  for (const [name, value] of Object.entries(given(answers))) form.append(name, String(value));
  let response: Response;
  try {
    response = await fetch(PREDICT_URL, {
      method: "POST",
      body: form,
      headers: { "Accept-Language": acceptLanguage() },
      signal: signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new PageError("unreachable");
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && isPrediction(body)) return body;
  if (response.ok) throw new PageError("bad_response");
  throw httpError(response.status, body);
}
