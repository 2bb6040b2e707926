"""The shipped model: its file honours contract 2, and its card tells the truth.

With SKINSCAN_DATA set (CI sets it), the shipped ONNX file is re-evaluated on the Kaggle test split
and on Derm7pt (its sibling folder) and must reproduce the card's figures; the model's acceptance
targets are checked on the card.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contract import assert_follows_contract
from skinscan.card import load_card
from skinscan.predictor import Predictor

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "skinscan.onnx"
CARD = ROOT / "models" / "skinscan.json"


def test_card_matches_model_file_and_contract() -> None:
    card = load_card(CARD, model_path=MODEL)
    assert card.contract == 2
    assert_follows_contract(MODEL, card.data)
    assert card.risk_bands["medium"] == pytest.approx(card.threshold)
    assert MODEL.stat().st_size <= 30e6
    assert "non-commercial" in card.data["training"]["weights_licence"].lower()
    for source, metrics in card.data["metrics"]["validation"].items():
        for key in ("roc_auc", "sensitivity", "specificity"):
            if key in metrics and metrics[key]["ci95"]:
                low, high = metrics[key]["ci95"]
                assert low <= metrics[key]["value"] <= high, (source, key)


def test_batch_and_single_predictions_agree() -> None:
    predictor = Predictor(MODEL)
    size = predictor.card.input_size
    batch = np.random.default_rng(0).integers(0, 256, size=(4, size, size, 3), dtype=np.uint8)
    together = predictor.predict_arrays(batch)
    alone = np.concatenate([predictor.predict_arrays(batch[i : i + 1]) for i in range(4)])
    assert together.shape == (4,)
    np.testing.assert_allclose(together, alone, atol=1e-5)


@pytest.mark.slow
def test_card_test_metrics_are_reproduced(real_data: Path) -> None:
    """Kaggle test split and Derm7pt, through the same decision as serving; the card must match."""
    from skinscan.training.evaluate import decide, held_out_sets, lesion_metrics
    from skinscan.training.sources import data_root

    predictor = Predictor(MODEL)
    sets = held_out_sets(data_root(real_data), predictor.card.input_size, manifest=None)
    assert {"kaggle", "derm7pt"} <= set(sets), "CI needs the Kaggle set and its sibling derm7pt/"
    recorded = predictor.card.data["metrics"]["test"]
    for name in ("kaggle", "derm7pt"):
        measured = lesion_metrics(decide(predictor, sets[name].images), sets[name].labels, predictor.card.threshold)
        assert measured["n"] == recorded[name]["n"], name
        for key in ("accuracy_at_0.5", "roc_auc", "sensitivity", "specificity", "ece", "brier"):
            assert measured[key]["value"] == pytest.approx(recorded[name][key]["value"], abs=0.002), (name, key)
        assert measured["accepted"] == pytest.approx(recorded[name]["accepted"], abs=0.002), name


def test_card_meets_the_acceptance_targets() -> None:
    test = load_card(CARD).data["metrics"]["test"]
    kaggle = test["kaggle"]
    assert kaggle["roc_auc"]["value"] >= 0.96
    assert kaggle["accuracy_at_0.5"]["value"] >= 0.88
    assert kaggle["sensitivity"]["value"] >= 0.92
    for name in ("derm7pt", "pad-ufes-20"):
        assert test[name]["roc_auc"]["value"] >= 0.85, name
        assert test[name]["sensitivity"]["value"] >= 0.80, name
        assert test[name]["specificity"]["value"] >= 0.50, name
