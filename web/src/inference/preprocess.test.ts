// @vitest-environment node
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import frames from "./__fixtures__/frames.json";
import index from "./__fixtures__/index.json";
import { axisCoefficients, cropBox, prepareFrame, reductionFactor, squareCropResize } from "./preprocess";

/** Same formula as `synthetic()` in web/scripts/make_fixtures.py (the fixtures' inputs). */
function syntheticRgba(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        // Python: ((x*73856093) ^ (y*19349663) ^ (c*83492791)) & 0xFFFFFFFF (all products < 2^53).
        const noise = ((x * 73856093) ^ (y * 19349663) ^ (c * 83492791)) >>> 0;
        const value =
          x * (3 + c) + y * (5 - c) + Math.floor((x * y) / 16) + (noise % 41) + (Math.floor(x / 7) % 2) * 60;
        rgba[o + c] = value & 255;
      }
      rgba[o + 3] = 255;
    }
  }
  return rgba;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("cropBox", () => {
  it("takes the largest centred square, rounding the offset down like the server", () => {
    expect(cropBox(640, 480)).toEqual({ left: 80, top: 0, side: 480 });
    expect(cropBox(480, 640)).toEqual({ left: 0, top: 80, side: 480 });
    expect(cropBox(301, 257)).toEqual({ left: 22, top: 0, side: 257 });
    expect(cropBox(300, 300)).toEqual({ left: 0, top: 0, side: 300 });
  });
});

describe("axisCoefficients", () => {
  it("widens the triangle filter when shrinking and keeps weights summing to one", () => {
    const out = 200;
    const shrink = axisCoefficients(480, out);
    expect(shrink.kernelSize).toBe(2 * Math.ceil(480 / out) + 1);
    for (let i = 0; i < out; i++) {
      let total = 0;
      for (let k = 0; k < shrink.count[i]!; k++) total += shrink.weights[i * shrink.kernelSize + k]!;
      expect(Math.abs(total - (1 << 22))).toBeLessThanOrEqual(shrink.kernelSize);
    }
    const grow = axisCoefficients(100, out);
    expect(grow.kernelSize).toBe(3);
  });
});

describe("squareCropResize matches Pillow (skinscan.images.square_crop_resize)", () => {
  for (const fixture of index) {
    const { width, height } = fixture;
    it(`${width}x${height}`, () => {
      const rgba = syntheticRgba(width, height);
      expect(sha256(rgba), "fixture input formula drifted from make_fixtures.py").toBe(fixture.input_sha256);

      const small = squareCropResize(rgba, width, height, fixture.small_size);
      const expected = gunzipSync(readFileSync(new URL(`./__fixtures__/${fixture.small_file}`, import.meta.url)));
      expect(small.length).toBe(expected.length);
      let worst = 0;
      let differing = 0;
      for (let i = 0; i < small.length; i++) {
        const d = Math.abs(small[i]! - expected[i]!);
        if (d > 0) differing++;
        worst = Math.max(worst, d);
      }
      expect({ worst, differing }).toEqual({ worst: 0, differing: 0 });

      const full = squareCropResize(rgba, width, height, fixture.size);
      expect(full.length).toBe(fixture.size * fixture.size * 3);
      expect(sha256(full)).toBe(fixture.sha256);
    });
  }

  it("rejects a buffer that is too short", () => {
    expect(() => squareCropResize(new Uint8Array(10), 10, 10, 8)).toThrow(RangeError);
  });
});

describe("reductionFactor", () => {
  it("is the largest integer that keeps the short side at least twice the input size", () => {
    expect(reductionFactor(1280, 720, 192)).toBe(1);
    expect(reductionFactor(767, 1024, 192)).toBe(1);
    expect(reductionFactor(1024, 768, 192)).toBe(2);
    expect(reductionFactor(1920, 1080, 192)).toBe(2);
    expect(reductionFactor(4032, 3024, 192)).toBe(7);
    expect(reductionFactor(100, 90, 192)).toBe(1);
  });
});

function compare(actual: Uint8Array, expected: Uint8Array) {
  let worst = 0;
  let differing = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (d > 0) differing++;
    worst = Math.max(worst, d);
  }
  return { length: actual.length, worst, differing };
}

describe("prepareFrame matches the server's whole path (skinscan.images.prepare of the frame as PNG)", () => {
  for (const frame of frames) {
    const { width, height } = frame;
    const sizes = `${Object.keys(frame.sha256).join(", ")} and ${frame.small_size} px`;
    it(`${width}x${height}: bit-identical at ${sizes}`, () => {
      const rgba = syntheticRgba(width, height);
      expect(sha256(rgba), "fixture input formula drifted from make_fixtures.py").toBe(frame.input_sha256);
      const expected = gunzipSync(readFileSync(new URL(`./__fixtures__/${frame.small_file}`, import.meta.url)));
      const small = prepareFrame(rgba, width, height, frame.small_size);
      expect(reductionFactor(width, height, frame.small_size)).toBe(frame.small_factor);
      expect(compare(small, expected)).toEqual({ length: expected.length, worst: 0, differing: 0 });
      for (const [size, digest] of Object.entries(frame.sha256)) {
        expect(reductionFactor(width, height, Number(size))).toBe(frame.factor[size as keyof typeof frame.factor]);
        expect(sha256(prepareFrame(rgba, width, height, Number(size))), `${size} px`).toBe(digest);
      }
    });
  }

  it("differs from crop+resize without the reduction (what the page fed before) by several levels at 1920x1080", () => {
    const rgba = syntheticRgba(1920, 1080);
    const { worst } = compare(prepareFrame(rgba, 1920, 1080, 192), squareCropResize(rgba, 1920, 1080, 192));
    expect(worst).toBeGreaterThanOrEqual(2);
  });

  it("is the plain crop+resize when no reduction applies", () => {
    const rgba = syntheticRgba(640, 480);
    expect(prepareFrame(rgba, 640, 480, 192)).toEqual(squareCropResize(rgba, 640, 480, 192));
  });
});
