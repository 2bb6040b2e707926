"""Platt scaling, the every-source threshold, risk bands and the gate threshold are fitted as the card documents."""

from __future__ import annotations

import numpy as np
import pytest

from skinscan.evaluation.metrics import expected_calibration_error, metrics_with_intervals
from skinscan.training import calibration


def _data(seed: int = 0, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_logits = rng.normal(0, 2.0, n)
    labels = (rng.random(n) < calibration.sigmoid(true_logits)).astype(np.int64)
    return true_logits * 3.0, labels  # an over-confident model: logits 3x too large


def test_platt_scaling_undoes_overconfidence_and_bias() -> None:
    logits, labels = _data()
    shifted = logits + 2.0  # over-confident and biased towards malignant
    scale, shift, clinical_scale, clinical_shift = calibration.fit_platt(
        shifted, labels.astype(float), np.ones(len(labels))
    )
    assert (clinical_scale, clinical_shift) == (scale, shift)  # no clinical photos: one fit for both kinds
    # the generating model is sigmoid(logit / 3): the fit must find about a = 1/3, b = -2/3
    assert 0.25 < scale < 0.42 and -0.9 < shift < -0.45
    p_before = calibration.sigmoid(shifted)
    p_after = calibration.sigmoid(scale * shifted + shift)
    assert expected_calibration_error(p_after, labels) < expected_calibration_error(p_before, labels)


def test_source_weights_make_every_source_count_the_same() -> None:
    sources = np.array(["a"] * 90 + ["b"] * 10)
    w = calibration.source_weights(sources)
    assert w[:90].sum() == pytest.approx(w[90:].sum())
    assert w.sum() == pytest.approx(100)


def test_threshold_reaches_target_sensitivity_with_best_specificity() -> None:
    logits, labels = _data(1)
    p = calibration.sigmoid(logits)
    t = calibration.threshold_for_sensitivity(p, labels, 0.95)
    sens = np.mean(p[labels == 1] >= t)
    assert sens >= 0.95
    # any higher candidate threshold (the next malignant score up) would drop below the target
    higher = np.sort(p[(labels == 1) & (p > t)])[0]
    assert np.mean(p[labels == 1] >= higher + 1e-12) < 0.95


def test_threshold_keeps_sensitivity_on_every_source() -> None:
    rng = np.random.default_rng(4)
    # source "hard": malignant photos score lower than in source "easy"
    y = np.tile([0, 1], 200)
    sources = np.array(["easy"] * 200 + ["hard"] * 200)
    p = np.where(y == 1, 0.7, 0.2) + rng.normal(0, 0.1, 400) - np.where(sources == "hard", 0.25, 0.0) * y
    threshold, high, per_source = calibration.threshold_and_bands(np.clip(p, 0, 1), y, sources)
    assert threshold == min(per_source.values()) == per_source["hard"]
    for source in ("easy", "hard"):
        mask = (sources == source) & (y == 1)
        assert np.mean(p[mask] >= threshold) >= calibration.TARGET_SENSITIVITY
    assert high >= threshold


def test_gate_threshold_accepts_most_lesions_of_every_source() -> None:
    rng = np.random.default_rng(5)
    sources = np.array(["a"] * 300 + ["b"] * 300 + ["not-skin"] * 100)
    lesion = sources != "not-skin"
    p_lesion = np.where(lesion, rng.uniform(0.6, 1.0, 700), rng.uniform(0.0, 0.4, 700))
    p_lesion[300:600] -= 0.2  # source b looks less like a lesion to the gate
    gate = calibration.gate_threshold(p_lesion, sources, lesion)
    for source in ("a", "b"):
        assert np.mean(p_lesion[sources == source] >= gate["threshold"]) >= calibration.GATE_KEEP
    assert gate["val_not_skin_refused"] == 1.0


def test_bootstrap_intervals_contain_point_estimates() -> None:
    logits, labels = _data(3)
    p = calibration.sigmoid(logits / 3.0)
    metrics = metrics_with_intervals(p, labels, 0.5, samples=200)
    for key in ("accuracy", "roc_auc", "sensitivity", "specificity", "ece"):
        low, high = metrics[key]["ci95"]
        assert low <= metrics[key]["value"] <= high
        assert high - low < 0.2
    assert metrics["n"]["photos"] == len(labels)


def test_platt_per_kind_fits_each_kind_on_its_own_photos() -> None:
    """Model 3: dermoscopic and clinical photos get their own Platt scaling, blended by p_dermoscopic."""
    logits, labels = _data()
    half = len(labels) // 2
    kind = np.r_[np.ones(half), np.zeros(len(labels) - half)]  # first half dermoscopic, the rest clinical
    shifted = logits + np.where(kind == 1, 2.0, -1.0)  # each kind biased its own way
    a_d, b_d, a_c, b_c = calibration.fit_platt(shifted, labels.astype(float), np.ones(len(labels)), kind)
    assert b_d < 0 < b_c, (b_d, b_c)  # each shift undoes its own kind's bias
    p = calibration.calibrate(shifted, kind, (a_d, b_d, a_c, b_c))
    for mask in (kind == 1, kind == 0):
        assert expected_calibration_error(p[mask], labels[mask]) < expected_calibration_error(
            calibration.sigmoid(shifted[mask]), labels[mask]
        )
