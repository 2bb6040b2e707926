"""Micro-batching: concurrent photos share model calls, answers stay each photo's own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from skinscan.api.batcher import BatchResult, MicroBatcher, NotPrepared, calibrate_batch_size
from skinscan.predictor import ModelOutputs, Predictor


class _FakePredictor:
    """Model time from a table, or fixed + per_photo x N (ms), on a simulated clock; p = mean pixel / 255.

    Nothing sleeps: each call advances ``simulated_s`` by its model time, and ``clock`` reads it, so
    the batcher and the calibration measure exactly the times the test chose.
    """

    size = 224

    def __init__(
        self,
        fixed_ms: float = 0.0,
        per_photo_ms: float = 0.0,
        fail: bool = False,
        table: dict[int, float] | None = None,
    ) -> None:
        self.fixed_ms, self.per_photo_ms, self.fail, self.table = fixed_ms, per_photo_ms, fail, table
        self.calls: list[int] = []
        self.simulated_s = 0.0
        """Model time spent so far: a clock for calibrate_batch_size that no machine noise can move."""

    def clock(self) -> float:
        return self.simulated_s

    def predict_arrays(self, batch: np.ndarray) -> np.ndarray:
        self.calls.append(len(batch))
        ms = self.table[len(batch)] if self.table else self.fixed_ms + self.per_photo_ms * len(batch)
        self.simulated_s += ms / 1e3
        if self.fail:
            raise RuntimeError("model exploded")
        return batch.reshape(len(batch), -1).mean(axis=1).astype(np.float32) / 255

    def run_arrays(self, batch: np.ndarray) -> ModelOutputs:
        return ModelOutputs(p_malignant=self.predict_arrays(batch))


def test_calibration_keeps_batch_1_when_batching_hurts() -> None:
    fake = _FakePredictor(table={1: 5.0, 2: 16.0, 4: 40.0, 8: 90.0, 16: 200.0})
    assert calibrate_batch_size(fake, limit=16, clock=fake.clock) == 1
    assert max(fake.calls) == 2  # stopped as soon as batching was clearly worse


def test_calibration_batches_when_it_pays() -> None:
    fake = _FakePredictor(20.0, 0.5)
    assert calibrate_batch_size(fake, limit=16, clock=fake.clock) == 16


def test_calibration_finds_the_sweet_spot_and_stops_early() -> None:
    # per photo: 10, 6, 4, 5.5 ms (clearly worse than 4: stop); 16 is never tried
    fake = _FakePredictor(table={1: 10.0, 2: 12.0, 4: 16.0, 8: 44.0, 16: 200.0})
    assert calibrate_batch_size(fake, limit=16, clock=fake.clock) == 4
    assert 16 not in fake.calls


def test_calibration_respects_the_limit() -> None:
    fake = _FakePredictor(20.0, 0.5)
    assert calibrate_batch_size(fake, limit=4, clock=fake.clock) == 4


def _photos(n: int) -> list[np.ndarray]:
    return [np.full((224, 224, 3), 10 * i, dtype=np.uint8) for i in range(n)]


def _batcher(fake: _FakePredictor, max_batch: int) -> MicroBatcher:
    return MicroBatcher(fake, max_batch=max_batch, clock=fake.clock)


def test_concurrent_requests_share_calls_and_keep_their_answers() -> None:
    fake = _FakePredictor(5.0, 0.1)
    batcher = _batcher(fake, max_batch=8)

    async def main() -> list[BatchResult]:
        return await asyncio.gather(*(batcher.predict(photo) for photo in _photos(20)))

    results = asyncio.run(main())
    batcher.close()
    assert [r.outputs.p_malignant for r in results] == pytest.approx([10 * i / 255 for i in range(20)])
    # All 20 are queued before the first call starts: full batches in arrival order, then the rest.
    assert fake.calls == [8, 8, 4]
    assert [r.batch_size for r in results] == [8] * 16 + [4] * 4
    # Each batch waits exactly for the model calls before it (5 ms + 0.1 ms per photo each).
    assert [r.model_ms for r in results[::4]] == pytest.approx([5.8, 5.8, 5.8, 5.8, 5.4])
    assert [r.queue_ms for r in results[::4]] == pytest.approx([0.0, 0.0, 5.8, 5.8, 11.6])


def test_a_lone_request_runs_at_once() -> None:
    """Opportunistic batching: an idle model does not wait for a batch to fill."""
    fake = _FakePredictor(2.0)
    batcher = _batcher(fake, max_batch=8)
    result = asyncio.run(batcher.predict(_photos(1)[0]))
    batcher.close()
    assert (result.batch_size, result.queue_ms, result.model_ms, fake.calls) == (1, 0.0, pytest.approx(2.0), [1])


def test_a_model_failure_fails_its_requests_not_the_batcher() -> None:
    batcher = _batcher(_FakePredictor(1.0, fail=True), max_batch=4)

    async def main() -> list[object]:
        return await asyncio.gather(*(batcher.predict(p) for p in _photos(3)), return_exceptions=True)

    assert all(isinstance(r, RuntimeError) for r in asyncio.run(main()))
    batcher.predictor = _FakePredictor(1.0)
    assert asyncio.run(batcher.predict(_photos(1)[0])).outputs.p_malignant == 0.0
    batcher.close()


def test_uploads_are_prepared_on_the_lane_and_only_their_own_failures_fail_them() -> None:
    fake = _FakePredictor(3.0)

    def prepare(upload: bytes) -> tuple[np.ndarray, tuple[int, int]] | None:
        if upload == b"big":
            return None  # declined: the caller decodes it elsewhere
        if upload == b"broken":
            raise ValueError("not an image")
        fake.simulated_s += 0.001  # 1 ms of decoding on the simulated clock
        return np.full((224, 224, 3), int(upload), dtype=np.uint8), (int(upload), 2 * int(upload))  # "stored size"

    batcher = _batcher(fake, max_batch=8)

    async def main() -> list[object]:
        uploads = [b"51", b"big", b"broken", b"102"]
        return await asyncio.gather(*(batcher.predict_upload(u, prepare) for u in uploads), return_exceptions=True)

    first, big, broken, last = asyncio.run(main())
    batcher.close()
    assert isinstance(big, NotPrepared) and isinstance(broken, ValueError)
    assert isinstance(first, BatchResult) and isinstance(last, BatchResult)
    assert fake.calls == [2]  # one model call for the two that were ready
    assert (first.outputs.p_malignant, first.prepared, first.batch_size) == (pytest.approx(0.2), (51, 102), 2)
    assert (last.outputs.p_malignant, last.prepared) == (pytest.approx(0.4), (102, 204))
    assert first.prepare_ms == pytest.approx(1.0) and first.model_ms == pytest.approx(3.0)


def test_batched_answers_equal_single_answers(tiny_model: Path) -> None:
    predictor = Predictor(tiny_model, threads=1)
    photos = np.stack([np.random.default_rng(i).integers(0, 256, (224, 224, 3), dtype=np.uint8) for i in range(6)])
    singles = np.concatenate([predictor.predict_arrays(photo[None]) for photo in photos])
    np.testing.assert_allclose(predictor.predict_arrays(photos), singles, rtol=1e-5, atol=1e-6)


def test_two_lanes_take_batches_themselves_and_answer_every_request() -> None:
    """Lanes take the next batch on their own thread (no round trip through the event loop);
    every request still gets its own answer, across two event loops in a row."""
    fake = _FakePredictor(1.0)
    batcher = MicroBatcher(fake, max_batch=3, clock=fake.clock, lanes=2)

    async def main() -> list[BatchResult]:
        return await asyncio.gather(*(batcher.predict(photo) for photo in _photos(17)))

    for _ in range(2):
        results = asyncio.run(main())
        assert [r.outputs.p_malignant for r in results] == pytest.approx([10 * i / 255 for i in range(17)])
        assert all(1 <= r.batch_size <= 3 for r in results)
    batcher.close()
    assert sum(fake.calls) == 34 and max(fake.calls) == 3
