"""The shipped model: its file honours the contract, and its card tells the truth.

With SKINSCAN_DATA set (CI sets it), the shipped ONNX file is re-evaluated on the test split and
must reproduce the card's test metrics; the acceptance targets of the model are checked on them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

from skinscan.card import load_card
from skinscan.predictor import Predictor

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "skinscan.onnx"
CARD = ROOT / "models" / "skinscan.json"


def test_card_matches_model_file() -> None:
    card = load_card(CARD, model_path=MODEL)
    assert card.data["input"]["size"] == 224 and card.data["input"]["dtype"] == "uint8"
    assert card.risk_bands["medium"] == pytest.approx(card.threshold)
    assert MODEL.stat().st_size <= 30e6
    validation = card.data["metrics"]["validation"]
    for key in ("accuracy", "roc_auc", "sensitivity", "specificity", "ece"):
        low, high = validation[key]["ci95"]
        assert low <= validation[key]["value"] <= high


def test_onnx_contract() -> None:
    model = onnx.load(str(MODEL))
    onnx.checker.check_model(model)
    (inp,) = model.graph.input
    (out,) = model.graph.output
    dims = inp.type.tensor_type.shape.dim
    assert inp.name == "image" and inp.type.tensor_type.elem_type == onnx.TensorProto.UINT8
    assert dims[0].dim_param and [d.dim_value for d in dims[1:]] == [224, 224, 3]
    assert out.name == "p_malignant" and out.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert len(out.type.tensor_type.shape.dim) == 1


def test_batch_and_single_predictions_agree() -> None:
    predictor = Predictor(MODEL)
    rng = np.random.default_rng(0)
    batch = rng.integers(0, 256, size=(4, 224, 224, 3), dtype=np.uint8)
    together = predictor.predict_arrays(batch)
    alone = np.concatenate([predictor.predict_arrays(batch[i : i + 1]) for i in range(4)])
    assert together.shape == (4,)
    np.testing.assert_allclose(together, alone, atol=1e-5)


@pytest.mark.slow
def test_card_test_metrics_are_reproduced(real_data: Path) -> None:
    from skinscan.training.data import load_split
    from skinscan.training.evaluate import test_metrics

    predictor = Predictor(MODEL)
    measured, _ = test_metrics(predictor, load_split(real_data, "test"))
    recorded = predictor.card.data["metrics"]["test"]
    assert measured["n"] == recorded["n"]
    for key in ("accuracy", "accuracy_at_0.5", "roc_auc", "sensitivity", "specificity", "ece", "brier"):
        assert measured[key]["value"] == pytest.approx(recorded[key]["value"], abs=0.002), key


def test_card_meets_the_acceptance_targets() -> None:
    test = load_card(CARD).data["metrics"]["test"]
    assert test["roc_auc"]["value"] >= 0.95
    assert test["accuracy_at_0.5"]["value"] >= 0.88
    assert test["sensitivity"]["value"] >= 0.92
    assert test["specificity"]["value"] >= 0.70
