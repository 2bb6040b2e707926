"""Deterministic, lesion-like synthetic photos for benchmarks and tests.

Benchmarks need photos of an exact size (a 224 px crop, a 12 MP phone photo) that compress like
real ones (smooth skin, a dark blob, sensor noise), and they must be the same on every machine, so
they are drawn from a seed rather than taken from the data set.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def lesion_photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """An RGB photo: skin-toned gradient, an off-centre dark irregular blob, mild noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    skin = np.array([205.0, 160.0, 140.0], dtype=np.float32) + rng.normal(0, 8, 3).astype(np.float32)
    shade = 1.0 - 0.25 * (yy / max(height, 1)) - 0.1 * (xx / max(width, 1))
    image = skin[None, None, :] * shade[:, :, None]
    cy, cx = height * rng.uniform(0.4, 0.6), width * rng.uniform(0.4, 0.6)
    radius = min(width, height) * rng.uniform(0.15, 0.3)
    angle = np.arctan2(yy - cy, xx - cx)
    wobble = 1.0 + 0.15 * np.sin(3 * angle + rng.uniform(0, 6)) + 0.08 * np.sin(7 * angle)
    inside = np.hypot(yy - cy, xx - cx) < radius * wobble
    image[inside] *= np.array([0.45, 0.35, 0.33], dtype=np.float32)
    noisy = image + rng.normal(0, 5, image.shape).astype(np.float32)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def lesion_jpeg(width: int, height: int, seed: int = 0, quality: int = 90) -> bytes:
    return encode(lesion_photo(width, height, seed), "JPEG", quality=quality)
