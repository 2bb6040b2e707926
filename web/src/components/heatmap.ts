/**
 * Drawing the explanation heat map: the model's evidence grid (h x w, 0..1) stretched smoothly
 * over the square the model saw. The colour ramp is perceptually ordered and readable with the
 * common colour-vision deficiencies (dark purple -> red -> orange -> pale yellow, like "inferno"),
 * and its opacity grows with the value from EVIDENCE_FLOOR up: below it a cell is not tinted at all,
 * so the map marks where the evidence is and leaves the rest of the photo as it was.
 */

/** Evidence below this (0..1) leaves the photo untinted. */
export const EVIDENCE_FLOOR = 0.2;

/** Opacity (0..1) of the tint for evidence v: 0 up to the floor, then rising to 0.85 at 1. */
export function evidenceAlpha(v: number): number {
  const x = (Math.min(Math.max(v, 0), 1) - EVIDENCE_FLOOR) / (1 - EVIDENCE_FLOOR);
  return x <= 0 ? 0 : 0.85 * x;
}

const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [40, 11, 84],
  [101, 21, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];

/** The ramp colour for v in 0..1. */
export function rampColour(v: number): [number, number, number] {
  const x = Math.min(Math.max(v, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/** The highest value of the grid (0 for an empty or all-zero grid). */
export function evidencePeak(evidence: readonly (readonly number[])[]): number {
  return evidence.reduce((peak, row) => row.reduce((m, v) => Math.max(m, v), peak), 0);
}

/** The grid as RGBA pixels, one per cell. */
export function evidencePixels(evidence: readonly (readonly number[])[]): ImageData | null {
  const h = evidence.length;
  const w = evidence[0]?.length ?? 0;
  if (h === 0 || w === 0) return null;
  const data = new Uint8ClampedArray(w * h * 4);
  evidence.forEach((row, y) =>
    row.forEach((raw, x) => {
      const v = Math.min(Math.max(raw, 0), 1);
      const [r, g, b] = rampColour(v);
      data.set([r, g, b, Math.round(255 * evidenceAlpha(v))], (y * w + x) * 4);
    }),
  );
  return new ImageData(data, w, h);
}

/** Draw photo (when given) and the evidence over it into a `size` x `size` area at (x, y). */
export function drawEvidence(
  context: CanvasRenderingContext2D,
  evidence: readonly (readonly number[])[],
  photo: CanvasImageSource | null,
  x = 0,
  y = 0,
  size = context.canvas.width,
): void {
  if (photo) context.drawImage(photo, x, y, size, size);
  const pixels = evidencePixels(evidence);
  if (!pixels) return;
  const cells = document.createElement("canvas");
  cells.width = pixels.width;
  cells.height = pixels.height;
  cells.getContext("2d")?.putImageData(pixels, 0, 0);
  context.save();
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(cells, x, y, size, size);
  context.restore();
}

/** Load a data/blob URL as an image for drawing. */
export function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("image could not be loaded"));
    image.src = src;
  });
}
