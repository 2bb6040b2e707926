"""Test photos for the browser tests (web/scripts/e2e.mjs): ``python e2e_photos.py OUT_DIR``.

From the data set (``SKINSCAN_DATA``) when it is set, else generated lesion-like images. Besides
the photos themselves it writes variants that exercise the crop/resize and EXIF paths (a
non-square PNG, a JPEG stored sideways with EXIF orientation 6), a raw 640x480 RGB frame for
Chromium's fake camera, an everyday (blue-toned) photo that the stand-in model's gate refuses, and
two hand-held camera recordings (YUV4MPEG2, for ``--use-file-for-fake-video-capture``): the lesion
photo and the everyday photo, each drifting up to 35 px, breathing +-10% in brightness and now and
then blurred, as a phone held over a spot. Prints a JSON manifest.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

CAMERA_SIZE = (640, 480)
RECORDING_SIZE = (480, 360)
RECORDING_FPS = 15
RECORDING_SECONDS = 6
DRIFT_PX = 35
BRIGHTNESS = 0.10


def _generated(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    h, w = 300, 400
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    skin = np.array([224, 180, 150], np.float32) + rng.normal(0, 6, (h, w, 3))
    cx, cy = w / 2 + rng.uniform(-30, 30), h / 2 + rng.uniform(-20, 20)
    r = np.hypot((x - cx) / rng.uniform(50, 90), (y - cy) / rng.uniform(40, 80))
    spot = np.clip(1.2 - r, 0, 1)[..., None]
    lesion = np.array([90, 55, 40], np.float32) * rng.uniform(0.6, 1.2)
    pixels = skin * (1 - spot) + lesion * spot
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _everyday() -> Image.Image:
    """A blue-toned everyday scene (sky, sea, a boat): not a close-up of skin."""
    h, w = 300, 400
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    sky = np.stack([90 + 0.1 * y, 140 + 0.15 * y, 230 - 0.05 * y], axis=-1)
    sea = np.stack([20 + 0 * y, 70 + 0.1 * (y - 180), 150 + 0.2 * (y - 180)], axis=-1)
    pixels = np.where((y > 180)[..., None], sea, sky)
    boat = (np.abs(x - 250) < 40) & (np.abs(y - 172) < 10)
    pixels[boat] = (240, 240, 245)
    pixels += np.random.default_rng(7).normal(0, 4, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _handheld(photo: Image.Image, background: tuple[int, int, int], seed: int) -> tuple[list[np.ndarray], set[int]]:
    """Frames of `photo` as a hand-held phone films it: drift, brightness, occasional blur (and which)."""
    rng = np.random.default_rng(seed)
    w, h = RECORDING_SIZE
    stage = Image.new("RGB", (w + 2 * DRIFT_PX, h + 2 * DRIFT_PX), background)
    stage.paste(photo.resize((h, h), Image.Resampling.BICUBIC), ((stage.width - h) // 2, (stage.height - h) // 2))
    count = RECORDING_FPS * RECORDING_SECONDS
    phase = rng.uniform(0, 2 * np.pi, 4)
    blurred = set(rng.choice(count, size=count // 12, replace=False).tolist())
    frames = []
    for i in range(count):
        t = 2 * np.pi * i / count
        dx = round(DRIFT_PX * np.sin(2 * t + phase[0]) * 0.7 + rng.uniform(-0.3, 0.3) * DRIFT_PX)
        dy = round(DRIFT_PX * np.sin(3 * t + phase[1]) * 0.7 + rng.uniform(-0.3, 0.3) * DRIFT_PX)
        dx, dy = (int(np.clip(d, -DRIFT_PX, DRIFT_PX)) for d in (dx, dy))
        frame = stage.crop((DRIFT_PX + dx, DRIFT_PX + dy, DRIFT_PX + dx + w, DRIFT_PX + dy + h))
        if i in blurred:
            frame = frame.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(4, 6))))
        gain = 1 + BRIGHTNESS * np.sin(t * 2.5 + phase[2])
        frames.append(np.clip(np.asarray(frame, np.float32) * gain, 0, 255).astype(np.uint8))
    return frames, blurred


def write_y4m(frames: list[np.ndarray], path: Path, fps: int) -> None:
    """YUV4MPEG2, 4:2:0, BT.601 limited range (what Chromium's fake camera reads)."""
    h, w, _ = frames[0].shape
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            rgb = frame.astype(np.float32)
            r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
            luma = 16 + 0.257 * r + 0.504 * g + 0.098 * b
            quad = rgb.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
            qr, qg, qb = quad[..., 0], quad[..., 1], quad[..., 2]
            u = 128 - 0.148 * qr - 0.291 * qg + 0.439 * qb
            v = 128 + 0.439 * qr - 0.368 * qg - 0.071 * qb
            out.write(b"FRAME\n")
            for plane in (luma, u, v):
                out.write(np.clip(np.rint(plane), 0, 255).astype(np.uint8).tobytes())


def _sources() -> list[tuple[str, Image.Image, bytes | None]]:
    data = os.environ.get("SKINSCAN_DATA")
    if data and (Path(data) / "test").is_dir():
        chosen: list[tuple[str, Image.Image, bytes | None]] = []
        for label in ("benign", "malignant"):
            files = sorted((Path(data) / "test" / label).glob("*.jpg"), key=lambda p: p.name)[:2]
            chosen += [(f"{label}-{p.stem}.jpg", Image.open(p).convert("RGB"), p.read_bytes()) for p in files]
        if len(chosen) >= 3:
            return chosen
    return [(f"generated-{i}.jpg", _generated(i), None) for i in range(4)]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    photos = []
    sources = _sources()
    for name, image, raw in sources:
        path = out / name
        if raw is not None:
            path.write_bytes(raw)
        else:
            image.save(path, quality=92)
        photos.append({"file": str(path), "kind": "photo"})

    first, second, third = (s[1] for s in sources[:3])
    wide = out / "variant-wide.png"
    first.resize((700, 500), Image.Resampling.BICUBIC).save(wide)
    photos.append({"file": str(wide), "kind": "non-square PNG, shrunk by the model crop"})

    sideways = out / "variant-exif6.jpg"
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    second.resize((480, 360)).transpose(Image.Transpose.ROTATE_90).save(buffer, "JPEG", quality=95, exif=exif)
    sideways.write_bytes(buffer.getvalue())
    photos.append({"file": str(sideways), "kind": "JPEG with EXIF orientation 6"})

    # Camera frame: the third photo centred on a skin-coloured 640x480 background.
    frame = Image.new("RGB", CAMERA_SIZE, (214, 170, 140))
    side = CAMERA_SIZE[1]
    frame.paste(third.resize((side, side), Image.Resampling.BICUBIC), ((CAMERA_SIZE[0] - side) // 2, 0))
    raw_frame = out / "camera-frame.rgb"
    raw_frame.write_bytes(frame.tobytes())

    everyday_image = _everyday()
    everyday = out / "everyday-blue.jpg"
    everyday_image.save(everyday, quality=92)
    skin = (214, 170, 140)
    recordings: dict[str, object] = {"width": RECORDING_SIZE[0], "height": RECORDING_SIZE[1], "fps": RECORDING_FPS}
    for name, image, background, seed in (("lesion", third, skin, 1), ("everyday", everyday_image, (90, 140, 220), 2)):
        path = out / f"handheld-{name}.y4m"
        frames, blurred = _handheld(image, background, seed)
        write_y4m(frames, path, RECORDING_FPS)
        recordings[name] = str(path)
        # A few sharp frames as PNG, for asking the server what the model says about this recording.
        samples = []
        for i in (i for i in range(0, len(frames), 6) if i not in blurred):
            sample = out / f"handheld-{name}-{i:03d}.png"
            Image.fromarray(frames[i]).save(sample)
            samples.append(str(sample))
        recordings[f"{name}_samples"] = samples

    text = out / "not-a-photo.txt"
    text.write_text("This is a text file, not a photo.\n", encoding="utf-8")
    corrupt = out / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 2000)

    manifest = {
        "photos": photos,
        "camera": {"file": str(raw_frame), "width": CAMERA_SIZE[0], "height": CAMERA_SIZE[1]},
        "everyday": str(everyday),
        "recordings": recordings,
        "text": str(text),
        "corrupt": str(corrupt),
        "from_data_set": sources[0][2] is not None,
    }
    json.dump(manifest, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
