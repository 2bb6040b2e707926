"""Throughput of the model file alone, to compare HTTP requests/s with in the same run.

The session is the one serving builds (``Predictor``: same threads, same options) and each call
runs every output serving reads, on the card's input size. Bounded by time, not by count.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from skinscan.predictor import Predictor, default_threads

BATCHES = (1, 16)


def photos_per_s(predictor: Predictor, batch: int, seconds: float) -> float:
    """Photos per second over ``seconds`` of back-to-back calls at ``batch`` (after one warm-up call)."""
    size = predictor.size
    pixels = np.random.default_rng(0).integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    predictor.run_arrays(pixels)
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds or calls < 3:
        predictor.run_arrays(pixels)
        calls += 1
    return round(calls * batch / elapsed, 1)


def model_throughput(model: Path, seconds: float = 4.0) -> dict[str, Any]:
    """Photos/s at batch 1 and 16 on all the cores serving uses; ``best`` is what the ratio divides by."""
    threads = default_threads()
    predictor = Predictor(model, threads=threads)
    result: dict[str, Any] = {"threads": threads, "seconds_each": seconds}
    result |= {f"batch_{batch}_photos_per_s": photos_per_s(predictor, batch, seconds) for batch in BATCHES}
    result["best_photos_per_s"] = max(result[f"batch_{batch}_photos_per_s"] for batch in BATCHES)
    return result
