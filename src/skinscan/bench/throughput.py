"""Throughput of the model file alone, to compare HTTP requests/s with in the same run.

The session is the one serving builds (``Predictor``: same options) and each call runs every
output serving reads, on the card's input size. Bounded by time, not by count.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from skinscan.predictor import Predictor, default_threads

BATCHES = (1, 16)


def photos_per_s(predictor: Predictor, batch: int, seconds: float, callers: int = 1) -> float:
    """Photos per second over ``seconds`` of back-to-back calls at ``batch`` from ``callers`` threads at once."""
    size = predictor.size
    pixels = np.random.default_rng(0).integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    predictor.run_arrays(pixels)  # warm-up
    done = [0] * callers
    started = time.perf_counter()

    def call(k: int) -> None:
        while time.perf_counter() - started < seconds or done[k] < 3 * batch:
            predictor.run_arrays(pixels)
            done[k] += batch

    threads = [threading.Thread(target=call, args=(k,)) for k in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round(sum(done) / (time.perf_counter() - started), 1)


def model_throughput(model: Path, seconds: float = 4.0) -> dict[str, Any]:
    """Photos/s of the model file on the cores serving uses, the ways it can run there: one call at a
    time on every core (batch 1 and 16), and one single-threaded call per core at once (what
    ``SKINSCAN_MODEL_LANES`` = cores does). ``best`` is what the HTTP/model ratio divides by."""
    cores = default_threads()
    shared = Predictor(model, threads=cores)
    result: dict[str, Any] = {"cores": cores, "seconds_each": seconds}
    result |= {f"batch_{batch}_photos_per_s": photos_per_s(shared, batch, seconds) for batch in BATCHES}
    per_core = Predictor(model, threads=1)
    result["one_call_per_core_photos_per_s"] = photos_per_s(per_core, 1, seconds, callers=cores)
    result["best_photos_per_s"] = max(v for k, v in result.items() if k.endswith("_photos_per_s"))
    return result
