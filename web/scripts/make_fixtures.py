"""Write Pillow-made fixtures for web/src/inference/preprocess.test.ts.

Run from the repository root: ``.venv/bin/python web/scripts/make_fixtures.py``.
Inputs are synthetic RGBA images that the TypeScript test regenerates with the same formula
(`synthetic()` below and `syntheticRgba()` in the test); the expected 224x224 RGB outputs come
from the server's own ``skinscan.images.square_crop_resize``: the full 224x224 output as a
sha256 (exact match) and a small 48x48 output stored gzipped (to report pixel differences).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
from PIL import Image

from skinscan.images import square_crop_resize

OUT = Path(__file__).resolve().parents[1] / "src" / "inference" / "__fixtures__"
# (width, height): landscape and portrait shrinks, odd excess, exact side, an upscale,
# a large phone-like frame and a tiny photo.
FULL = 224  # the full-size output whose sha256 the test checks (any size works; the card's is not needed)
SIZES = [(640, 480), (480, 640), (301, 257), (224, 300), (100, 90), (1280, 720), (33, 40)]
SMALL = 48


def synthetic(width: int, height: int) -> np.ndarray:
    """Smooth gradients, stripes and hashed noise; uint8 [H, W, 4] with alpha 255."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    planes = []
    for c in range(3):
        noise = ((x * 73856093) ^ (y * 19349663) ^ (c * 83492791)) & 0xFFFFFFFF
        value = x * (3 + c) + y * (5 - c) + ((x * y) >> 4) + (noise % 41) + ((x // 7) % 2) * 60
        planes.append(value & 255)
    planes.append(np.full_like(x, 255))
    return np.stack(planes, axis=-1).astype(np.uint8)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    index = []
    for width, height in SIZES:
        rgba = synthetic(width, height)
        rgb = Image.fromarray(rgba, "RGBA").convert("RGB")
        expected = square_crop_resize(rgb, FULL)
        small = square_crop_resize(rgb, SMALL)
        name = f"synthetic_{width}x{height}_{SMALL}.rgb.gz"
        (OUT / name).write_bytes(gzip.compress(small.tobytes(), mtime=0))
        index.append(
            {
                "small_file": name,
                "small_size": SMALL,
                "width": width,
                "height": height,
                "input_sha256": hashlib.sha256(rgba.tobytes()).hexdigest(),
                "size": FULL,
                "sha256": hashlib.sha256(expected.tobytes()).hexdigest(),
            }
        )
    (OUT / "index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
