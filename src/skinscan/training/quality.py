"""Photo-quality checks: the thresholds, chosen on validation (the degradations: ``evaluation.degradations``).

The signals themselves are computed inside the model graph (``model.quality_signals``), so the
server and the browser read the same numbers. Here we decide where "unusable" starts, on validation
lesion photos: midway between their *mild* degradations (within the training augmentation's range,
which must pass) and their *strong* ones (which must be refused), never refusing more than 1 % of
any source's clean photos. Evaluation then measures both rates on held-out photos.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from skinscan.evaluation.degradations import apply, degrader
from skinscan.training.model import QUALITY_SIGNALS, quality_signals

CHECKS = (
    # signal, bound, reason, the degradation it answers (None: no synthetic degradation)
    ("focus", "min", "out_of_focus", "defocus"),
    ("brightness", "min", "too_dark", "dark"),
    ("overexposed", "max", "overexposed", "burnt_out"),
    ("contrast", "min", "low_contrast", None),
)
CLEAN_KEEP = 0.99
FOCUS_REFUSE = 0.99
"""Focus: the refusal anchor is the focus that 99% of validation photos blurred by 2% of the side stay under."""
MILD_KEEP = 0.975
STRONG_REFUSE = 0.95
CONTRAST_MARGIN = 0.5
"""Low contrast has no synthetic degradation: refuse below half the least contrast of clean photos."""
MIN_SIDE = 64
"""A photo whose shorter side is below this many pixels is refused as too small."""


@torch.no_grad()
def signals(images: np.ndarray, batch_size: int = 128) -> np.ndarray:
    """uint8 NHWC -> float [N, len(QUALITY_SIGNALS)] quality signals (the graph's own function)."""
    out = [
        quality_signals(torch.from_numpy(images[i : i + batch_size]).permute(0, 3, 1, 2).float() / 255.0).numpy()
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(out) if out else np.zeros((0, len(QUALITY_SIGNALS)), np.float32)


def fit_thresholds(images: np.ndarray, sources: np.ndarray) -> dict[str, Any]:
    """Thresholds from clean lesion validation photos (per source) and their mild and strong degradations.

    Each sits midway between what must pass (mild) and what must not (strong), so that both sides keep
    a margin for photos unlike ours; it never refuses more than 1 % of any source's clean photos.
    Focus is a ratio, so its midpoint is taken in logs, and the refusal anchor is stricter (99% of
    photos blurred by 2% of the side). ``low_needs``: an answer of "low" also needs the focus that 99%
    of photos blurred by 1% of the side stay under, so a blurred photo is never answered "low".
    """
    clean = signals(images)
    checks, low_needs = [], []
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
        elif signal == "focus":
            mild = signals(apply(images, degrader(kind, "mild")))[:, col]
            strong = signals(apply(images, degrader(kind, "strong")))[:, col]
            keep = min(clean_limit, float(np.quantile(mild, 1 - MILD_KEEP)))
            refuse = float(np.quantile(strong, FOCUS_REFUSE))
            threshold = min(float(np.sqrt(keep * refuse)), clean_limit)
            soft = signals(apply(images, degrader(kind, "soft")))[:, col]
            needed = float(np.clip(np.quantile(soft, FOCUS_REFUSE), threshold, clean_limit))
            low_needs.append({"signal": signal, "min": round(needed, 6), "reason": reason})
        else:
            mild = signals(apply(images, degrader(kind, "mild")))[:, col]
            strong = signals(apply(images, degrader(kind, "strong")))[:, col]
            keep = float(np.quantile(mild, 1 - MILD_KEEP if low else MILD_KEEP))
            refuse = float(np.quantile(strong, STRONG_REFUSE if low else 1 - STRONG_REFUSE))
            threshold = (keep + refuse) / 2
            threshold = min(threshold, clean_limit) if low else max(threshold, clean_limit)
        checks.append({"signal": signal, bound: round(threshold, 6), "reason": reason})
    return {"signals": list(QUALITY_SIGNALS), "min_side": MIN_SIDE, "checks": checks, "low_needs": low_needs}
