"""Smoke test: the real train() -> export() -> ONNX, end to end on a tiny synthetic set (CPU)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from skinscan.card import load_card
from skinscan.predictor import Predictor
from skinscan.training.data import load_split, read_manifest
from skinscan.training.export import export
from skinscan.training.model import ExportedModel
from skinscan.training.train import TrainConfig, load_checkpoint, train

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(synthetic_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    run = tmp_path_factory.mktemp("run")
    models = tmp_path_factory.mktemp("models")
    reports = tmp_path_factory.mktemp("reports")
    # The synthetic photos all look alike to an ImageNet backbone: group only exact copies here.
    config = TrainConfig(epochs=2, full_size_epochs=1, low_size=96, batch_size=8, seed=3, duplicate_threshold=0.9999)
    train(config, data=synthetic_data, out=run)
    export(run=run, out=models, data=synthetic_data, reports=reports)
    return {"run": run, "models": models, "reports": reports, "data": synthetic_data}


def test_run_folder_describes_itself(trained: dict[str, Path]) -> None:
    run = trained["run"]
    for name in ("config.json", "split.csv", "history.json", "calibration.json", "best.pt"):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").iterdir()), "no TensorBoard event file"
    checkpoint = torch.load(run / "best.pt", map_location="cpu", weights_only=True)
    assert {"state_dict", "config", "epoch", "val_auc", "arch"} <= set(checkpoint)
    sides = read_manifest(run / "split.csv")
    assert set(sides.values()) == {"train", "val"}
    assert all(path.startswith("train/") for path in sides), "the test split leaked into training"
    assert len(json.loads((run / "history.json").read_text())) == 2


def test_onnx_follows_the_contract_and_matches_pytorch(trained: dict[str, Path]) -> None:
    path = trained["models"] / "skinscan.onnx"
    card = load_card(trained["models"] / "skinscan.json", model_path=path)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    (inp,) = model.graph.input
    (out,) = model.graph.output
    assert inp.name == "image" and inp.type.tensor_type.elem_type == onnx.TensorProto.UINT8
    assert [d.dim_value for d in inp.type.tensor_type.shape.dim][1:] == [224, 224, 3]
    assert out.name == "p_malignant" and out.type.tensor_type.elem_type == onnx.TensorProto.FLOAT

    photos = load_split(trained["data"], "test").images[:6]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (p_onnx,) = session.run(["p_malignant"], {"image": photos})
    assert p_onnx.shape == (6,)
    assert np.all((p_onnx >= 0) & (p_onnx <= 1))
    if card.data["export"]["shipped"] == "fp32":
        net = load_checkpoint(trained["run"] / "best.pt")
        temperature = card.data["calibration"]["temperature"]
        with torch.no_grad():
            p_torch = ExportedModel(net, temperature)(torch.from_numpy(photos)).numpy()
        assert np.max(np.abs(p_torch - p_onnx)) <= 1e-4
    assert card.data["export"]["max_abs_diff_vs_pytorch"] <= 1e-4


def test_exported_model_serves_predictions(trained: dict[str, Path]) -> None:
    predictor = Predictor(trained["models"] / "skinscan.onnx")
    photo = next((trained["data"] / "test" / "malignant").iterdir())
    answer = predictor.predict(photo)
    assert answer.label in ("benign", "malignant")
    assert 0.0 <= answer.p_malignant <= 1.0
    assert answer.risk in ("low", "medium", "high")
    assert (answer.label == "malignant") == (answer.p_malignant >= predictor.card.threshold)
