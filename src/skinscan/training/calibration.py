"""Temperature scaling, the decision threshold and the risk bands, all fitted on validation.

Pure numpy/scipy functions so that they are easy to test.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from skinscan.training.metrics import point_metrics

TARGET_SENSITIVITY = 0.95
"""Missing a melanoma costs far more than an extra doctor's visit: the threshold keeps >= 95 %."""
HIGH_RISK_SPECIFICITY = 0.95
"""'High' risk starts where at most 5 % of benign validation lesions reach."""


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    # log(1 + e^z) - y z, computed stably
    return float(np.mean(np.logaddexp(0.0, z) - labels * z))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature T minimising validation NLL of sigmoid(logit / T)."""
    result = minimize_scalar(
        lambda log_t: nll(logits, labels, float(np.exp(log_t))), bounds=(-3.0, 3.0), method="bounded"
    )
    return float(np.exp(result.x))


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


def fit(val_logits: np.ndarray, val_labels: np.ndarray) -> dict[str, object]:
    """Temperature, threshold and risk bands from validation logits."""
    temperature = fit_temperature(val_logits, val_labels)
    p = sigmoid(val_logits / temperature)
    threshold = threshold_for_sensitivity(p, val_labels, TARGET_SENSITIVITY)
    high = max(threshold, threshold_for_specificity(p, val_labels, HIGH_RISK_SPECIFICITY))
    return {
        "temperature": temperature,
        "threshold": threshold,
        "risk_bands": {"low": 0.0, "medium": threshold, "high": high},
        "rules": {
            "threshold": f"highest p with validation sensitivity >= {TARGET_SENSITIVITY}",
            "risk_bands": "low below the threshold (the 'benign' answer); high from the p that at most "
            f"{100 * (1 - HIGH_RISK_SPECIFICITY):.0f}% of benign validation lesions reach",
        },
        "nll_before": nll(val_logits, val_labels, 1.0),
        "nll_after": nll(val_logits, val_labels, temperature),
        "at_threshold": {
            key: value
            for key, value in point_metrics(p, val_labels, threshold).items()
            if key in ("accuracy", "sensitivity", "specificity")
        },
    }
