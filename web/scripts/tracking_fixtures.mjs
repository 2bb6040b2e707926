// Test data for the tracking browser tests and screenshots: history backup files written here,
// independently of the page's own writer (web/src/history/backup.ts), in the documented format.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * The fields of a backed-up check in the order its checksum covers them (history/backup.ts):
 * version 2 adds `place` ({view, region, x, y} or null) last; a version 1 check has none.
 */
export function canonical(check) {
  const { id, createdAt, spot, label, p_malignant, risk, threshold, model, evidence, answers, thumbnail } = check;
  const sortedAnswers =
    answers === null ? null : Object.fromEntries(Object.entries(answers).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({
    id,
    createdAt,
    spot,
    label,
    p_malignant,
    risk,
    threshold,
    model,
    evidence,
    answers: sortedAnswers,
    thumbnail,
    ...("place" in check
      ? {
          place: check.place && {
            view: check.place.view,
            region: check.place.region,
            x: check.place.x,
            y: check.place.y,
          },
        }
      : {}),
  });
}

/** A backup file written here, independently of the page's writer (format version 1: no places). */
export function backupFile(checks, { version = 1 } = {}) {
  const entries = checks.map((check, i) => {
    const entry = {
      id: i + 1,
      createdAt: check.createdAt,
      spot: check.spot,
      label: "benign",
      p_malignant: check.p,
      risk: check.risk ?? "low",
      threshold: 0.4,
      model: { name: "skinscan", version: "e2e" },
      evidence: [
        [0.1, 0.6],
        [0.3, 0.9],
      ],
      answers: check.answers ?? null,
      thumbnail: check.thumbnail,
      ...check.override,
    };
    return { ...entry, sha256: createHash("sha256").update(canonical(entry)).digest("hex") };
  });
  return {
    format: "skinscan-history",
    version,
    exportedAt: new Date().toISOString(),
    count: entries.length,
    checks: entries,
  };
}

export const jpegDataUrl = (file) => `data:image/jpeg;base64,${readFileSync(file).toString("base64")}`;
export const DAY = 86_400_000;

/** Three checks of one spot: 60 and 30 days ago and an hour ago, the last with questionnaire answers. */
export function seedChecks(spot, manifest) {
  const now = Date.now();
  return manifest.photos.slice(0, 3).map((photo, i) => ({
    createdAt: now - (2 - i) * 30 * DAY - 3_600_000,
    spot,
    p: [0.12, 0.31, 0.47][i],
    risk: ["low", "low", "medium"][i],
    thumbnail: jpegDataUrl(photo.file),
    answers: i === 2 ? { age: 54, grown: "yes", bleeds: "no" } : null,
  }));
}
