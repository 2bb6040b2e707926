"""What the benchmarks share: the machine's description, the small photo, an RSS sampler."""

from __future__ import annotations

import os
import platform
import threading
import time
from pathlib import Path
from typing import Any

import onnxruntime as ort

from skinscan.bench import launch
from skinscan.bench.synthetic import lesion_jpeg
from skinscan.card import file_sha256
from skinscan.predictor import default_threads

HOST = launch.HOST
PREDICT = "/api/v1/predict"


def environment(model: Path) -> dict[str, Any]:
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cores": default_threads(),
        "cpu": cpu,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "onnxruntime": ort.__version__,
        "model": {"path": str(model), "sha256": file_sha256(model), "bytes": model.stat().st_size},
    }


def small_photo() -> tuple[str, bytes]:
    """A 224 px dermoscopy JPEG from the data set (SKINSCAN_DATA) when there is one, so that a trained
    gate answers it (200) instead of refusing a synthetic blob (422); else the synthetic one."""
    folder = Path(os.environ.get("SKINSCAN_DATA", "")) / "test" / "malignant"
    found = sorted(folder.glob("*.jpg")) if os.environ.get("SKINSCAN_DATA") else []
    if found:
        return str(found[0]), found[0].read_bytes()
    return "synthetic: lesion_jpeg(224, 224, seed=1)", lesion_jpeg(224, 224, seed=1)


class RssSampler:
    """Samples a server's RSS from a background thread while a load test runs."""

    def __init__(self, pid: int, every_s: float) -> None:
        self.pid, self.every_s = pid, every_s
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.samples.append(launch.rss_mb(self.pid))

    def __enter__(self) -> list[float]:
        self._thread.start()
        return self.samples

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
