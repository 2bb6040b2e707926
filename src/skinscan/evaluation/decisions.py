"""The serving decision (``predictor.decide``) over many photos, and the metrics of a set's decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skinscan.evaluation.metrics import metrics_with_intervals, point_metrics
from skinscan.predictor import Answer, Predictor, quality_reasons
from skinscan.predictor import decide as decide_photo


@dataclass
class Decision:
    """The serving decision for a batch of photos, with the numbers behind it."""

    p: np.ndarray
    p_lesion: np.ndarray
    quality_refused: np.ndarray
    """The photo-quality checks alone refuse it."""
    gate_refused: np.ndarray
    """The gate alone refuses it (p_lesion below the card's threshold)."""
    accepted: np.ndarray
    """The server would answer it (``decide`` returns an Answer)."""


def decide(predictor: Predictor, images: np.ndarray, batch_size: int = 32) -> Decision:
    """Run the model file and apply the card's decision exactly as the server does, photo by photo."""
    card = predictor.card
    p, p_lesion, quality_refused, accepted = [], [], [], []
    for start in range(0, len(images), batch_size):
        outputs = predictor.run_arrays(images[start : start + batch_size])
        for i in range(len(outputs)):
            photo = outputs.photo(i)
            p.append(photo.p_malignant)
            p_lesion.append(1.0 if photo.p_lesion is None else photo.p_lesion)
            quality_refused.append(bool(quality_reasons(photo, card, None)))
            accepted.append(isinstance(decide_photo(photo, card, None), Answer))
    gate = card.gate.threshold if card.gate is not None else 0.0
    lesion = np.array(p_lesion, np.float32)
    return Decision(
        p=np.array(p, np.float32),
        p_lesion=lesion,
        quality_refused=np.array(quality_refused, bool),
        gate_refused=lesion < gate,
        accepted=np.array(accepted, bool),
    )


def lesion_metrics(d: Decision, labels: np.ndarray, threshold: float) -> dict[str, Any]:
    """Metrics with intervals over every photo, the accepted shares, and the metrics on the accepted photos."""
    result = metrics_with_intervals(d.p, labels, threshold)
    result["accepted"] = float(d.accepted.mean())
    result["gate_accepted"] = float((~d.gate_refused).mean())
    result["quality_accepted"] = float((~d.quality_refused).mean())
    if d.accepted.sum() > 10 and 0 < labels[d.accepted].sum() < d.accepted.sum():
        kept = point_metrics(d.p[d.accepted], labels[d.accepted], threshold)
        result["on_accepted"] = {
            k: round(v, 6) for k, v in kept.items() if k in ("roc_auc", "sensitivity", "specificity")
        }
    return result
