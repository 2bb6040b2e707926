"""How much faster is the shipped model than the tutorial's frozen VGG19 + dense head?

The tutorial's network is rebuilt here with the same layer shapes (VGG19's 16 convolutions and
5 poolings on a 224x224x3 input, then Flatten -> Dense(256) -> Dense(1)), exported to ONNX with
random weights (speed does not depend on the values) and timed against ``models/skinscan.onnx`` in
the same ONNX Runtime, same threads, same process, alternating runs, so that the ratio is fair on a
noisy machine. ``skinscan bench --which model`` puts the result into ``bench/results/model.json``.
"""

from __future__ import annotations

import json
import logging
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from skinscan.card import load_card
from skinscan.predictor import default_threads, onnx_session

log = logging.getLogger(__name__)
TUTORIAL_SIZE = 224
"""The tutorial's VGG19 input side (its design, not ours)."""
VGG19_LAYOUT = (
    64,
    64,
    "M",
    128,
    128,
    "M",
    256,
    256,
    256,
    256,
    "M",
    512,
    512,
    512,
    512,
    "M",
    512,
    512,
    512,
    512,
    "M",
)


class TutorialVGG19(nn.Module):
    """VGG19 convolutional trunk + the dense head a Keras transfer-learning tutorial puts on it."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for item in VGG19_LAYOUT:
            if item == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(channels, int(item), 3, padding=1), nn.ReLU(inplace=True)]
                channels = int(item)
        self.trunk = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(512 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = image.permute(0, 3, 1, 2).float() / 255.0
        out: torch.Tensor = self.head(self.trunk(x))
        return out.squeeze(1)


def _time_once(session: ort.InferenceSession, batch: np.ndarray) -> float:
    start = time.perf_counter()
    session.run(None, {session.get_inputs()[0].name: batch})
    return (time.perf_counter() - start) * 1e3


def compare(model: Path, out: Path | None = None, repeats: int = 30, threads: int | None = None) -> dict[str, Any]:
    threads = threads or default_threads()
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, size=(1, TUTORIAL_SIZE, TUTORIAL_SIZE, 3), dtype=np.uint8)
    size = load_card(model.with_suffix(".json")).input_size  # ours: the card's size, not the tutorial's
    photos = {"skinscan": photo[:, :size, :size].copy(), "tutorial_vgg19": photo}
    with tempfile.TemporaryDirectory() as tmp:
        vgg_path = Path(tmp) / "vgg19.onnx"
        torch.onnx.export(
            TutorialVGG19().eval(),
            (torch.from_numpy(photo),),
            str(vgg_path),
            input_names=["image"],
            output_names=["p"],
            opset_version=17,
            dynamo=False,
        )
        sessions = {"skinscan": onnx_session(model, threads), "tutorial_vgg19": onnx_session(vgg_path, threads)}
        times: dict[str, list[float]] = {name: [] for name in sessions}
        for name, session in sessions.items():
            for _ in range(3):
                _time_once(session, photos[name])
        for _ in range(repeats):  # alternate, so both see the same machine conditions
            for name, session in sessions.items():
                times[name].append(_time_once(session, photos[name]))
        vgg_bytes = vgg_path.stat().st_size
    medians = {name: float(np.median(values)) for name, values in times.items()}
    result = {
        "what": "single-photo ONNX Runtime latency, batch 1, median of alternating runs",
        "machine": {
            "cpus": default_threads(),
            "processor": platform.processor() or platform.machine(),
            "onnxruntime": ort.__version__,
            "threads": threads,
        },
        "model": {
            "file": str(model),
            "version": load_card(model.with_suffix(".json")).version,
            "bytes": model.stat().st_size,
        },
        "tutorial_vgg19_bytes": vgg_bytes,
        "median_ms": {k: round(v, 2) for k, v in medians.items()},
        "p90_ms": {k: round(float(np.percentile(v, 90)), 2) for k, v in times.items()},
        "speedup_vs_tutorial_vgg19": round(medians["tutorial_vgg19"] / medians["skinscan"], 1),
        "repeats": repeats,
    }
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    log.info("model speed: median ms %s, %sx faster", result["median_ms"], result["speedup_vs_tutorial_vgg19"])
    return result
