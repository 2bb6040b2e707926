"""Metrics with 95 % bootstrap intervals (scikit-learn for the curves, numpy for the rest)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 12345
ECE_BINS = 10


def expected_calibration_error(p: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """Mean |fraction malignant - mean p| over equal-width p bins, weighted by bin size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(float(labels[mask].mean()) - float(p[mask].mean()))
    return float(error)


def point_metrics(p: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    malignant = labels == 1
    called = p >= threshold
    return {
        "accuracy": float(np.mean(called == malignant)),
        "accuracy_at_0.5": float(np.mean((p >= 0.5) == malignant)),
        "roc_auc": float(roc_auc_score(labels, p)) if 0 < malignant.sum() < len(labels) else float("nan"),
        "sensitivity": float(np.mean(called[malignant])) if malignant.any() else float("nan"),
        "specificity": float(np.mean(~called[~malignant])) if (~malignant).any() else float("nan"),
        "ece": expected_calibration_error(p, labels),
        "brier": float(np.mean((p - labels) ** 2)),
    }


def metrics_with_intervals(
    p: np.ndarray,
    labels: np.ndarray,
    threshold: float,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Each metric as {value, ci95: [low, high]} from a seeded percentile bootstrap over photos."""
    point = point_metrics(p, labels, threshold)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in point}
    n = len(labels)
    for _ in range(samples):
        idx = rng.integers(0, n, n)
        if labels[idx].min() == labels[idx].max():
            continue
        for key, value in point_metrics(p[idx], labels[idx], threshold).items():
            draws[key].append(value)
    result: dict[str, Any] = {
        key: {
            "value": round(value, 6),
            "ci95": [
                round(float(np.percentile(draws[key], 2.5)), 6),
                round(float(np.percentile(draws[key], 97.5)), 6),
            ]
            if draws[key]
            else None,
        }
        for key, value in point.items()
    }
    result["n"] = {"photos": n, "malignant": int(labels.sum()), "benign": int(n - labels.sum())}
    return result
