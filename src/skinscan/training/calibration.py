"""Platt scaling, the every-source threshold, the risk bands and the gate threshold, fitted on validation.

Pure numpy/scipy functions so that they are easy to test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skinscan.evaluation.metrics import expected_calibration_error, point_metrics

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
"""The gate's lesion-side anchor: the p_lesion that this share of every source's lesion photos reach."""
GATE_NEGATIVE_QUANTILE = 0.99
"""The gate's other anchor: the p_lesion below which this share of validation everyday photos fall."""
MIN_MALIGNANT_FOR_RULE = 5
MIN_MALIGNANT_FOR_TARGET = 50
"""A source needs this many malignant validation photos for the 95 % target: with 19 (PAD-UFES-20's
validation share), 95 % would mean "miss none", so one odd photo would set the threshold."""
FLOOR_SENSITIVITY = 0.80
"""Every source, however small its validation share, keeps at least this sensitivity."""


def source_weights(sources: np.ndarray) -> np.ndarray:
    """Each source weighs the same in total, however many photos it has."""
    names, counts = np.unique(sources, return_counts=True)
    per = {n: 1.0 / c for n, c in zip(names.tolist(), counts.tolist(), strict=True)}
    w = np.array([per[s] for s in sources.tolist()], dtype=np.float64)
    return np.asarray(w * len(w) / w.sum())


def fit_platt(
    logits: np.ndarray, labels: np.ndarray, weights: np.ndarray, dermoscopic: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """(a_dermoscopic, b_dermoscopic, a_clinical, b_clinical) minimising the weighted NLL.

    The calibrated logit is d * (a_d * logit + b_d) + (1 - d) * (a_c * logit + b_c), with d the modality
    head's p_dermoscopic, as the exported graph computes it: one Platt scaling per kind of photo, so that
    p_malignant means what it says for dermoscopic and for phone photos alike. Without clinical photos
    (or without ``dermoscopic``) both kinds share one fit.
    """
    from scipy.optimize import minimize

    d = np.ones(len(logits)) if dermoscopic is None else dermoscopic.astype(np.float64)
    both = bool((d < 0.5).any()) and bool((d >= 0.5).any())

    def loss(params: np.ndarray) -> float:
        a_d, b_d, a_c, b_c = params if both else (params[0], params[1], params[0], params[1])
        z = d * (a_d * logits + b_d) + (1 - d) * (a_c * logits + b_c)
        return float(np.sum(weights * (np.logaddexp(0.0, z) - labels * z)) / np.sum(weights))

    x0 = np.array([1.0, 0.0, 1.0, 0.0] if both else [1.0, 0.0])
    result = minimize(loss, x0=x0, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 8000})
    values = [float(v) for v in result.x]
    a_d, b_d, a_c, b_c = values if both else (values[0], values[1], values[0], values[1])
    return a_d, b_d, a_c, b_c


def calibrate(logits: np.ndarray, dermoscopic: np.ndarray, platt: tuple[float, float, float, float]) -> np.ndarray:
    """The graph's calibration in numpy: raw logits + p_dermoscopic -> p_malignant."""
    a_d, b_d, a_c, b_c = platt
    return sigmoid(dermoscopic * (a_d * logits + b_d) + (1 - dermoscopic) * (a_c * logits + b_c))


RULES = {
    "calibration": "Platt scaling sigmoid(a * logit + b) per kind of photo (dermoscopic, clinical/phone), fitted on "
    "the 8-view mean logits of validation lesion photos, each source weighing the same; the graph blends the two "
    "fits by its modality head's p_dermoscopic",
    "threshold": f"highest p with validation sensitivity >= {TARGET_SENSITIVITY} on every source with >= "
    f"{MIN_MALIGNANT_FOR_TARGET} malignant validation photos and >= {FLOOR_SENSITIVITY} on every source",
    "risk_bands": "low below the threshold (the 'benign' answer); high from the p that at most "
    f"{100 * (1 - HIGH_RISK_SPECIFICITY):.0f}% of benign validation lesions reach on every source",
    "gate": "midway (in logits) between the p_lesion that "
    f"{100 * GATE_KEEP:.0f}% of every source's validation lesion photos reach and the p_lesion below which "
    f"{100 * GATE_NEGATIVE_QUANTILE:.0f}% of validation everyday photos fall: the widest margin on both sides",
    "quality": "each threshold sits midway between the 97.5th percentile of mild degradations (to keep) and the "
    "5th percentile of strong ones (to refuse) of the validation lesion photos, and keeps >= 99% of every "
    "source's clean photos",
}


def threshold_and_bands(p: np.ndarray, y: np.ndarray, sources: np.ndarray) -> tuple[float, float, dict[str, float]]:
    """(threshold, start of the high band, per-source thresholds) by the every-source rules.

    A source with too few malignant (or benign) validation photos to state a rate does not vote;
    with none voting (tiny smoke sets), the pooled photos decide.
    """
    per_source_t, per_source_high = {}, {}
    for source in np.unique(sources).tolist():
        mask = sources == source
        malignant = int((y[mask] == 1).sum())
        if malignant >= MIN_MALIGNANT_FOR_RULE:
            target = TARGET_SENSITIVITY if malignant >= MIN_MALIGNANT_FOR_TARGET else FLOOR_SENSITIVITY
            per_source_t[source] = threshold_for_sensitivity(p[mask], y[mask], target)
        if (y[mask] == 0).sum() >= MIN_MALIGNANT_FOR_RULE:
            per_source_high[source] = threshold_for_specificity(p[mask], y[mask], HIGH_RISK_SPECIFICITY)
    threshold = min(per_source_t.values(), default=threshold_for_sensitivity(p, y, TARGET_SENSITIVITY))
    high = max(threshold, max(per_source_high.values(), default=threshold))
    return threshold, high, per_source_t


def _logit(p: float) -> float:
    p = min(max(p, 1e-7), 1 - 1e-7)
    return float(np.log(p / (1 - p)))


def gate_threshold(p_lesion: np.ndarray, sources: np.ndarray, lesion: np.ndarray) -> dict[str, Any]:
    """The gate threshold (see RULES) and what it accepts and refuses on validation."""
    per_source = {
        s: float(np.quantile(p_lesion[sources == s], 1 - GATE_KEEP)) for s in np.unique(sources[lesion]).tolist()
    }
    lesion_anchor = min(per_source.values())
    if (~lesion).any():
        negative_anchor = float(np.quantile(p_lesion[~lesion], GATE_NEGATIVE_QUANTILE))
        threshold = float(sigmoid(np.array((_logit(lesion_anchor) + _logit(negative_anchor)) / 2)))
    else:
        negative_anchor, threshold = None, lesion_anchor
    return {
        "threshold": threshold,
        "lesion_anchor": lesion_anchor,
        "negative_anchor": negative_anchor,
        "val_accepted": {s: float((p_lesion[sources == s] >= threshold).mean()) for s in per_source},
        "val_not_skin_refused": float((p_lesion[~lesion] < threshold).mean()) if (~lesion).any() else None,
    }


def fit(logits: dict[str, np.ndarray], labels: np.ndarray, sources: np.ndarray, images: np.ndarray) -> dict[str, Any]:
    """Platt scaling, threshold, risk bands, gate threshold and quality thresholds from validation.

    ``logits``: the heads' validation logits ("malignant", "lesion", "dermoscopic"); ``labels`` is -1
    for everyday photos (gate negatives); ``images`` are the validation photos at the model's input
    size (for the quality thresholds). Every source counts: see ``RULES``.
    """
    from skinscan.training.quality import fit_thresholds

    lesion = labels >= 0
    y, src, z = labels[lesion], sources[lesion], logits["malignant"][lesion]
    dermoscopic = sigmoid(logits["dermoscopic"][lesion])
    platt = fit_platt(z, y.astype(np.float64), source_weights(src), dermoscopic)
    p = calibrate(z, dermoscopic, platt)
    threshold, high, per_source = threshold_and_bands(p, y, src)
    keep = ("roc_auc", "sensitivity", "specificity")
    return {
        "platt": {
            "dermoscopic": {"scale": platt[0], "shift": platt[1]},
            "clinical": {"scale": platt[2], "shift": platt[3]},
        },
        "threshold": threshold,
        "threshold_per_source": per_source,
        "risk_bands": {"low": 0.0, "medium": threshold, "high": high},
        "rules": RULES,
        "gate": gate_threshold(sigmoid(logits["lesion"]), sources, lesion),
        "quality": fit_thresholds(images[lesion], src),
        "by_kind": {
            kind: {
                "photos": int(mask.sum()),
                "sources": sorted(set(src[mask].tolist())),
                "ece": expected_calibration_error(p[mask], y[mask]),
            }
            for kind, mask in (("dermoscopic", dermoscopic >= 0.5), ("clinical", dermoscopic < 0.5))
            if mask.any()
        },
        "at_threshold": {
            s: {k: v for k, v in point_metrics(p[src == s], y[src == s], threshold).items() if k in keep}
            for s in np.unique(src).tolist()
        },
    }
