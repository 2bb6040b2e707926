import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BACKUP_VERSION, BackupError, type ImageProbe, LIMITS, makeBackup, readBackup, sameCheck } from "./backup";
import type { Check } from "./check";
import { placeIn, regionById } from "../bodymap/regions";

// A 1x1 PNG: real image bytes for the probe below.
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/** Stands in for the browser's decoder (tested in the browser tests): PNG/JPEG magic bytes only. */
const probe: ImageProbe = async (url) => {
  const bytes = atob(url.split(",")[1] ?? "");
  if (bytes.startsWith("\x89PNG") || bytes.startsWith("\xff\xd8\xff")) return { width: 1, height: 1 };
  throw new Error("not an image");
};

const check = (day: number, spot: string, extra: Partial<Check> = {}): Check => ({
  id: day,
  createdAt: Date.UTC(2026, 0, day),
  spot,
  thumbnail: PNG,
  evidence: [
    [0, 0.5],
    [1, 0.25],
  ],
  label: "benign",
  p_malignant: 0.2 + day / 100,
  risk: "low",
  threshold: 0.38,
  model: { name: "skinscan", version: "2.0.0" },
  ...extra,
});

const NOW = Date.UTC(2026, 11, 4);
const read = (text: string) => readBackup(text, probe, NOW);

async function refusal(text: string): Promise<BackupError> {
  try {
    await read(text);
  } catch (error) {
    if (error instanceof BackupError) return error;
    throw error;
  }
  throw new Error("the file was accepted");
}

/** A valid backup's JSON, changed by `edit` (after the checksums were written). */
async function edited(edit: (backup: Record<string, unknown> & { checks: Record<string, unknown>[] }) => void) {
  const backup = JSON.parse(JSON.stringify(await makeBackup([check(1, "arm"), check(2, "arm"), check(3, "back")])));
  edit(backup);
  return JSON.stringify(backup);
}

describe("history backup", () => {
  it("round-trips every check: spot, date, answer, photo, heat map, answers", async () => {
    const checks = [check(3, "back"), check(1, "arm", { answers: { age: 54, grown: "yes" } }), check(2, "arm")];
    const backup = await makeBackup(checks, new Date(NOW));
    expect(backup.format).toBe("skinscan-history");
    expect(backup.version).toBe(BACKUP_VERSION);
    expect(backup.count).toBe(3);
    expect(backup.checks.every((c) => /^[0-9a-f]{64}$/.test(c.sha256))).toBe(true);
    const restored = await read(JSON.stringify(backup));
    const strip = ({ id: _id, ...rest }: Check) => rest;
    expect(restored).toEqual(
      [check(1, "arm", { answers: { age: 54, grown: "yes" } }), check(2, "arm"), check(3, "back")].map(strip),
    );
  });

  it("keeps each check's place on the body map, under its checksum", async () => {
    const chest = placeIn(regionById("front.chest")!);
    const checks = [check(1, "mole", { place: chest }), check(2, "mole")];
    const backup = JSON.parse(JSON.stringify(await makeBackup(checks, new Date(NOW))));
    expect(backup.checks.map((c: { place: unknown }) => c.place)).toEqual([chest, null]);
    const restored = await read(JSON.stringify(backup));
    expect(restored.map((c) => c.place)).toEqual([chest, undefined]);
    const moved = await refusal(await edited((b) => void (b.checks[0]!.place = placeIn(regionById("back.buttocks")!))));
    expect(moved.code).toBe("checksum");
    for (const place of [
      { ...chest, region: "front.nowhere" },
      { ...chest, view: "back" },
      { ...chest, x: -50 },
      { ...chest, note: "x" },
      "front.chest",
    ]) {
      const error = await refusal(await edited((b) => void (b.checks[0]!.place = place)));
      expect([error.code, error.field], JSON.stringify(place)).toEqual(["invalid_check", "place"]);
    }
    const missing = await refusal(await edited((b) => void delete b.checks[1]!.place));
    expect([missing.code, missing.field]).toEqual(["invalid_check", "place"]);
  });

  it("still reads a version 1 file (no places, checksums without them), and refuses a place in one", async () => {
    const v1 = JSON.parse(await edited(() => undefined));
    v1.version = 1;
    for (const c of v1.checks) {
      delete c.place;
      const { sha256: _old, ...fields } = c;
      c.sha256 = createHash("sha256").update(JSON.stringify(fields)).digest("hex");
    }
    expect((await read(JSON.stringify(v1))).map((c) => [c.spot, c.place])).toEqual([
      ["arm", undefined],
      ["arm", undefined],
      ["back", undefined],
    ]);
    v1.checks[0].place = null;
    const error = await refusal(JSON.stringify(v1));
    expect([error.code, error.field]).toEqual(["invalid_check", "place"]);
  });

  it("refuses what is not a backup, or of another version", async () => {
    expect((await refusal("{not json")).code).toBe("not_json");
    expect((await refusal("[]")).code).toBe("not_backup");
    expect((await refusal(JSON.stringify({ format: "other", version: 1, checks: [] }))).code).toBe("not_backup");
    expect((await refusal(await edited((b) => void (b.version = BACKUP_VERSION + 1)))).code).toBe("newer_version");
    expect((await refusal(await edited((b) => void (b.version = 0)))).code).toBe("unknown_version");
    expect((await refusal(await edited((b) => void (b.version = "1")))).code).toBe("unknown_version");
    expect((await refusal(await edited((b) => void (b.count = 2)))).code).toBe("not_backup");
  });

  it("refuses huge strings, impossible values and unknown fields, naming the check", async () => {
    const long = await refusal(await edited((b) => void (b.checks[1]!.spot = "x".repeat(LIMITS.spotChars + 1))));
    expect([long.code, long.check, long.field]).toEqual(["invalid_check", 1, "spot"]);
    const cases: [string, unknown][] = [
      ["p_malignant", 1.5],
      ["p_malignant", "0.2"],
      ["risk", "none"],
      ["label", "cancer"],
      ["createdAt", NOW + 7 * 86_400_000],
      ["createdAt", -1],
      ["evidence", [[0, 2]]],
      ["evidence", [[0, 1], [1]]],
      ["answers", { grown: "x".repeat(31) }],
      ["model", { name: "a", version: "b", extra: 1 }],
      ["thumbnail", "data:text/html;base64,PHNjcmlwdD4="],
      ["thumbnail", "javascript:alert(1)"],
      ["thumbnail", `data:image/png;base64,${"A".repeat(LIMITS.thumbnailChars)}`],
      ["id", 1.5],
    ];
    for (const [field, value] of cases) {
      const error = await refusal(await edited((b) => void (b.checks[0]![field] = value)));
      expect([error.code, error.field], `${field} = ${JSON.stringify(value).slice(0, 40)}`).toEqual([
        "invalid_check",
        field,
      ]);
    }
    const unknown = await refusal(await edited((b) => void (b.checks[2]!.__proto_field = 1)));
    expect([unknown.code, unknown.check]).toEqual(["invalid_check", 2]);
  });

  it("refuses duplicate ids, changed checks and photos that are not images", async () => {
    expect((await refusal(await edited((b) => void (b.checks[2]!.id = 1)))).code).toBe("duplicate_id");
    const changed = await refusal(await edited((b) => void (b.checks[1]!.p_malignant = 0.99)));
    expect([changed.code, changed.check]).toEqual(["checksum", 1]);
    // A data URL that says PNG but holds text, with a checksum that matches: the decoder refuses it.
    const fake = check(1, "arm", { thumbnail: `data:image/png;base64,${btoa("<svg onload=alert(1)>")}` });
    const error = await refusal(JSON.stringify(await makeBackup([fake])));
    expect([error.code, error.check, error.field]).toEqual(["bad_image", 0, "thumbnail"]);
  });

  it("refuses too many checks and too large a file before reading them", async () => {
    const many = await edited((b) => {
      b.checks = Array.from({ length: LIMITS.checks + 1 }, () => b.checks[0]!);
      b.count = b.checks.length;
    });
    expect((await refusal(many)).code).toBe("too_many");
  });

  it("knows a check it already has (importing twice adds nothing)", () => {
    expect(sameCheck(check(1, "arm"), { ...check(1, "arm"), id: 99 })).toBe(true);
    expect(sameCheck(check(1, "arm"), check(1, "back"))).toBe(false);
  });
});
