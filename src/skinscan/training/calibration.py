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


def fit_v2(
    logits: np.ndarray,
    gate_logits: np.ndarray,
    labels: np.ndarray,
    sources: np.ndarray,
    images: np.ndarray,
    net: object,
) -> dict[str, object]:
    """Platt scaling, threshold, risk bands, gate threshold and quality thresholds from validation.

    - calibration: source-weighted NLL, so no source's probabilities are sacrificed to another's;
    - threshold: the highest p that keeps sensitivity >= TARGET_SENSITIVITY on *every* source;
    - high risk: from the p that at most 5 % of benign photos reach on every source;
    - gate: the highest p_lesion that still accepts GATE_KEEP of every source's lesion photos.
    ``net`` is unused: the quality signals are a fixed function of the pixels.
    """
    from skinscan.training.quality import fit_thresholds

    lesion = labels >= 0
    y, src, z = labels[lesion], sources[lesion], logits[lesion]
    scale, shift = fit_platt(z, y.astype(np.float64), source_weights(src))
    p = sigmoid(scale * z + shift)
    per_source_t, per_source_high = {}, {}
    for source in np.unique(src).tolist():
        mask = src == source
        if (y[mask] == 1).sum() >= MIN_MALIGNANT_FOR_RULE:
            per_source_t[source] = threshold_for_sensitivity(p[mask], y[mask], TARGET_SENSITIVITY)
        if (y[mask] == 0).sum() >= MIN_MALIGNANT_FOR_RULE:
            per_source_high[source] = threshold_for_specificity(p[mask], y[mask], HIGH_RISK_SPECIFICITY)
    # A source with too few malignant (or benign) validation photos to state a rate does not vote;
    # with none voting (tiny smoke sets), the pooled photos decide.
    threshold = min(per_source_t.values(), default=threshold_for_sensitivity(p, y, TARGET_SENSITIVITY))
    high = max(threshold, max(per_source_high.values(), default=threshold))
    p_lesion = sigmoid(gate_logits)
    gate_per_source = {s: float(np.quantile(p_lesion[sources == s], 1 - GATE_KEEP)) for s in np.unique(src).tolist()}
    gate_threshold = min(gate_per_source.values())
    quality = fit_thresholds(images[lesion], src)
    return {
        "platt": {"scale": scale, "shift": shift},
        "threshold": threshold,
        "threshold_per_source": per_source_t,
        "risk_bands": {"low": 0.0, "medium": threshold, "high": high},
        "rules": {
            "calibration": "Platt scaling (a * logit + b) fitted on validation lesion photos, each source weighing "
            "the same",
            "threshold": f"highest p with validation sensitivity >= {TARGET_SENSITIVITY} on every source",
            "risk_bands": "low below the threshold (the 'benign' answer); high from the p that at most "
            f"{100 * (1 - HIGH_RISK_SPECIFICITY):.0f}% of benign validation lesions reach on every source",
            "gate": f"highest p_lesion that accepts >= {100 * GATE_KEEP:.0f}% of every source's validation "
            "lesion photos",
            "quality": "each threshold keeps >= 99% of every source's clean validation lesion photos and >= 97.5% "
            "of their mild degradations",
        },
        "gate": {
            "threshold": gate_threshold,
            "per_source_threshold": gate_per_source,
            "val_not_skin_refused": float((p_lesion[~lesion] < gate_threshold).mean()) if (~lesion).any() else None,
        },
        "quality": quality,
        "at_threshold": {
            source: {
                k: v
                for k, v in point_metrics(p[src == source], y[src == source], threshold).items()
                if k in ("roc_auc", "sensitivity", "specificity")
            }
            for source in np.unique(src).tolist()
        },
    }
