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
PER_CORE_BATCHES = (1, 2, 4)
"""One call per core at these batch sizes: on one thread a batch of 2 costs about a tenth less per
photo than a batch of 1 here, and the server's lanes batch when requests queue."""


def photos_per_s(predictor: Predictor, batch: int, seconds: float, callers: int = 1) -> tuple[float, float]:
    """(photos per second, CPU milliseconds per photo) over ``seconds`` of back-to-back calls at
    ``batch`` from ``callers`` threads at once. CPU time is this process's, all threads."""
    size = predictor.size
    pixels = np.random.default_rng(0).integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    predictor.run_arrays(pixels)  # warm-up
    done = [0] * callers
    started, cpu_started = time.perf_counter(), time.process_time()

    def call(k: int) -> None:
        while time.perf_counter() - started < seconds or done[k] < 3 * batch:
            predictor.run_arrays(pixels)
            done[k] += batch

    threads = [threading.Thread(target=call, args=(k,)) for k in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    photos = sum(done)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return round(photos / wall, 1), round(cpu * 1e3 / photos, 3)


def model_throughput(model: Path, seconds: float = 4.0) -> dict[str, Any]:
    """Photos/s of the model file on the cores serving uses, the ways it can run there: one call at a
    time on every core (batch 1 and 16), and one single-threaded call per core at once (what
    ``SKINSCAN_MODEL_LANES`` = cores or ``--workers`` = cores does) at batch 1, 2 and 4. ``best`` is
    what the HTTP/model ratio divides by; the CPU milliseconds per photo of the cheapest way are what
    the server's CPU per request compares with."""
    cores = default_threads()
    shared, per_core = Predictor(model, threads=cores), Predictor(model, threads=1)
    runs = {f"batch_{batch}": photos_per_s(shared, batch, seconds) for batch in BATCHES}
    for batch in PER_CORE_BATCHES:
        name = "one_call_per_core" if batch == 1 else f"one_call_per_core_batch_{batch}"
        runs[name] = photos_per_s(per_core, batch, seconds, callers=cores)
    result: dict[str, Any] = {"cores": cores, "seconds_each": seconds}
    result |= {f"{name}_photos_per_s": rate for name, (rate, _) in runs.items()}
    result |= {f"{name}_cpu_ms_per_photo": cpu for name, (_, cpu) in runs.items()}
    result["best_photos_per_s"] = max(rate for rate, _ in runs.values())
    result["least_cpu_ms_per_photo"] = min(cpu for _, cpu in runs.values())
    return result
