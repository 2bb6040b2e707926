"""Micro-batching: concurrent requests share one ONNX Runtime call.

One model call on a batch of 16 costs far less than 16 calls on one photo each (the weights are
read once, the thread pool starts once), which is what lets two cores answer well over a hundred
photos a second. The batching is opportunistic, so it adds no latency: when the model is idle a
photo runs at once, alone; photos that arrive while a call is running wait and go together in the
next call. The model runs on dedicated threads ("lanes"), never on the event loop.

A request may hand over the upload's bytes with a ``prepare`` function instead of pixels
(:meth:`MicroBatcher.predict_upload`): the lane then decodes the photo right before the model call,
on the same thread, which saves the request a hop to a decode thread and back (each hop costs the
event loop more than parsing the request). ``prepare`` may decline (return None), e.g. for a big
photo that must be decoded under a deadline elsewhere: the request then gets :class:`NotPrepared`
and prepares it itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from skinscan.predictor import ModelOutputs, PhotoOutputs

PhotoSize = tuple[int, int]
"""The uploaded photo's stored (width, height), for the card's ``quality.min_side`` check."""

Prepare = Callable[[bytes], "tuple[np.ndarray, PhotoSize] | None"]
"""Upload bytes -> (uint8 [S, S, 3] pixels, stored size), or None to decline (api/decoding.decode_if_small)."""


class BatchModel(Protocol):
    """What the batcher needs of the model: :class:`skinscan.predictor.Predictor`, or a test's stand-in."""

    @property
    def size(self) -> int: ...

    def predict_arrays(self, batch: np.ndarray) -> np.ndarray: ...

    def run_arrays(self, batch: np.ndarray) -> ModelOutputs: ...


@dataclass(frozen=True)
class BatchResult:
    outputs: PhotoOutputs
    queue_ms: float
    model_ms: float
    batch_size: int
    prepared: PhotoSize | None = None
    """The stored size that ``prepare`` returned with the pixels; None when the request sent pixels."""
    prepare_ms: float = 0.0


class NotPrepared(Exception):
    """``prepare`` declined this upload: the caller prepares it another way and submits pixels."""


@dataclass
class _Job:
    work: np.ndarray | tuple[bytes, Prepare]
    """Pixels (:meth:`MicroBatcher.predict`), or an upload and its ``prepare`` (:meth:`MicroBatcher.predict_upload`)."""
    queued: float
    future: asyncio.Future[BatchResult]


BATCH_CANDIDATES = (1, 2, 4, 8, 16)


def calibrate_batch_size(
    predictor: BatchModel, limit: int, repeats: int = 5, clock: Callable[[], float] = time.perf_counter
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
    """Collects ``uint8 [S, S, 3]`` arrays (or uploads with a ``prepare``) from many requests and runs
    them in batches, on up to ``lanes`` threads at once."""

    def __init__(
        self,
        predictor: BatchModel,
        max_batch: int,
        clock: Callable[[], float] = time.perf_counter,
        lanes: int = 1,
        observer: Callable[[int, float], None] | None = None,
    ) -> None:
        self.predictor = predictor
        self.observer = observer
        """Called on the lane's thread after each model call with (photos, seconds): the metrics."""
        self.max_batch = max_batch
        self.lanes = lanes
        """Model calls that may run at once, each on its own thread (ONNX Runtime sessions are
        thread-safe): with one intra-op thread per lane, a core that HTTP or decoding takes for a
        moment slows one call, not every call (intra-op threads run in lock-step)."""
        self._clock = clock
        """Seconds; injectable so that tests measure queueing against a simulated model time."""
        self._pending: list[_Job] = []
        self._lock = threading.Lock()
        """Guards ``_pending`` and ``_running``: the loop appends, the lanes take."""
        self._running = 0
        self._kick_scheduled = False
        self._executor: ThreadPoolExecutor | None = None  # started on first use, again after close()

    async def predict(self, pixels: np.ndarray) -> BatchResult:
        """Model outputs for uint8 [S, S, 3] pixels; raises the model's error for the whole batch."""
        return await self._submit(pixels)

    async def predict_upload(self, data: bytes, prepare: Prepare) -> BatchResult:
        """Model outputs for an upload that ``prepare`` turns into pixels on the lane, right before the call.

        Raises what ``prepare`` raised for this upload, :class:`NotPrepared` when it declined, or the
        model's error for the whole batch.
        """
        return await self._submit((data, prepare))

    async def _submit(self, work: np.ndarray | tuple[bytes, Prepare]) -> BatchResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[BatchResult] = loop.create_future()
        with self._lock:
            self._pending.append(_Job(work, self._clock(), future))
        if not self._kick_scheduled:
            # Deferred to the end of this turn of the loop, so that requests arriving together
            # are queued before a lane takes its first batch.
            self._kick_scheduled = True
            loop.call_soon(self._kick)
        return await future

    def _kick(self) -> None:
        """On the loop: start idle lanes while there is queued work."""
        self._kick_scheduled = False
        with self._lock:
            starting = max(0, min(self.lanes - self._running, len(self._pending)))
            self._running += starting
        for _ in range(starting):
            self._lanes().submit(self._lane)

    def _lane(self) -> None:
        """On a lane's thread: take batches until the queue is empty. A lane never waits for the event
        loop between batches (that hand-over left a core idle a fifth of the time under load); the
        answers go back to the loop in one call per batch."""
        while True:
            with self._lock:
                if not self._pending:
                    self._running -= 1
                    return
                jobs = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
            started = self._clock()
            try:
                results = self._run(jobs)
            except Exception as exc:  # a model failure fails these requests, not the server
                results = [exc] * len(jobs)
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for these answers
                jobs[0].future.get_loop().call_soon_threadsafe(self._settle, jobs, results, started)

    @staticmethod
    def _settle(jobs: list[_Job], results: list[BatchResult | BaseException], started: float) -> None:
        """On the loop: hand each request its answer (or its error)."""
        for job, result in zip(jobs, results, strict=True):
            if job.future.done():  # the client may have gone away meanwhile
                continue
            if isinstance(result, BaseException):
                job.future.set_exception(result)
            else:
                job.future.set_result(replace(result, queue_ms=(started - job.queued) * 1e3))

    def _run(self, jobs: list[_Job]) -> list[BatchResult | BaseException]:
        """On a lane's thread: prepare each upload, then one model call for all that are ready."""
        results: list[BatchResult | BaseException] = [NotPrepared()] * len(jobs)
        ready: list[tuple[int, np.ndarray, PhotoSize | None, float]] = []
        for i, job in enumerate(jobs):
            if isinstance(job.work, np.ndarray):
                ready.append((i, job.work, None, 0.0))
                continue
            data, prepare = job.work
            started = self._clock()
            try:
                prepared = prepare(data)
            except Exception as exc:  # e.g. ImageRejected: this request's answer, not the batch's
                # Without its traceback: this frame's locals hold every upload of the batch.
                results[i] = exc.with_traceback(None)
                continue
            if prepared is not None:
                ready.append((i, prepared[0], prepared[1], (self._clock() - started) * 1e3))
        if not ready:
            return results
        started = self._clock()
        outputs = self.predictor.run_arrays(np.stack([pixels for _, pixels, _, _ in ready]))
        model_ms = (self._clock() - started) * 1e3
        if self.observer is not None:
            self.observer(len(ready), model_ms / 1e3)
        for k, (i, _, extra, prepare_ms) in enumerate(ready):
            results[i] = BatchResult(outputs.photo(k), 0.0, model_ms, len(ready), extra, prepare_ms)
        return results

    def _lanes(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.lanes, thread_name_prefix="skinscan-model")
        return self._executor

    def close(self) -> None:
        """Stop the lane threads (app shutdown); a later request starts them again."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
