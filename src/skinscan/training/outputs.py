"""Run every output of a contract-2 ONNX file over many photos (export checks, evaluation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skinscan.predictor import onnx_session
from skinscan.training.model import OUTPUT_NAMES


def run_onnx(path: Path, images: np.ndarray, batch_size: int = 32) -> dict[str, np.ndarray]:
    """uint8 NHWC photos -> {output name: stacked values} from ONNX Runtime, serving's session settings."""
    session = onnx_session(path)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in OUTPUT_NAMES}
    for i in range(0, len(images), batch_size):
        values = session.run(list(OUTPUT_NAMES), {"image": images[i : i + batch_size]})
        for name, value in zip(OUTPUT_NAMES, values, strict=True):
            parts[name].append(np.asarray(value))
    return {name: np.concatenate(v) for name, v in parts.items() if v}
