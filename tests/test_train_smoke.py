"""Smoke test: the real train() -> export() -> evaluate(), end to end on a tiny synthetic set (CPU)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
import torch

from contract import assert_follows_contract
from skinscan.card import load_card
from skinscan.datasets import HAM, KAGGLE, NOT_SKIN, PAD
from skinscan.evaluation.evaluate import evaluate
from skinscan.evaluation.manifest import manifest_for_model, manifest_in_run, read_manifest
from skinscan.training.export import export
from skinscan.training.model import VIEWS, ExportedModel, dihedral_view, load_checkpoint
from skinscan.training.splits import SplitConfig
from skinscan.training.train import TrainConfig, train

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(synthetic_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
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
    exported = (models / "skinscan.json").read_bytes()
    evaluate(models / "skinscan.onnx", synthetic_data, reports)
    return {"run": run, "models": models, "reports": reports, "data": synthetic_data, "exported_card": exported}


def test_run_folder_describes_itself(trained: dict[str, Any]) -> None:
    run = trained["run"]
    for name in ("config.json", "split.csv", "history.json", "summary.json", "best.pt", "last.pt"):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").iterdir()), "no TensorBoard event file"
    checkpoint = torch.load(run / "last.pt", map_location="cpu", weights_only=True)
    assert checkpoint["epoch"] == 2, "the final epoch's weights ship"
    assert {"state_dict", "config", "epoch", "val_score", "arch", "input_size"} <= set(checkpoint)
    assert len(json.loads((run / "history.json").read_text())) == 2


def test_split_keeps_test_photos_and_akiec_out_of_training(trained: dict[str, Any]) -> None:
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


def test_onnx_follows_the_contract_and_matches_pytorch(trained: dict[str, Any]) -> None:
    path = trained["models"] / "skinscan.onnx"
    card = load_card(trained["models"] / "skinscan.json", model_path=path).data
    photos = np.random.default_rng(1).integers(0, 256, size=(4, 96, 96, 3), dtype=np.uint8)
    assert_follows_contract(path, card, photos)
    net = load_checkpoint(trained["run"] / "last.pt")
    assert net.brightness_level is None, "training itself has no brightness constancy"
    net.brightness_level = card["export"]["brightness_level"]  # export adds it at the training photos' level
    assert 0.05 < net.brightness_level < 1.0
    platt = card["calibration"]["platt"]
    params = (*platt["dermoscopic"].values(), *platt["clinical"].values())
    model = ExportedModel(net, 96, (params[0], params[1], params[2], params[3])).eval()
    with torch.no_grad():
        p_torch = model(torch.from_numpy(photos), torch.arange(VIEWS))[0].numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (p_onnx,) = session.run(["p_malignant"], {"image": photos})  # views left out: its default is all 8
    assert np.max(np.abs(p_torch - p_onnx)) <= 1e-5


def test_an_upload_gets_the_same_answer_mirrored_or_turned(trained: dict[str, Path]) -> None:
    """The graph averages the 8 dihedral views, so any of them gives the same p (to float rounding)."""
    path = trained["models"] / "skinscan.onnx"
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    photos = np.random.default_rng(2).integers(0, 256, size=(3, 96, 96, 3), dtype=np.uint8)
    base, evidence = session.run(["p_malignant", "evidence"], {"image": photos})
    for k in range(VIEWS):
        p, turned_evidence = session.run(["p_malignant", "evidence"], {"image": dihedral_view(photos, k)})
        np.testing.assert_allclose(p, base, atol=1e-5)
        # the heat map follows the photo: view k of the map is the map of view k
        np.testing.assert_allclose(turned_evidence, dihedral_view(evidence[..., None], k)[..., 0], atol=1e-4)


def test_one_view_is_the_photo_turned(trained: dict[str, Path]) -> None:
    """The live page feeds one view per frame: views=[k] is the same as the turned photo with views=[0]."""
    session = ort.InferenceSession(str(trained["models"] / "skinscan.onnx"), providers=["CPUExecutionProvider"])
    photos = np.random.default_rng(3).integers(0, 256, size=(2, 96, 96, 3), dtype=np.uint8)
    singles = []
    for k in range(VIEWS):
        (p_k,) = session.run(["p_malignant"], {"image": photos, "views": np.array([k], np.int64)})
        (p_turned,) = session.run(
            ["p_malignant"], {"image": dihedral_view(photos, k), "views": np.array([0], np.int64)}
        )
        np.testing.assert_allclose(p_k, p_turned, atol=1e-5)
        singles.append(p_k)
    assert len({round(float(v), 6) for v in np.array(singles)[:, 0]}) > 1, "the views must differ one by one"


def test_the_card_is_written_at_export_and_never_changed(trained: dict[str, Any]) -> None:
    card = trained["models"] / "skinscan.json"
    assert card.read_bytes() == trained["exported_card"], "evaluate changed the card"
    data = load_card(card).data
    assert "metrics" not in data and "held_out" not in data
    assert {"kaggle", "ham10000", "pad-ufes-20"} & set(data["training"]["validation"])


def test_evaluation_writes_every_held_out_set(trained: dict[str, Any]) -> None:
    metrics = json.loads((trained["reports"] / "metrics.json").read_text())
    assert {"kaggle", "derm7pt"} <= set(metrics["test"])
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


def test_a_photo_20_percent_darker_gets_the_same_answer(trained: dict[str, Any]) -> None:
    """Brightness constancy (model 3.1): the graph scales each photo to one illuminant level before the trunk."""
    session = ort.InferenceSession(str(trained["models"] / "skinscan.onnx"), providers=["CPUExecutionProvider"])
    photos = np.random.default_rng(4).integers(20, 200, size=(3, 96, 96, 3), dtype=np.uint8)
    darker = np.round(photos.astype(np.float32) * 0.8).astype(np.uint8)
    (p,) = session.run(["p_malignant"], {"image": photos})
    (p_darker,) = session.run(["p_malignant"], {"image": darker})
    net = load_checkpoint(trained["run"] / "last.pt")  # the same weights without the constancy
    platt = load_card(trained["models"] / "skinscan.json").data["calibration"]["platt"]
    params = (*platt["dermoscopic"].values(), *platt["clinical"].values())
    plain = ExportedModel(net, 96, (params[0], params[1], params[2], params[3])).eval()
    with torch.no_grad():
        moved = [plain(torch.from_numpy(x), torch.arange(VIEWS))[0].numpy() for x in (photos, darker)]
    np.testing.assert_allclose(p_darker, p, atol=2e-4)  # uint8 rounding of the darker copy is all that remains
    assert np.max(np.abs(moved[1] - moved[0])) > 10 * np.max(np.abs(p_darker - p)), "without it, light moves p"


def test_the_shipped_graph_rebuilds_into_a_checkpoint(trained: dict[str, Any]) -> None:
    """scripts/checkpoint_from_onnx.py (model 3's GPU run folder was lost) reproduces the file it reads."""
    script = Path(__file__).parents[1] / "scripts" / "checkpoint_from_onnx.py"
    spec = importlib.util.spec_from_file_location("recover", script)
    assert spec is not None and spec.loader is not None
    recover = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recover)
    path = trained["models"] / "skinscan.onnx"
    card = json.loads((trained["models"] / "skinscan.json").read_text())
    net, calibration = recover.rebuild_network(path, card)
    assert net.brightness_level == card["export"]["brightness_level"]
    photos = np.random.default_rng(5).integers(0, 256, size=(4, 96, 96, 3), dtype=np.uint8)
    assert recover.prove(net, calibration, path, photos, 96) < 1e-4
    net.brightness_level = None  # a rebuild that forgot the level would not reproduce the file
    assert recover.prove(net, calibration, path, photos, 96) > 1e-4
