"""Decoding under a budget: small photos in a thread, big ones in worker processes that can be
abandoned.

The decoder's header checks (pixel limits per format, the progressive-scan limit) bound what a
photo may cost, but a decode is C code that cannot be interrupted from Python. So:

- The header is read first (cheap). A photo of at most ``INLINE_MAX_PIXELS`` (a 224 px crop, a
  typical dermoscopy image) is decoded right away on a worker thread: its cost is bounded by its
  size, and it never queues behind big photos.
- A bigger one goes to a :class:`DecodePool` of spawned processes (forkserver; one job per
  worker at a time). The job has ``timeout_s`` to finish; past it, or when the client disconnects,
  the worker is killed (which frees its memory at once) and replaced on next use. The answer is
  413 ``decode_too_slow`` (or 503 ``decoder_busy`` when no worker frees up in time).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext

import anyio
import anyio.to_thread
from anyio import CapacityLimiter
from starlette.requests import Request

from skinscan.api.decodeworker import Decoded, Reply, decode_to_model_input, worker_main
from skinscan.api.errors import ApiError, client_error_in
from skinscan.images import DEFAULT_MAX_PIXELS, ImageRejected, inspect

log = logging.getLogger("skinscan.decode")

INLINE_MAX_PIXELS = 2_000_000
"""At most this many pixels (from the header) decode in-process: a few ms, whatever the format."""


class _Worker:
    def __init__(self, context: ForkServerContext) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.conn: Connection = parent

    def kill(self) -> None:
        self.process.kill()  # the pipe is closed in reap(), after the thread reading it saw EOF

    def reap(self) -> None:
        self.process.join(timeout=5)
        self.conn.close()


def _roundtrip(conn: Connection, job: tuple[bytes, int, int]) -> Reply:
    conn.send(job)
    reply: Reply = conn.recv()
    return reply


class DecodePool:
    """``workers`` decode processes, started on first use; ``close()`` kills them."""

    def __init__(self, workers: int, timeout_s: float) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._slots: anyio.Semaphore | None = None
        self._context: ForkServerContext | None = None
        self.killed = 0
        """Workers abandoned so far (deadline or client gone): for tests and logs."""
        self.jobs = 0
        """Jobs handed to a worker so far."""

    def _get_context(self) -> ForkServerContext:
        if self._context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["skinscan.api.decodeworker"])
            self._context = context
        return self._context

    async def decode(self, data: bytes, size: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> Decoded:
        if self._slots is None:  # made inside the event loop that uses it
            self._slots = anyio.Semaphore(self.workers)
        try:
            with anyio.fail_after(self.timeout_s):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise ApiError(
                503, "decoder_busy", "The server is busy decoding other photos; try again.", {"Retry-After": "2"}
            ) from exc
        try:
            self._idle = [idle for idle in self._idle if idle.process.is_alive()]  # died while idle: gone
            if not self._idle:
                with anyio.CancelScope(shield=True):  # a started worker must not leak on cancel
                    started = await anyio.to_thread.run_sync(_Worker, self._get_context())
                    self._all.add(started)
                    self._idle.append(started)
            worker = self._idle.pop()
            reply = await self._run(worker, (data, size, max_pixels))
        finally:
            self._slots.release()
        return _unpack(reply)

    async def _run(self, worker: _Worker, job: tuple[bytes, int, int]) -> Reply:
        self.jobs += 1
        try:
            with anyio.fail_after(self.timeout_s):
                reply = await anyio.to_thread.run_sync(_roundtrip, worker.conn, job, abandon_on_cancel=True)
        except TimeoutError as exc:
            self._abandon(worker, "deadline")
            raise ImageRejected(
                "decode_too_slow",
                f"Decoding this photo took longer than {self.timeout_s:g} s. Send a smaller or plainer photo.",
                413,
            ) from exc
        except (EOFError, OSError) as exc:  # the worker died under this photo (killed, out of memory)
            self._abandon(worker, "worker died")
            raise ImageRejected("corrupt_image", "The photo could not be decoded. Try another photo.", 400) from exc
        except BaseException:  # cancelled: the client went away
            self._abandon(worker, "cancelled")
            raise
        self._idle.append(worker)
        return reply

    def _abandon(self, worker: _Worker, why: str) -> None:
        self.killed += 1
        self._all.discard(worker)
        log.warning("decode abandoned (%s): worker %s killed", why, worker.process.pid)
        worker.kill()
        threading.Thread(target=worker.reap, daemon=True).start()  # reaped off the loop

    def close(self) -> None:
        """Kill every worker, idle or busy (at shutdown, after in-flight requests had their time)."""
        workers = list(self._all)
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.reap()
        self._all.clear()
        self._idle.clear()


def _unpack(reply: Reply) -> Decoded:
    if reply[0] == "ok":
        return reply[1], reply[2]
    _, code, message, status = reply
    raise ImageRejected(code, message, status)


def decode_if_small(data: bytes, size: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> Decoded | None:
    """Decode here when the header says the photo is small; None when it must go to the pool."""
    header = inspect(data, max_pixels=max_pixels)
    if header.pixels > INLINE_MAX_PIXELS:
        return None
    return decode_to_model_input(data, size, max_pixels)


async def _until_disconnected(request: Request, scope: anyio.CancelScope) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            scope.cancel()
            return


async def decode_upload(
    request: Request,
    data: bytes,
    size: int,
    pool: DecodePool | None,
    limiter: CapacityLimiter | None = None,
) -> Decoded:
    """(model input, stored size) for an uploaded photo, decoded under the budget described above.

    Raises :class:`ImageRejected` or :class:`ApiError` itself, never an exception group: the task
    group that watches for a disconnect would wrap them, and a wrapped client error once became a 500.
    """
    small = await anyio.to_thread.run_sync(decode_if_small, data, size, DEFAULT_MAX_PIXELS, limiter=limiter)
    if small is not None:
        return small
    if pool is None:  # no pool configured: decode on a thread (no deadline)
        return await anyio.to_thread.run_sync(decode_to_model_input, data, size, limiter=limiter)
    result: Decoded | None = None
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_until_disconnected, request, group.cancel_scope)
            result = await pool.decode(data, size)
            group.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        raise client_error_in(group) from None
    if result is None:
        raise ApiError(400, "client_gone", "The client disconnected before the photo was decoded.")
    return result
