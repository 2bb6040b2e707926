/**
 * The history backup: every saved check (spot name, date, answer, the photo the model saw, its heat
 * map, questionnaire answers if any) in one JSON file the person owns, and the strict reader that
 * brings such a file back. The reader checks everything before anything is stored (format and
 * version, sizes, every field, each photo's checksum and that it decodes as an image, unique ids),
 * so a broken or hostile file is refused whole with a reason, never half-imported.
 */
import type { Label, Risk } from "../api/types";
import { type Place, validPlace } from "../bodymap/regions";
import type { Check } from "./check";

export const BACKUP_FORMAT = "skinscan-history";
/** Version 2 adds each check's place on the body map (`place`); version 1 files (no place) still import. */
export const BACKUP_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Limits of what a backup may hold; far above real use (a thumbnail is ~20-40 kB). */
export const LIMITS = {
  fileBytes: 200 * 1024 * 1024,
  checks: 5000,
  thumbnailChars: 2 * 1024 * 1024,
  thumbnailPixels: 2048 * 2048,
  spotChars: 200,
  textChars: 200,
  evidenceSide: 64,
  answers: 20,
} as const;

const LABELS: readonly Label[] = ["benign", "malignant"];
const RISKS: readonly Risk[] = ["low", "medium", "high"];
const IMAGE_DATA_URL = /^data:image\/(jpeg|png|webp);base64,([A-Za-z0-9+/]+={0,2})$/;
/** 2000-01-01: no check can be older; none can be more than a day in the future either. */
const EARLIEST = Date.UTC(2000, 0, 1);

/** Why a file was refused: a machine code (the page words it) and, where it helps, which check. */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    readonly check: number | null = null,
    readonly field: string | null = null,
  ) {
    super(`${code}${check !== null ? ` (check ${check + 1}${field ? `, ${field}` : ""})` : ""}`);
    this.name = "BackupError";
  }
}

export type BackupErrorCode =
  | "too_large"
  | "not_json"
  | "not_backup"
  | "newer_version"
  | "unknown_version"
  | "too_many"
  | "invalid_check"
  | "duplicate_id"
  | "checksum"
  | "bad_image";

/** One check as written in the file: its fields in a fixed order, and their checksum. */
interface BackupCheck {
  id: number;
  createdAt: number;
  spot: string;
  label: Label;
  p_malignant: number;
  risk: Risk;
  threshold: number;
  model: { name: string; version: string };
  evidence: number[][] | null;
  answers: Record<string, string | number> | null;
  thumbnail: string | null;
  /** Version 2: where on the body (null when not placed); absent in version 1. */
  place?: Place | null;
  sha256: string;
}

export interface Backup {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  exportedAt: string;
  count: number;
  checks: BackupCheck[];
}

/** The fields of a check in the order the checksum covers them (key order matters for JSON). */
function canonical(check: Omit<BackupCheck, "sha256">): string {
  const { id, createdAt, spot, label, p_malignant, risk, threshold, model, evidence, answers, thumbnail } = check;
  // Version 2 covers the place too (last); a version 1 check has none.
  const place =
    check.place === undefined
      ? {}
      : {
          place: check.place && {
            view: check.place.view,
            region: check.place.region,
            x: check.place.x,
            y: check.place.y,
          },
        };
  return JSON.stringify({
    id,
    createdAt,
    spot,
    label,
    p_malignant,
    risk,
    threshold,
    model: { name: model.name, version: model.version },
    evidence,
    answers:
      answers === null ? null : Object.fromEntries(Object.entries(answers).sort(([a], [b]) => a.localeCompare(b))),
    thumbnail,
    ...place,
  });
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The whole history as a backup object (ids renumbered 1..n, oldest first). */
export async function makeBackup(checks: readonly Check[], now = new Date()): Promise<Backup> {
  const sorted = [...checks].sort((a, b) => a.createdAt - b.createdAt);
  const entries = await Promise.all(
    sorted.map(async (check, index) => {
      const entry = {
        id: index + 1,
        createdAt: check.createdAt,
        spot: check.spot,
        label: check.label,
        p_malignant: check.p_malignant,
        risk: check.risk,
        threshold: check.threshold,
        model: { name: check.model.name, version: check.model.version },
        evidence: check.evidence,
        answers: check.answers ?? null,
        thumbnail: check.thumbnail,
        place: validPlace(check.place),
      };
      return { ...entry, sha256: await sha256(canonical(entry)) };
    }),
  );
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exportedAt: now.toISOString(),
    count: entries.length,
    checks: entries,
  };
}

export function backupFilename(now = new Date()): string {
  return `skinscan-history-${now.toISOString().slice(0, 10)}.json`;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isProbability = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1;
const isShortText = (value: unknown, max: number = LIMITS.textChars): value is string =>
  typeof value === "string" && value.length <= max;

const CHECK_KEYS = new Set([
  "id",
  "createdAt",
  "spot",
  "label",
  "p_malignant",
  "risk",
  "threshold",
  "model",
  "evidence",
  "answers",
  "thumbnail",
  "place",
  "sha256",
]);

function isEvidence(value: unknown): value is number[][] | null {
  if (value === null) return true;
  if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.evidenceSide) return false;
  const width = Array.isArray(value[0]) ? value[0].length : 0;
  if (width === 0 || width > LIMITS.evidenceSide) return false;
  return value.every((row) => Array.isArray(row) && row.length === width && row.every(isProbability));
}

function isAnswers(value: unknown): value is Record<string, string | number> | null {
  if (value === null) return true;
  if (!isObject(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= LIMITS.answers &&
    entries.every(
      ([key, v]) =>
        /^[a-z_]{1,30}$/.test(key) &&
        (isShortText(v, 30) || (typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= 1000)),
    )
  );
}

/** A place exactly as the page writes it: a known region of its view, the point inside it. */
function isPlace(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value) || Object.keys(value).length !== 4) return false;
  const place = validPlace(value);
  return place !== null && place.region === value.region && place.x === value.x && place.y === value.y;
}

/** Check one entry's fields; returns the name of the first bad field, or null. */
function badField(entry: Json, now: number, version: number): string | null {
  for (const key of Object.keys(entry)) if (!CHECK_KEYS.has(key)) return key;
  if (!Number.isSafeInteger(entry.id) || (entry.id as number) < 1) return "id";
  const at = entry.createdAt;
  if (typeof at !== "number" || !Number.isFinite(at) || at < EARLIEST || at > now + 86_400_000) return "createdAt";
  if (!isShortText(entry.spot, LIMITS.spotChars)) return "spot";
  if (!LABELS.includes(entry.label as Label)) return "label";
  if (!isProbability(entry.p_malignant)) return "p_malignant";
  if (!RISKS.includes(entry.risk as Risk)) return "risk";
  if (!isProbability(entry.threshold)) return "threshold";
  const model = entry.model;
  if (!isObject(model) || Object.keys(model).length !== 2 || !isShortText(model.name) || !isShortText(model.version)) {
    return "model";
  }
  if (!isEvidence(entry.evidence)) return "evidence";
  if (!isAnswers(entry.answers)) return "answers";
  const thumbnail = entry.thumbnail;
  if (thumbnail !== null && !(isShortText(thumbnail, LIMITS.thumbnailChars) && IMAGE_DATA_URL.test(thumbnail))) {
    return "thumbnail";
  }
  if (version === 1 ? "place" in entry : !("place" in entry && isPlace(entry.place))) return "place";
  if (typeof entry.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(entry.sha256)) return "sha256";
  return null;
}

/** Decodes a data URL as an image and returns its size; rejects what is not a decodable image. */
export type ImageProbe = (dataUrl: string) => Promise<{ width: number; height: number }>;

/** The browser's decoder: the bytes must really be an image (not just say so). */
export const browserImageProbe: ImageProbe = async (dataUrl) => {
  const match = IMAGE_DATA_URL.exec(dataUrl);
  if (!match) throw new Error("not an image data URL");
  const bytes = Uint8Array.from(atob(match[2]!), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: `image/${match[1]}` }));
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
};

/**
 * Read a backup file's text into checks ready to store (without ids), or throw a BackupError.
 * Nothing is stored here: the caller stores all of them in one transaction, or none.
 */
export async function readBackup(
  text: string,
  probe: ImageProbe = browserImageProbe,
  now = Date.now(),
): Promise<Check[]> {
  if (text.length > LIMITS.fileBytes) throw new BackupError("too_large");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BackupError("not_json");
  }
  if (!isObject(parsed) || parsed.format !== BACKUP_FORMAT) throw new BackupError("not_backup");
  if (typeof parsed.version !== "number" || !Number.isInteger(parsed.version)) throw new BackupError("unknown_version");
  if (parsed.version > BACKUP_VERSION) throw new BackupError("newer_version");
  if (!READABLE_VERSIONS.includes(parsed.version)) throw new BackupError("unknown_version");
  const version = parsed.version;
  const entries = parsed.checks;
  if (!Array.isArray(entries)) throw new BackupError("not_backup");
  if (entries.length > LIMITS.checks) throw new BackupError("too_many");
  if (parsed.count !== entries.length) throw new BackupError("not_backup");

  const ids = new Set<number>();
  const valid: BackupCheck[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!isObject(entry)) throw new BackupError("invalid_check", index);
    const field = badField(entry, now, version);
    if (field) throw new BackupError("invalid_check", index, field);
    const check = entry as unknown as BackupCheck;
    if (ids.has(check.id)) throw new BackupError("duplicate_id", index, "id");
    ids.add(check.id);
    const { sha256: written, ...fields } = check;
    if ((await sha256(canonical(fields))) !== written) throw new BackupError("checksum", index);
    valid.push(check);
  }
  for (const [index, check] of valid.entries()) {
    if (check.thumbnail === null) continue;
    let size: { width: number; height: number };
    try {
      size = await probe(check.thumbnail);
    } catch {
      throw new BackupError("bad_image", index, "thumbnail");
    }
    if (size.width < 1 || size.height < 1 || size.width * size.height > LIMITS.thumbnailPixels) {
      throw new BackupError("bad_image", index, "thumbnail");
    }
  }
  return valid.map((check) => {
    const restored: Check = {
      createdAt: check.createdAt,
      spot: check.spot,
      thumbnail: check.thumbnail,
      evidence: check.evidence,
      label: check.label,
      p_malignant: check.p_malignant,
      risk: check.risk,
      threshold: check.threshold,
      model: { name: check.model.name, version: check.model.version },
    };
    if (check.answers) restored.answers = check.answers;
    if (check.place) restored.place = check.place;
    return restored;
  });
}

/** Same check (already in the history): same moment, spot and score. Importing twice adds nothing. */
export function sameCheck(a: Check, b: Check): boolean {
  return a.createdAt === b.createdAt && a.spot === b.spot && a.p_malignant === b.p_malignant;
}
