"""Platt scaling, the every-source threshold, the risk bands and the gate threshold, fitted on validation.

Pure numpy/scipy functions so that they are easy to test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skinscan.training.metrics import point_metrics

TARGET_SENSITIVITY = 0.95
"""Missing a melanoma costs far more than an extra doctor's visit: the threshold keeps >= 95 %."""
HIGH_RISK_SPECIFICITY = 0.95
"""'High' risk starts where at most 5 % of benign validation lesions reach."""


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def threshold_for_sensitivity(p: np.ndarray, labels: np.ndarray, sensitivity: float) -> float:
    """The highest threshold (best specificity) whose sensitivity ``p >= t`` still reaches the target."""
    positives = np.sort(p[labels == 1])[::-1]
    if len(positives) == 0:
        raise ValueError("no malignant photos in validation: cannot choose a threshold")
    needed = int(np.ceil(sensitivity * len(positives)))
    t = float(positives[needed - 1])
    # step a hair below that score so that the threshold sits between scores, not on one
    below = p[p < t]
    return float((t + below.max()) / 2) if len(below) else t


def threshold_for_specificity(p: np.ndarray, labels: np.ndarray, specificity: float) -> float:
    """The lowest threshold at which at most (1 - specificity) of benign photos score ``>= t``."""
    negatives = np.sort(p[labels == 0])
    if len(negatives) == 0:
        raise ValueError("no benign photos in validation")
    index = min(len(negatives) - 1, int(np.ceil(specificity * len(negatives))) - 1)
    above = p[p > negatives[index]]
    return float((negatives[index] + above.min()) / 2) if len(above) else float(negatives[index])


# ---------------------------------------------------------------- model 2: every source counts

GATE_KEEP = 0.99
"""The gate threshold keeps at least this share of the validation lesion photos of every source."""
MIN_MALIGNANT_FOR_RULE = 5


def source_weights(sources: np.ndarray) -> np.ndarray:
    """Each source weighs the same in total, however many photos it has."""
    names, counts = np.unique(sources, return_counts=True)
    per = {n: 1.0 / c for n, c in zip(names.tolist(), counts.tolist(), strict=True)}
    w = np.array([per[s] for s in sources.tolist()], dtype=np.float64)
    return np.asarray(w * len(w) / w.sum())


def fit_platt(logits: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Scale a and shift b minimising the weighted NLL of sigmoid(a * logit + b)."""
    from scipy.optimize import minimize

    def loss(params: np.ndarray) -> float:
        z = params[0] * logits + params[1]
        return float(np.sum(weights * (np.logaddexp(0.0, z) - labels * z)) / np.sum(weights))

    result = minimize(loss, x0=np.array([1.0, 0.0]), method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9})
    return float(result.x[0]), float(result.x[1])


RULES = {
    "calibration": "Platt scaling (a * logit + b) fitted on validation lesion photos, each source weighing the same",
    "threshold": f"highest p with validation sensitivity >= {TARGET_SENSITIVITY} on every source",
    "risk_bands": "low below the threshold (the 'benign' answer); high from the p that at most "
    f"{100 * (1 - HIGH_RISK_SPECIFICITY):.0f}% of benign validation lesions reach on every source",
    "gate": f"highest p_lesion that accepts >= {100 * GATE_KEEP:.0f}% of every source's validation lesion photos",
    "quality": "each threshold keeps >= 99% of every source's clean validation lesion photos and >= 97.5% of "
    "their mild degradations",
}


def threshold_and_bands(p: np.ndarray, y: np.ndarray, sources: np.ndarray) -> tuple[float, float, dict[str, float]]:
    """(threshold, start of the high band, per-source thresholds) by the every-source rules.

    A source with too few malignant (or benign) validation photos to state a rate does not vote;
    with none voting (tiny smoke sets), the pooled photos decide.
    """
    per_source_t, per_source_high = {}, {}
    for source in np.unique(sources).tolist():
        mask = sources == source
        if (y[mask] == 1).sum() >= MIN_MALIGNANT_FOR_RULE:
            per_source_t[source] = threshold_for_sensitivity(p[mask], y[mask], TARGET_SENSITIVITY)
        if (y[mask] == 0).sum() >= MIN_MALIGNANT_FOR_RULE:
            per_source_high[source] = threshold_for_specificity(p[mask], y[mask], HIGH_RISK_SPECIFICITY)
    threshold = min(per_source_t.values(), default=threshold_for_sensitivity(p, y, TARGET_SENSITIVITY))
    high = max(threshold, max(per_source_high.values(), default=threshold))
    return threshold, high, per_source_t


def gate_threshold(p_lesion: np.ndarray, sources: np.ndarray, lesion: np.ndarray) -> dict[str, Any]:
    """The highest p_lesion that accepts GATE_KEEP of every source's lesion photos, and what it refuses."""
    per_source = {
        s: float(np.quantile(p_lesion[sources == s], 1 - GATE_KEEP)) for s in np.unique(sources[lesion]).tolist()
    }
    threshold = min(per_source.values())
    refused = float((p_lesion[~lesion] < threshold).mean()) if (~lesion).any() else None
    return {"threshold": threshold, "per_source_threshold": per_source, "val_not_skin_refused": refused}


def fit(
    logits: np.ndarray, gate_logits: np.ndarray, labels: np.ndarray, sources: np.ndarray, images: np.ndarray
) -> dict[str, Any]:
    """Platt scaling, threshold, risk bands, gate threshold and quality thresholds from validation.

    ``labels`` is -1 for everyday photos (gate negatives); ``images`` are the validation photos at the
    model's input size (for the quality thresholds). Every source counts: see ``RULES``.
    """
    from skinscan.training.quality import fit_thresholds

    lesion = labels >= 0
    y, src, z = labels[lesion], sources[lesion], logits[lesion]
    scale, shift = fit_platt(z, y.astype(np.float64), source_weights(src))
    p = sigmoid(scale * z + shift)
    threshold, high, per_source = threshold_and_bands(p, y, src)
    keep = ("roc_auc", "sensitivity", "specificity")
    return {
        "platt": {"scale": scale, "shift": shift},
        "threshold": threshold,
        "threshold_per_source": per_source,
        "risk_bands": {"low": 0.0, "medium": threshold, "high": high},
        "rules": RULES,
        "gate": gate_threshold(sigmoid(gate_logits), sources, lesion),
        "quality": fit_thresholds(images[lesion], src),
        "at_threshold": {
            s: {k: v for k, v in point_metrics(p[src == s], y[src == s], threshold).items() if k in keep}
            for s in np.unique(src).tolist()
        },
    }
