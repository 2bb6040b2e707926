"""Micro-batching: concurrent requests share one ONNX Runtime call.

One model call on a batch of 16 costs far less than 16 calls on one photo each (the weights are
read once, the thread pool starts once), which is what lets two cores answer well over a hundred
photos a second. The batching is opportunistic, so it adds no latency: when the model is idle a
photo runs at once, alone; photos that arrive while a call is running wait and go together in the
next call. The model runs on one dedicated thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from skinscan.predictor import PhotoOutputs, Predictor


@dataclass(frozen=True)
class BatchResult:
    outputs: PhotoOutputs
    queue_ms: float
    model_ms: float
    batch_size: int


BATCH_CANDIDATES = (1, 2, 4, 8, 16)


def calibrate_batch_size(
    predictor: Predictor, limit: int, repeats: int = 2, clock: Callable[[], float] = time.perf_counter
) -> int:
    """The batch size with the lowest model time per photo, measured on this machine.

    Batching is not always a win on CPU: for depthwise-convolution nets (EfficientNet-Lite) a big
    batch overflows the caches and costs more per photo than batch 1, while for other models it
    cuts the cost severalfold. So the server measures it at start-up instead of guessing. Sizes
    are tried in increasing order and the search stops once a size is clearly worse (30 %) than
    the best so far, so a model that does not batch well costs only a few calls; a size within
    10 % of the best counts as good and the smallest such one wins (less queueing). ``clock`` is
    injectable so that tests can use a simulated model time instead of sleeping.
    """
    size = predictor.size
    pixels = np.random.default_rng(0).integers(0, 256, (max(BATCH_CANDIDATES), size, size, 3), np.uint8)
    per_photo: dict[int, float] = {}
    for batch in (b for b in BATCH_CANDIDATES if b <= limit):
        predictor.predict_arrays(pixels[:batch])  # warm-up: allocations for this shape
        cost = float("inf")
        for _ in range(repeats):
            started = clock()
            predictor.predict_arrays(pixels[:batch])
            cost = min(cost, (clock() - started) / batch)
        per_photo[batch] = cost
        if cost > 1.3 * min(per_photo.values()):
            break
    fastest = min(per_photo.values())
    return min(batch for batch, cost in per_photo.items() if cost <= fastest * 1.1)


class MicroBatcher:
    """Collects ``uint8 [S, S, 3]`` arrays from many requests and runs them in batches."""

    def __init__(self, predictor: Predictor, max_batch: int, clock: Callable[[], float] = time.perf_counter) -> None:
        self.predictor = predictor
        self.max_batch = max_batch
        self._clock = clock
        """Seconds; injectable so that tests measure queueing against a simulated model time."""
        self._pending: list[tuple[np.ndarray, float, asyncio.Future[BatchResult]]] = []
        self._running = False
        self._task: asyncio.Task[None] | None = None  # kept so the task is not garbage-collected
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="skinscan-model")

    async def predict(self, pixels: np.ndarray) -> BatchResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[BatchResult] = loop.create_future()
        self._pending.append((pixels, self._clock(), future))
        if not self._running:
            self._running = True
            self._task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                stacked = np.stack([pixels for pixels, _, _ in batch])
                started = self._clock()
                try:
                    outputs = await loop.run_in_executor(self._executor, self.predictor.run_arrays, stacked)
                except Exception as exc:  # a model failure fails these requests, not the server
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                model_ms = (self._clock() - started) * 1e3
                for i, (_, queued, future) in enumerate(batch):
                    if not future.done():  # the client may have gone away meanwhile
                        future.set_result(
                            BatchResult(
                                outputs=outputs.photo(i),
                                queue_ms=(started - queued) * 1e3,
                                model_ms=model_ms,
                                batch_size=len(batch),
                            )
                        )
        finally:
            self._running = False

    def close(self) -> None:
        self._executor.shutdown(wait=True)
