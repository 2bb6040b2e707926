"""ONNX Runtime session + model card -> :class:`Prediction`. No torch on this path."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime as ort

from skinscan.card import OUTPUT_NAME, CardError, ModelCard, card_path_for, load_card
from skinscan.images import DEFAULT_MAX_PIXELS, load_rgb, square_crop_resize

DISCLAIMER = (
    "This is not a diagnosis. skinscan is a research tool that can be wrong; only a doctor who "
    "examines you can diagnose a skin lesion. If a spot is new, changing, bleeding or worries you, "
    "see a doctor or dermatologist."
)
ADVICE = {
    "high": (
        "The model rates this lesion as high risk. Please see a dermatologist soon, within the next "
        "few weeks, and show them this spot."
    ),
    "medium": (
        "The model cannot rule out a malignant lesion. Have it checked by a doctor or dermatologist; "
        "it is probably fine, but it is worth a professional look."
    ),
    "low": (
        "The model rates this lesion as low risk. Keep watching it for changes (ABCDE: Asymmetry, "
        "irregular Border, several Colours, Diameter over 6 mm, Evolving) and see a doctor if it changes."
    ),
}


class ModelLoadError(RuntimeError):
    """The model file or its card cannot be used; the message names the path."""


@dataclass(frozen=True)
class Prediction:
    label: str
    p_malignant: float
    risk: str
    threshold: float
    advice: str
    disclaimer: str
    timing_ms: dict[str, float] = field(default_factory=dict)


def default_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def onnx_session(path: str | Path, threads: int | None = None) -> ort.InferenceSession:
    """The CPU session configuration that serving uses; export and benchmarks measure the same one."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle ONNX Runtime threads busy-wait by default; in a server that burns the CPU that
    # decoding and the event loop need (and on 2 cores it measured slower, not faster).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


class Predictor:
    """Load ``models/skinscan.onnx`` and its card once; predict many times (thread-safe)."""

    def __init__(self, model_path: str | Path, *, threads: int | None = None) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise ModelLoadError(f"model file not found: {self.model_path}")
        try:
            self.card: ModelCard = load_card(card_path_for(self.model_path), model_path=self.model_path)
        except CardError as exc:
            raise ModelLoadError(str(exc)) from exc
        try:
            self.session = onnx_session(self.model_path, threads)
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise ModelLoadError(f"model file {self.model_path} cannot be loaded: {exc}") from exc
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or inputs[0].name != "image":
            raise ModelLoadError(f"{self.model_path}: expected one input named 'image'")
        self.size = self.card.input_size

    def predict_arrays(self, batch: np.ndarray) -> np.ndarray:
        """uint8 [N, 224, 224, 3] RGB -> float32 [N] calibrated p_malignant."""
        if batch.dtype != np.uint8 or batch.ndim != 4 or batch.shape[1:] != (self.size, self.size, 3):
            expected = f"uint8 [N, {self.size}, {self.size}, 3]"
            raise ValueError(f"expected {expected}, got {batch.dtype} {batch.shape}")
        (probabilities,) = self.session.run([OUTPUT_NAME], {"image": batch})
        return np.asarray(probabilities, dtype=np.float32).reshape(-1)

    def answer(self, p_malignant: float, timing_ms: dict[str, float] | None = None) -> Prediction:
        """Turn a probability into the full answer, using only the card's threshold and bands."""
        risk = self.card.risk(p_malignant)
        return Prediction(
            label=self.card.label(p_malignant),
            p_malignant=float(p_malignant),
            risk=risk,
            threshold=self.card.threshold,
            advice=ADVICE[risk],
            disclaimer=DISCLAIMER,
            timing_ms=timing_ms or {},
        )

    def predict(self, source: bytes | str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Prediction:
        """Decode (one decoder, see images.py), crop/resize, run the model, answer."""
        start = time.perf_counter()
        pixels = square_crop_resize(load_rgb(source, max_pixels=max_pixels).image, self.size)
        decoded = time.perf_counter()
        p = float(self.predict_arrays(pixels[None])[0])
        done = time.perf_counter()
        return self.answer(
            p,
            {"decode": round((decoded - start) * 1e3, 3), "model": round((done - decoded) * 1e3, 3)},
        )
