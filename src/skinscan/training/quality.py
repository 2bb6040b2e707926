"""Photo-quality checks: the degradations we guard against and the thresholds, chosen on validation.

The signals themselves are computed inside the model graph (``model.quality_signals``), so the
server and the browser read the same numbers. Here we decide where "unusable" starts, on validation
lesion photos: midway between their *mild* degradations (within the training augmentation's range,
which must pass) and their *strong* ones (which must be refused), never refusing more than 1 % of
any source's clean photos. Evaluation then measures both rates on held-out photos.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageEnhance, ImageFilter

from skinscan.training.model import QUALITY_SIGNALS, quality_signals

REFERENCE_SIZE = 224
"""Degradation levels are stated for a 224 px photo and scaled to the input size."""
Degrade = Callable[[np.ndarray], np.ndarray]


def _pil(fn: Callable[[Image.Image], Image.Image]) -> Degrade:
    return lambda a: np.asarray(fn(Image.fromarray(a)), dtype=np.uint8)


def defocus(radius_at_224: float) -> Degrade:
    return _pil(lambda im: im.filter(ImageFilter.GaussianBlur(radius_at_224 * im.width / REFERENCE_SIZE)))


def exposure(factor: float) -> Degrade:
    return _pil(lambda im: ImageEnhance.Brightness(im).enhance(factor))


DEGRADATIONS: dict[str, dict[str, tuple[str, float]]] = {
    # kind -> level -> (description, parameter)
    "defocus": {"strong": ("Gaussian blur radius 6 px at 224 px", 6.0), "mild": ("radius 1 px", 1.0)},
    "dark": {"strong": ("brightness x 0.2", 0.2), "mild": ("brightness x 0.75", 0.75)},
    "burnt_out": {"strong": ("brightness x 3.0", 3.0), "mild": ("brightness x 1.25", 1.25)},
}
CHECKS = (
    # signal, bound, reason, the degradation it answers (None: no synthetic degradation)
    ("sharpness", "min", "out_of_focus", "defocus"),
    ("brightness", "min", "too_dark", "dark"),
    ("overexposed", "max", "overexposed", "burnt_out"),
    ("contrast", "min", "low_contrast", None),
)
CLEAN_KEEP = 0.99
MILD_KEEP = 0.975
STRONG_REFUSE = 0.95
CONTRAST_MARGIN = 0.5
"""Low contrast has no synthetic degradation: refuse below half the least contrast of clean photos."""
MIN_SIDE = 64
"""A photo whose shorter side is below this many pixels is refused as too small."""


def degrader(kind: str, level: str) -> Degrade:
    parameter = DEGRADATIONS[kind][level][1]
    return defocus(parameter) if kind == "defocus" else exposure(parameter)


def apply(images: np.ndarray, fn: Degrade) -> np.ndarray:
    return np.stack([fn(a) for a in images]) if len(images) else images


@torch.no_grad()
def signals(images: np.ndarray, batch_size: int = 128) -> np.ndarray:
    """uint8 NHWC -> float [N, 4] quality signals (the graph's own function)."""
    out = [
        quality_signals(torch.from_numpy(images[i : i + batch_size]).permute(0, 3, 1, 2).float() / 255.0).numpy()
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(out) if out else np.zeros((0, len(QUALITY_SIGNALS)), np.float32)


def fit_thresholds(images: np.ndarray, sources: np.ndarray) -> dict[str, Any]:
    """Thresholds from clean lesion validation photos (per source) and their mild and strong degradations.

    Each sits midway between what must pass (mild) and what must not (strong), so that both sides keep
    a margin for photos unlike ours; it never refuses more than 1 % of any source's clean photos.
    """
    clean = signals(images)
    checks = []
    for signal, bound, reason, kind in CHECKS:
        col = QUALITY_SIGNALS.index(signal)
        low = bound == "min"
        per_source = [
            float(np.quantile(clean[sources == s, col], 1 - CLEAN_KEEP if low else CLEAN_KEEP))
            for s in np.unique(sources)
        ]
        clean_limit = min(per_source) if low else max(per_source)
        if kind is None:
            threshold = clean_limit * CONTRAST_MARGIN
        else:
            mild = signals(apply(images, degrader(kind, "mild")))[:, col]
            strong = signals(apply(images, degrader(kind, "strong")))[:, col]
            keep = float(np.quantile(mild, 1 - MILD_KEEP if low else MILD_KEEP))
            refuse = float(np.quantile(strong, STRONG_REFUSE if low else 1 - STRONG_REFUSE))
            threshold = (keep + refuse) / 2
            threshold = min(threshold, clean_limit) if low else max(threshold, clean_limit)
        checks.append({"signal": signal, bound: round(threshold, 6), "reason": reason})
    return {"signals": list(QUALITY_SIGNALS), "min_side": MIN_SIDE, "checks": checks}
