"""Smoke test: the real train() -> export() -> evaluate(), end to end on a tiny synthetic set (CPU)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from contract import assert_follows_contract
from skinscan.card import load_card
from skinscan.datasets import HAM, KAGGLE, NOT_SKIN, PAD
from skinscan.evaluation.evaluate import evaluate
from skinscan.evaluation.manifest import manifest_for_model, manifest_in_run, read_manifest
from skinscan.training.export import export
from skinscan.training.model import ExportedModel, load_checkpoint
from skinscan.training.splits import SplitConfig
from skinscan.training.train import TrainConfig, train

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(synthetic_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    run = tmp_path_factory.mktemp("run")
    models = tmp_path_factory.mktemp("models")
    reports = tmp_path_factory.mktemp("reports")
    config = TrainConfig(
        epochs=2,
        full_size_epochs=1,
        low_size=64,
        input_size=96,
        steps_per_epoch=2,
        batch_mix=((KAGGLE, 3), (HAM, 2), (PAD, 2), (NOT_SKIN, 1)),
        seed=3,
        # the synthetic photos all look alike to an ImageNet backbone: group only exact copies here
        split=SplitConfig(duplicate_threshold=0.9999),
    )
    train(config, data=synthetic_data, out=run)
    export(run=run, out=models, data=synthetic_data)
    evaluate(models / "skinscan.onnx", synthetic_data, reports)
    return {"run": run, "models": models, "reports": reports, "data": synthetic_data}


def test_run_folder_describes_itself(trained: dict[str, Path]) -> None:
    run = trained["run"]
    for name in ("config.json", "split.csv", "history.json", "calibration.json", "best.pt"):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").iterdir()), "no TensorBoard event file"
    checkpoint = torch.load(run / "best.pt", map_location="cpu", weights_only=True)
    assert {"state_dict", "config", "epoch", "val_score", "arch", "input_size"} <= set(checkpoint)
    assert len(json.loads((run / "history.json").read_text())) == 2


def test_split_keeps_test_photos_and_akiec_out_of_training(trained: dict[str, Path]) -> None:
    manifest = read_manifest(manifest_in_run(trained["run"]))
    assert not any("/test/" in path for path in manifest), "the Kaggle test split leaked into training"
    assert "ham10000/images/ISIC_23.jpg" not in manifest, "HAM10000 akiec must be left out"
    pad = {path: side for path, (side, _) in manifest.items() if path.startswith("pad-ufes-20/")}
    assert "test" in pad.values()
    # PAT_2k and PAT_2k+1 belong to one patient: never on two sides
    for k in range(10):
        sides = {pad[f"pad-ufes-20/images/PAT_{i}.jpg"] for i in (2 * k, 2 * k + 1)}
        assert len(sides) == 1, sides
    assert manifest_for_model(trained["models"] / "skinscan.onnx").is_file()


def test_onnx_follows_the_contract_and_matches_pytorch(trained: dict[str, Path]) -> None:
    path = trained["models"] / "skinscan.onnx"
    card = load_card(trained["models"] / "skinscan.json", model_path=path).data
    photos = np.random.default_rng(1).integers(0, 256, size=(4, 96, 96, 3), dtype=np.uint8)
    assert_follows_contract(path, card, photos)
    net = load_checkpoint(trained["run"] / "best.pt")
    platt = card["calibration"]["platt"]
    with torch.no_grad():
        p_torch = ExportedModel(net, platt["scale"], platt["shift"], platt["clinical_shift"])(torch.from_numpy(photos))[
            0
        ].numpy()
    import onnxruntime as ort

    (p_onnx,) = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        ["p_malignant"], {"image": photos}
    )
    assert np.max(np.abs(p_torch - p_onnx)) <= 1e-5


def test_evaluation_writes_every_held_out_set(trained: dict[str, Path]) -> None:
    card = load_card(trained["models"] / "skinscan.json").data
    assert {"kaggle", "derm7pt"} <= set(card["metrics"]["test"])
    metrics = json.loads((trained["reports"] / "metrics.json").read_text())
    assert metrics["test"]["kaggle"]["n"]["photos"] == 12
    assert metrics["test"]["derm7pt"]["n"]["photos"] == 8
    assert metrics["ham_akiec"]["photos"] == 1
    # by diagnosis: Derm7pt's one malignant diagnosis called malignant = the set's sensitivity
    derm = metrics["by_diagnosis"]["derm7pt"]
    assert {dx: (row["photos"], row["label"]) for dx, row in derm.items()} == {
        "melanoma": (4, "malignant"),
        "nevus": (4, "benign"),
    }
    test = metrics["test"]["derm7pt"]
    assert derm["melanoma"]["called_malignant"] == pytest.approx(test["sensitivity"]["value"], abs=1e-3)
    assert derm["nevus"]["called_malignant"] == pytest.approx(1 - test["specificity"]["value"], abs=1e-3)
    assert "By diagnosis" in (trained["reports"] / "report.md").read_text()
    for figure in ("roc.png", "mistakes.png", "training.png"):
        assert (trained["reports"] / "figures" / figure).stat().st_size > 1000, figure
    assert "Held-out sets" in (trained["reports"] / "report.md").read_text()
