import { MAX_UPLOAD_BYTES, PREDICT_URL } from "../config";
import { activeLang, LOCALES, type Params } from "../i18n/translate";
import type { ApiError, Prediction, Refusal } from "./types";

/**
 * A failure the page explains to the person, as machine facts only: a stable `code` (the API's
 * codes plus the page's own), the HTTP `status` when the server answered, numbers for the wording
 * (`params`) and, for a refused photo (422 not_a_lesion / photo_unusable), the reason codes. The
 * words are chosen when the error is shown (app/notices.tsx), in the language of the page at that
 * moment; the server's own `detail` and `hint` are for API clients and are not used here.
 */
export class PageError extends Error {
  readonly code: string;
  readonly status: number | null;
  readonly params: Params;
  readonly reasons: readonly string[];
  constructor(
    code: string,
    /** For developers (console, logs); never shown. */
    message?: string | null,
    extra: { status?: number; params?: Params; reasons?: readonly string[] } = {},
  ) {
    super(message ?? code);
    this.name = "PageError";
    this.code = code;
    this.status = extra.status ?? null;
    this.params = extra.params ?? {};
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
    throw new PageError("file_too_large", null, { params: { size: mb(file.size), limit: mb(maxBytes) } });
  }
  const head = await readHead(file, 16);
  if (OTHER_IMAGE_SIGNATURES.some((matches) => matches(head))) throw new PageError("unsupported_type");
  if (!IMAGE_SIGNATURES.some((matches) => matches(head))) {
    throw new PageError("not_an_image");
  }
}

/** The page's language as an Accept-Language value (CORS-safelisted: letters, digits, '-', ',', ';', '='). */
export function acceptLanguage(): string {
  const lang = activeLang();
  return lang === "en" ? "en" : `${LOCALES[lang]},${lang};q=0.9,en;q=0.5`;
}

/** The PageError for a non-2xx answer: the server's machine code (and refusal reasons), else one by status. */
function httpError(status: number, body: unknown): PageError {
  const { code, reasons } = (typeof body === "object" && body !== null ? body : {}) as Partial<ApiError & Refusal>;
  return new PageError(typeof code === "string" ? code : `http_${status}`, null, {
    status,
    params: { status },
    reasons: Array.isArray(reasons) ? reasons : [],
  });
}

/**
 * POST the photo as multipart field `image`, in the page's language (Accept-Language); resolve to
 * the answer or reject with a PageError.
 */
export async function predict(photo: Blob, filename = "photo", signal?: AbortSignal): Promise<Prediction> {
  const form = new FormData();
  form.append("image", photo, filename);
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
  // The body's shape is the API's (schema.ts, generated from the server's OpenAPI document).
  if (response.ok && typeof body === "object" && body !== null) return body as Prediction;
  if (response.ok) throw new PageError("bad_response");
  throw httpError(response.status, body);
}
