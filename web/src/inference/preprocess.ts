/**
 * The model's view of a photo: the largest centred square, resized to the card's input size
 * (`input.size`, never hard-coded) exactly as the server does it (`skinscan.images.square_crop_resize`,
 * i.e. Pillow's `Image.resize(BILINEAR)`).
 *
 * Pillow's bilinear resize is a separable triangle filter. When it shrinks, the filter's support
 * is widened by the reduction factor, so every source pixel contributes (no aliasing). It runs a
 * horizontal pass, rounds to 8 bits, then a vertical pass. Weights are normalised per output
 * pixel, then converted to 22-bit fixed point; sums start at half a unit and are truncated.
 * This file re-implements that arithmetic so the browser feeds the model the same bytes as the
 * server (checked against Pillow-made fixtures in `preprocess.test.ts`).
 */

/** Fixed-point precision of Pillow's 8-bit resampler (32 bits - 8 bits of value - 2 guard bits). */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
/** The triangle (bilinear) filter reaches one source pixel on each side at scale 1. */
const BILINEAR_SUPPORT = 1.0;

export interface CropBox {
  left: number;
  top: number;
  side: number;
}

/** Largest centred square, with the server's integer rounding (floor of half the excess). */
export function cropBox(width: number, height: number): CropBox {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side };
}

/** Per-output-pixel source window and fixed-point weights for one axis. */
interface AxisCoefficients {
  /** First source index used by each output pixel. */
  start: Int32Array;
  /** Number of source pixels used by each output pixel. */
  count: Int32Array;
  /** `kernelSize` weights per output pixel, 22-bit fixed point. */
  weights: Int32Array;
  kernelSize: number;
}

function triangle(x: number): number {
  const ax = Math.abs(x);
  return ax < 1 ? 1 - ax : 0;
}

/** Filter windows and weights for resampling `inSize` pixels to `outSize` (Pillow's arithmetic). */
export function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BILINEAR_SUPPORT * filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * kernelSize);
  const raw = new Float64Array(kernelSize);
  const inverse = 1 / filterScale;
  for (let out = 0; out < outSize; out++) {
    const centre = (out + 0.5) * scale;
    // C truncates toward zero when converting to int; negative values are clamped anyway.
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const end = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const n = end - first;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = triangle((i + first - centre + 0.5) * inverse);
      raw[i] = w;
      total += w;
    }
    for (let i = 0; i < n; i++) {
      const w = total !== 0 ? raw[i]! / total : raw[i]!;
      // Round half away from zero into fixed point (the weights of a triangle are never negative).
      weights[out * kernelSize + i] = Math.trunc(w < 0 ? w * ONE - 0.5 : w * ONE + 0.5);
    }
    start[out] = first;
    count[out] = n;
  }
  return { start, count, weights, kernelSize };
}

function clip8(sum: number): number {
  // `sum` fits in a signed 32-bit integer, so `>>` is the C arithmetic shift.
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Crop the largest centred square from RGBA pixels (as `getImageData` returns them) and resize it
 * to `size` x `size`. Returns packed RGB bytes, row-major: the uint8 [size, size, 3] model input.
 * Alpha is dropped, as Pillow's `convert("RGB")` does.
 */
export function squareCropResize(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  size: number,
): Uint8Array {
  if (width <= 0 || height <= 0 || rgba.length < width * height * 4) {
    throw new RangeError(`expected ${width}x${height} RGBA pixels, got ${rgba.length} bytes`);
  }
  const { left, top, side } = cropBox(width, height);
  const out = new Uint8Array(size * size * 3);

  if (side === size) {
    // Pillow skips the resize when the crop already has the model's size: a plain copy.
    for (let y = 0; y < size; y++) {
      let src = ((top + y) * width + left) * 4;
      let dst = y * size * 3;
      for (let x = 0; x < size; x++, src += 4, dst += 3) {
        out[dst] = rgba[src]!;
        out[dst + 1] = rgba[src + 1]!;
        out[dst + 2] = rgba[src + 2]!;
      }
    }
    return out;
  }

  const horizontal = axisCoefficients(side, size);
  const vertical = axisCoefficients(side, size);

  // Horizontal pass only over the source rows that the vertical pass will read.
  const firstRow = vertical.start[0]!;
  const lastRow = vertical.start[size - 1]! + vertical.count[size - 1]!;
  const rows = lastRow - firstRow;
  const temp = new Uint8Array(rows * size * 3);
  const hk = horizontal.kernelSize;
  for (let r = 0; r < rows; r++) {
    const rowBase = ((top + firstRow + r) * width + left) * 4;
    const tempBase = r * size * 3;
    for (let x = 0; x < size; x++) {
      const first = horizontal.start[x]!;
      const n = horizontal.count[x]!;
      const kBase = x * hk;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let src = rowBase + first * 4;
      for (let i = 0; i < n; i++, src += 4) {
        const k = horizontal.weights[kBase + i]!;
        s0 += rgba[src]! * k;
        s1 += rgba[src + 1]! * k;
        s2 += rgba[src + 2]! * k;
      }
      const dst = tempBase + x * 3;
      temp[dst] = clip8(s0);
      temp[dst + 1] = clip8(s1);
      temp[dst + 2] = clip8(s2);
    }
  }

  const vk = vertical.kernelSize;
  const stride = size * 3;
  for (let y = 0; y < size; y++) {
    const first = vertical.start[y]! - firstRow;
    const n = vertical.count[y]!;
    const kBase = y * vk;
    const dstBase = y * stride;
    for (let c = 0; c < stride; c++) {
      let s = HALF;
      let src = first * stride + c;
      for (let i = 0; i < n; i++, src += stride) {
        s += temp[src]! * vertical.weights[kBase + i]!;
      }
      out[dstBase + c] = clip8(s);
    }
  }
  return out;
}
