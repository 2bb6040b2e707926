/**
 * Photo -> RGBA pixels at full resolution, upright (EXIF orientation applied, as the server's
 * `images.py` does from the one Orientation tag it reads), without colour management or alpha
 * premultiplication (the server ignores ICC profiles), so the pixels match what Pillow decodes.
 */

export async function decodePhoto(photo: Blob): Promise<ImageBitmap> {
  return createImageBitmap(photo, {
    imageOrientation: "from-image",
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
}

/** Draw a bitmap or a video frame 1:1 into a CPU-backed canvas and read its pixels back. */
export function readPixels(
  source: CanvasImageSource,
  width: number,
  height: number,
  canvas: HTMLCanvasElement = document.createElement("canvas"),
): ImageData {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true, alpha: false });
  if (!context) throw new Error("this browser cannot read image pixels (no 2D canvas)");
  context.imageSmoothingEnabled = false;
  context.drawImage(source, 0, 0, width, height);
  return context.getImageData(0, 0, width, height);
}

/** A canvas as a lossless PNG (what `capture` sends, so the server sees the frame's exact pixels). */
export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("could not encode the frame"))), "image/png");
  });
}

/** Packed RGB (the model input) -> ImageData for display. */
export function rgbToImageData(rgb: Uint8Array, size: number): ImageData {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  return new ImageData(rgba, size, size);
}
