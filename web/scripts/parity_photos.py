"""Photos for the browser's pixel-parity test (issue 17): ``python parity_photos.py OUT_DIR SIZE``.

Writes a lesion-like photo (``skinscan.bench.synthetic.lesion_photo``, with texture so JPEG has
something to encode) at 1280x720, 1024x768 and 1920x1080, each as PNG and as JPEG (quality 90,
4:2:0), and next to each the server's model input for it: ``skinscan.images.prepare(bytes, SIZE)``
as raw RGB bytes (``.expected.rgb``). Prints a JSON manifest. The browser test uploads each photo
and compares the page's model input (the preview canvas) with the server's, byte for byte.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from skinscan.bench.synthetic import lesion_photo
from skinscan.images import prepare, reduction_factor

SIZES = [(1280, 720), (1024, 768), (1920, 1080)]


def photo(width: int, height: int) -> Image.Image:
    base = np.asarray(lesion_photo(width, height, seed=width + height, malignant=True), np.float32)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    texture = 12 * np.sin(xx / 3.1) * np.sin(yy / 4.7) + 8 * np.sin((xx + 2 * yy) / 9.0)
    return Image.fromarray(np.clip(base + texture[..., None], 0, 255).astype(np.uint8), "RGB")


def main(out: Path, size: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for width, height in SIZES:
        image = photo(width, height)
        for fmt, ext, params in (("PNG", "png", {"compress_level": 1}), ("JPEG", "jpg", {"quality": 90})):
            buffer = io.BytesIO()
            image.save(buffer, fmt, **params)
            data = buffer.getvalue()
            path = out / f"parity-{width}x{height}.{ext}"
            path.write_bytes(data)
            expected = out / f"parity-{width}x{height}.{ext}.expected.rgb"
            expected.write_bytes(prepare(data, size).pixels.tobytes())
            files.append(
                {
                    "file": str(path),
                    "expected": str(expected),
                    "format": fmt,
                    "width": width,
                    "height": height,
                    "reduction": reduction_factor(width, height, size),
                    # the server decodes such a JPEG at reduced scale (libjpeg DCT scaling), which a
                    # browser cannot do: images._draft_for
                    "server_dct_scaled": fmt == "JPEG" and min(width, height) >= 4 * size,
                }
            )
    json.dump({"size": size, "files": files}, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
