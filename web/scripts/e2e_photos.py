"""Test photos for the browser tests (web/scripts/e2e.mjs): ``python e2e_photos.py OUT_DIR``.

From the data set (``SKINSCAN_DATA``) when it is set, else generated lesion-like images. Besides
the photos themselves it writes variants that exercise the crop/resize and EXIF paths (a
non-square PNG, a JPEG stored sideways with EXIF orientation 6) and a raw 640x480 RGB frame for
Chromium's fake camera. Prints a JSON manifest.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

CAMERA_SIZE = (640, 480)


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


def _sources() -> list[tuple[str, Image.Image, bytes | None]]:
    data = os.environ.get("SKINSCAN_DATA")
    if data and (Path(data) / "test").is_dir():
        chosen = []
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

    text = out / "not-a-photo.txt"
    text.write_text("This is a text file, not a photo.\n", encoding="utf-8")
    corrupt = out / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 2000)

    manifest = {
        "photos": photos,
        "camera": {"file": str(raw_frame), "width": CAMERA_SIZE[0], "height": CAMERA_SIZE[1]},
        "text": str(text),
        "corrupt": str(corrupt),
        "from_data_set": sources[0][2] is not None,
    }
    json.dump(manifest, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
