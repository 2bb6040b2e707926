"""Photo changes that evaluation applies to held-out photos (numpy + Pillow, no torch).

- ``DEGRADATIONS``: unusable photos (strong) and everyday imperfections (mild), per kind; training
  places the quality thresholds between the two on validation photos (``training.quality``), and
  evaluation measures the refusal rates on held-out photos.
- ``STEADINESS``: mirror, turns and +-20% light (then JPEG q92), under which an answer must not change;
  ``ROBUSTNESS``: a slight blur and a harsh JPEG; ``BLUR_LEVELS``: the blur a photo is refused for.
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


def blur_of_side(fraction: float) -> Degrade:
    """Gaussian blur whose sigma is ``fraction`` of the photo's shorter side (issue 17's 2% and 4%)."""
    return _pil(lambda im: im.filter(ImageFilter.GaussianBlur(fraction * min(im.size))))


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
    "defocus": {
        "strong": ("Gaussian blur, sigma 2% of the side", 0.02),
        "soft": ("sigma 1% of the side", 0.01),
        "mild": ("sigma 0.5% of the side", 0.005),
    },
    "dark": {"strong": ("brightness x 0.2", 0.2), "mild": ("brightness x 0.75", 0.75)},
    "burnt_out": {"strong": ("brightness x 3.0", 3.0), "mild": ("brightness x 1.25", 1.25)},
}

ROBUSTNESS: dict[str, Degrade] = {
    # mirror, turns and light are in STEADINESS, issue 17's blur levels in BLUR_LEVELS
    "blur_radius_1": lambda a: np.asarray(Image.fromarray(a).filter(ImageFilter.GaussianBlur(1)), dtype=np.uint8),
    "jpeg_quality_30": jpeg(30),
}


def degrader(kind: str, level: str) -> Degrade:
    parameter = DEGRADATIONS[kind][level][1]
    return blur_of_side(parameter) if kind == "defocus" else exposure(parameter)


def apply(images: np.ndarray, fn: Degrade) -> np.ndarray:
    return np.stack([fn(a) for a in images]) if len(images) else images


def then_jpeg(fn: Degrade, quality_level: int = 92) -> Degrade:
    """``fn`` followed by a JPEG re-encode, as a photo that was turned or edited and sent again would be."""
    encode = jpeg(quality_level)
    return lambda a: encode(fn(a))


STEADINESS_JPEG_QUALITY = 92
STEADINESS: dict[str, Degrade] = {
    # issue 17: the same photo mirrored, turned or made 20% brighter/darker must keep its answer; each view is
    # re-encoded as JPEG q92 and compared with the re-encoded original.
    "mirror": then_jpeg(lambda a: np.ascontiguousarray(a[:, ::-1]), STEADINESS_JPEG_QUALITY),
    "turn_90": then_jpeg(lambda a: np.ascontiguousarray(np.rot90(a)), STEADINESS_JPEG_QUALITY),
    "turn_180": then_jpeg(lambda a: np.ascontiguousarray(np.rot90(a, 2)), STEADINESS_JPEG_QUALITY),
    "brighter_20%": then_jpeg(exposure(1.2), STEADINESS_JPEG_QUALITY),
    "darker_20%": then_jpeg(exposure(0.8), STEADINESS_JPEG_QUALITY),
}
BLUR_LEVELS = {"2%": 0.02, "4%": 0.04}
"""Issue 17's blur levels: Gaussian sigma as a share of the photo's shorter side."""
