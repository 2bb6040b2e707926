/**
 * The model's view of a photo, exactly as the server prepares it (`skinscan.images.prepare` after
 * decoding): `prepareFrame` box-reduces a large upright frame by an integer factor (Pillow's
 * `Image.reduce`, see `reductionFactor`), takes the largest centred square and resizes it to the
 * card's input size (`input.size`, never hard-coded) with Pillow's `Image.resize(BILINEAR)`.
 *
 * Pillow's bilinear resize is a separable triangle filter. When it shrinks, the filter's support
 * is widened by the reduction factor, so every source pixel contributes (no aliasing). It runs a
 * horizontal pass, rounds to 8 bits, then a vertical pass. Weights are normalised per output
 * pixel, then converted to 22-bit fixed point; sums start at half a unit and are truncated.
 * Pillow's reduce averages k x k blocks from the top-left corner (partial blocks at the right and
 * bottom edges average what they hold) with its own fixed-point division. This file re-implements
 * both so the browser feeds the model the same bytes as the server, for every frame size (checked
 * against Pillow-made fixtures in `preprocess.test.ts`).
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
 * The integer box reduction applied to an upright frame before the crop: the largest k that keeps
 * the short side at least twice the model's input size (1 = none). Same rule as the server's
 * `skinscan.images.reduction_factor`.
 */
export function reductionFactor(width: number, height: number, size: number): number {
  return Math.max(1, Math.floor(Math.min(width, height) / (2 * size)));
}

/**
 * Pillow's `division_UINT32(n, 8)`: 2^32 / (256 n) computed in single precision and truncated; a
 * block of n pixels averages to `((sum + floor(n / 2)) * multiplier) >> 24`.
 */
function reduceMultiplier(n: number): number {
  return Math.trunc(Math.fround(4294967296 / Math.fround(256 * n)));
}

/**
 * The `side` x `side` square at (`left`, `top`) of the frame box-reduced by `k` (reduced
 * coordinates), as RGBA with alpha 255: only the blocks the crop keeps are computed.
 */
function reducedSquare(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  k: number,
  box: CropBox,
): Uint8Array {
  const { left, top, side } = box;
  const out = new Uint8Array(side * side * 4);
  const full = reduceMultiplier(k * k);
  const fullAmend = (k * k) >> 1;
  for (let y = 0; y < side; y++) {
    const y0 = (top + y) * k;
    const y1 = Math.min(y0 + k, height);
    for (let x = 0; x < side; x++) {
      const x0 = (left + x) * k;
      const x1 = Math.min(x0 + k, width);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      for (let yy = y0; yy < y1; yy++) {
        let src = (yy * width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, src += 4) {
          s0 += rgba[src]!;
          s1 += rgba[src + 1]!;
          s2 += rgba[src + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const multiplier = n === k * k ? full : reduceMultiplier(n);
      const amend = n === k * k ? fullAmend : n >> 1;
      const dst = (y * side + x) * 4;
      // (sum + amend) * multiplier < 2^32: exact in a double, then the unsigned shift by 24.
      out[dst] = Math.floor(((s0 + amend) * multiplier) / 16777216);
      out[dst + 1] = Math.floor(((s1 + amend) * multiplier) / 16777216);
      out[dst + 2] = Math.floor(((s2 + amend) * multiplier) / 16777216);
      out[dst + 3] = 255;
    }
  }
  return out;
}

function checkFrame(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): void {
  if (width <= 0 || height <= 0 || rgba.length < width * height * 4) {
    throw new RangeError(`expected ${width}x${height} RGBA pixels, got ${rgba.length} bytes`);
  }
}

/**
 * The model input for an upright RGBA frame (as `getImageData` returns it): box-reduce by
 * `reductionFactor`, then the largest centred square resized to `size` x `size`
 * (`skinscan.images.prepare` for a decoded photo). Returns packed RGB bytes, row-major: the uint8
 * [size, size, 3] model input. Alpha is dropped, as the server's decoder does.
 */
export function prepareFrame(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  size: number,
): Uint8Array {
  checkFrame(rgba, width, height);
  const k = reductionFactor(width, height, size);
  if (k === 1) return squareCropResize(rgba, width, height, size);
  const reducedWidth = Math.ceil(width / k);
  const reducedHeight = Math.ceil(height / k);
  const box = cropBox(reducedWidth, reducedHeight);
  const square = reducedSquare(rgba, width, height, k, box);
  return resizeSquare(square, box.side, { left: 0, top: 0, side: box.side }, size);
}

/**
 * Crop the largest centred square from RGBA pixels and resize it to `size` x `size`, without the
 * early reduction (`skinscan.images.square_crop_resize`). Returns packed RGB bytes.
 */
export function squareCropResize(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  size: number,
): Uint8Array {
  checkFrame(rgba, width, height);
  return resizeSquare(rgba, width, cropBox(width, height), size);
}

/** The square `box` of RGBA pixels (rows of `width` pixels) as packed RGB, unscaled. */
function copySquare(rgba: Uint8Array | Uint8ClampedArray, width: number, box: CropBox): Uint8Array {
  const { left, top, side } = box;
  const out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    let src = ((top + y) * width + left) * 4;
    let dst = y * side * 3;
    for (let x = 0; x < side; x++, src += 4, dst += 3) {
      out[dst] = rgba[src]!;
      out[dst + 1] = rgba[src + 1]!;
      out[dst + 2] = rgba[src + 2]!;
    }
  }
  return out;
}

/** Resize the square `box` of RGBA pixels (rows of `width` pixels) to `size` x `size` packed RGB. */
function resizeSquare(rgba: Uint8Array | Uint8ClampedArray, width: number, box: CropBox, size: number): Uint8Array {
  const { left, top, side } = box;
  // Pillow skips the resize when the crop already has the model's size: a plain copy.
  if (side === size) return copySquare(rgba, width, box);
  const out = new Uint8Array(size * size * 3);

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
