"""Photo changes that evaluation applies to held-out photos (numpy + Pillow, no torch).

- ``DEGRADATIONS``: unusable photos (strong) and everyday imperfections (mild), per kind; training
  places the quality thresholds between the two on validation photos (``training.quality``), and
  evaluation measures the refusal rates on held-out photos.
- ``ROBUSTNESS``: everyday changes (mirror, turn, light, blur, JPEG) under which an answer should not flip.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

REFERENCE_SIZE = 224
"""Degradation levels are stated for a 224 px photo and scaled to the input size."""
Degrade = Callable[[np.ndarray], np.ndarray]


def _pil(fn: Callable[[Image.Image], Image.Image]) -> Degrade:
    return lambda a: np.asarray(fn(Image.fromarray(a)), dtype=np.uint8)


def defocus(radius_at_224: float) -> Degrade:
    return _pil(lambda im: im.filter(ImageFilter.GaussianBlur(radius_at_224 * im.width / REFERENCE_SIZE)))


def exposure(factor: float) -> Degrade:
    return _pil(lambda im: ImageEnhance.Brightness(im).enhance(factor))


def jpeg(quality_level: int) -> Degrade:
    def fn(a: np.ndarray) -> np.ndarray:
        buffer = io.BytesIO()
        Image.fromarray(a).save(buffer, "JPEG", quality=quality_level)
        return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.uint8)

    return fn


DEGRADATIONS: dict[str, dict[str, tuple[str, float]]] = {
    # kind -> level -> (description, parameter)
    "defocus": {"strong": ("Gaussian blur radius 6 px at 224 px", 6.0), "mild": ("radius 1 px", 1.0)},
    "dark": {"strong": ("brightness x 0.2", 0.2), "mild": ("brightness x 0.75", 0.75)},
    "burnt_out": {"strong": ("brightness x 3.0", 3.0), "mild": ("brightness x 1.25", 1.25)},
}

ROBUSTNESS: dict[str, Degrade] = {
    "horizontal_flip": lambda a: np.ascontiguousarray(a[:, ::-1]),
    "rotate_90": lambda a: np.ascontiguousarray(np.rot90(a)),
    "brightness_+20%": exposure(1.2),
    "brightness_-20%": exposure(0.8),
    "blur_radius_1": lambda a: np.asarray(Image.fromarray(a).filter(ImageFilter.GaussianBlur(1)), dtype=np.uint8),
    "jpeg_quality_30": jpeg(30),
}


def degrader(kind: str, level: str) -> Degrade:
    parameter = DEGRADATIONS[kind][level][1]
    return defocus(parameter) if kind == "defocus" else exposure(parameter)


def apply(images: np.ndarray, fn: Degrade) -> np.ndarray:
    return np.stack([fn(a) for a in images]) if len(images) else images
