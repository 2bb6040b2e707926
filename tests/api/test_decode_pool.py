"""Issue 12, finding 1: big photos decode in worker processes that are killed on a deadline or
when the client goes away; small photos never wait for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.requests import Request

from api.conftest import MakeClient
from api.hostile_gen import progressive_scan_bomb
from skinscan.api.decoding import INLINE_MAX_PIXELS, DecodePool, decode_upload
from skinscan.api.errors import ApiError
from skinscan.images import MAX_JPEG_SCANS, ImageRejected
from skinscan.predictor import Answer, Predictor

try:
    from skinscan.bench.synthetic import encode, lesion_photo
except ImportError:  # until the move of synthetic.py into skinscan/bench/ is committed
    from skinscan.synthetic import encode, lesion_photo  # type: ignore[no-redef,import-not-found,unused-ignore]

SLOW = progressive_scan_bomb(4096, MAX_JPEG_SCANS - 1)  # legal, but ~16 MP x 63 scans of work
BIG = encode(lesion_photo(2000, 1500, seed=4), "JPEG", quality=85)  # 3 MP: goes to the pool
SMALL = encode(lesion_photo(224, 224, seed=5), "JPEG", quality=90)


def test_the_fixtures_take_the_paths_they_are_meant_to() -> None:
    assert 2000 * 1500 > INLINE_MAX_PIXELS >= 224 * 224


def _request(pool: DecodePool, disconnect: bool = False) -> Request:
    async def receive() -> dict[str, Any]:
        while not disconnect or pool.jobs == 0:  # the client leaves once its photo is decoding
            await anyio.sleep(0.01)
        return {"type": "http.disconnect"}

    scope = {"type": "http", "headers": []}
    return Request(scope, receive)


def test_a_decode_past_its_deadline_is_abandoned_and_the_pool_recovers() -> None:
    async def main() -> None:
        pool = DecodePool(workers=1, timeout_s=0.02)
        try:
            with pytest.raises(ImageRejected) as caught:
                await pool.decode(SLOW, 224)
            assert (caught.value.code, caught.value.status) == ("decode_too_slow", 413)
            assert pool.killed == 1
            pool.timeout_s = 60.0
            pixels, size = await pool.decode(BIG, 224)  # a fresh worker
            assert pixels.shape == (224, 224, 3) and size == (2000, 1500)
        finally:
            pool.close()

    anyio.run(main)


def test_rejections_in_the_worker_keep_their_code() -> None:
    async def main() -> None:
        pool = DecodePool(workers=1, timeout_s=60)
        try:
            with pytest.raises(ImageRejected) as caught:
                await pool.decode(BIG[: len(BIG) // 3], 224)
            assert caught.value.code == "corrupt_image" and pool.killed == 0
        finally:
            pool.close()

    anyio.run(main)


def test_a_client_that_disconnects_stops_its_decode() -> None:
    async def main() -> None:
        pool = DecodePool(workers=1, timeout_s=60)
        try:
            gone = _request(pool, disconnect=True)
            with pytest.raises(ApiError) as caught:
                await decode_upload(gone, SLOW, 224, pool)
            assert caught.value.code == "client_gone" and pool.killed == 1
        finally:
            pool.close()

    anyio.run(main)


def test_small_photos_never_wait_for_the_pool() -> None:
    async def main() -> None:
        pool = DecodePool(workers=1, timeout_s=60)
        pool._slots = anyio.Semaphore(1)
        await pool._slots.acquire()  # every worker busy (say, with bombs)
        with anyio.fail_after(30):
            pixels, size = await decode_upload(_request(pool), SMALL, 224, pool)
        assert pixels.shape == (224, 224, 3) and size == (224, 224)
        pool.close()

    anyio.run(main)


def test_big_photos_through_the_api_use_the_pool(make_client: MakeClient, tiny_model: Path) -> None:
    """The big photo is decoded by a worker process, the small one in-process; both answers are the
    ones the in-process decoder gives (the worker decodes the same pixels)."""
    with make_client(decode_workers=1) as client:
        pool = client.app.state.serving.decoder  # type: ignore[attr-defined]
        big = client.post("/api/v1/predict", files={"image": ("big.jpg", BIG, "image/jpeg")})
        assert big.status_code == 200, big.text
        assert (pool.jobs, pool.killed, len(pool._idle)) == (1, 0, 1)
        small = client.post("/api/v1/predict", files={"image": ("s.jpg", SMALL, "image/jpeg")})
        assert small.status_code == 200, small.text
        assert pool.jobs == 1, "a small photo went to the pool"
    predictor = Predictor(tiny_model)
    for response, data in ((big, BIG), (small, SMALL)):
        expected = predictor.predict(data)
        assert isinstance(expected, Answer)
        assert response.json()["p_malignant"] == pytest.approx(expected.p_malignant, abs=1e-6)


def test_a_worker_that_died_while_idle_is_replaced_not_blamed_on_the_photo() -> None:
    async def main() -> None:
        pool = DecodePool(workers=1, timeout_s=60)
        try:
            await pool.decode(BIG, 224)
            idle = pool._idle[0]
            idle.process.kill()
            idle.process.join(10)
            pixels, _ = await pool.decode(BIG, 224)
            assert pixels.shape == (224, 224, 3) and pool._idle[0] is not idle
        finally:
            pool.close()
        assert not pool._all

    anyio.run(main)
