"""Temperature, threshold and risk bands are fitted as the card documents."""

from __future__ import annotations

import numpy as np

from skinscan.training import calibration
from skinscan.training.metrics import expected_calibration_error, metrics_with_intervals


def _data(seed: int = 0, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_logits = rng.normal(0, 2.0, n)
    labels = (rng.random(n) < calibration.sigmoid(true_logits)).astype(np.int64)
    return true_logits * 3.0, labels  # an over-confident model: logits 3x too large


def test_temperature_undoes_overconfidence() -> None:
    logits, labels = _data()
    t = calibration.fit_temperature(logits, labels)
    assert 2.0 < t < 4.5
    assert calibration.nll(logits, labels, t) < calibration.nll(logits, labels, 1.0)
    p_before = calibration.sigmoid(logits)
    p_after = calibration.sigmoid(logits / t)
    assert expected_calibration_error(p_after, labels) < expected_calibration_error(p_before, labels)


def test_threshold_reaches_target_sensitivity_with_best_specificity() -> None:
    logits, labels = _data(1)
    p = calibration.sigmoid(logits)
    t = calibration.threshold_for_sensitivity(p, labels, 0.95)
    sens = np.mean(p[labels == 1] >= t)
    assert sens >= 0.95
    # any higher candidate threshold (the next malignant score up) would drop below the target
    higher = np.sort(p[(labels == 1) & (p > t)])[0]
    assert np.mean(p[labels == 1] >= higher + 1e-12) < 0.95


def test_fit_returns_ordered_bands_consistent_with_threshold() -> None:
    logits, labels = _data(2)
    fitted = calibration.fit(logits, labels)
    bands = fitted["risk_bands"]
    assert isinstance(bands, dict)
    assert bands["low"] == 0.0 <= bands["medium"] == fitted["threshold"] <= bands["high"] <= 1.0


def test_bootstrap_intervals_contain_point_estimates() -> None:
    logits, labels = _data(3)
    p = calibration.sigmoid(logits / 3.0)
    metrics = metrics_with_intervals(p, labels, 0.5, samples=200)
    for key in ("accuracy", "roc_auc", "sensitivity", "specificity", "ece"):
        low, high = metrics[key]["ci95"]
        assert low <= metrics[key]["value"] <= high
        assert high - low < 0.2
    assert metrics["n"]["photos"] == len(labels)
