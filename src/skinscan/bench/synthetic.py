"""Deterministic, lesion-like synthetic photos for benchmarks and tests.

Benchmarks need photos of an exact size (a 224 px crop, a 12 MP phone photo) that compress like
real ones (smooth skin, a dark blob, sensor noise), and they must be the same on every machine, so
they are drawn from a seed rather than taken from the data set.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

BLOB_DARKENING = {None: (0.45, 0.35, 0.33), True: (0.3, 0.2, 0.18), False: (0.75, 0.62, 0.58)}
"""Colour factors of the blob: the benchmark's lesion, a dark (malignant-looking) or a light one."""
BLOB_WOBBLE = {None: (0.15, 0.08), True: (0.3, 0.15), False: (0.02, 0.01)}
"""Border irregularity (amplitudes of 3- and 7-fold ripples): ragged for malignant, round for benign."""


def lesion_photo(width: int, height: int, seed: int = 0, *, malignant: bool | None = None) -> Image.Image:
    """An RGB photo: skin-toned gradient, an off-centre irregular blob, mild noise.

    ``malignant``: None for the benchmarks' lesion; True or False for the two classes of the
    synthetic training set (tests/conftest.py): dark and ragged, or light and round.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    skin = np.array([205.0, 160.0, 140.0], dtype=np.float32) + rng.normal(0, 8, 3).astype(np.float32)
    shade = 1.0 - 0.25 * (yy / max(height, 1)) - 0.1 * (xx / max(width, 1))
    image = skin[None, None, :] * shade[:, :, None]
    cy, cx = height * rng.uniform(0.4, 0.6), width * rng.uniform(0.4, 0.6)
    radius = min(width, height) * rng.uniform(0.15, 0.3)
    angle = np.arctan2(yy - cy, xx - cx)
    three, seven = BLOB_WOBBLE[malignant]
    wobble = 1.0 + three * np.sin(3 * angle + rng.uniform(0, 6)) + seven * np.sin(7 * angle)
    inside = np.hypot(yy - cy, xx - cx) < radius * wobble
    image[inside] *= np.array(BLOB_DARKENING[malignant], dtype=np.float32)
    noisy = image + rng.normal(0, 5, image.shape).astype(np.float32)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def lesion_jpeg(width: int, height: int, seed: int = 0, quality: int = 90) -> bytes:
    return encode(lesion_photo(width, height, seed), "JPEG", quality=quality)
