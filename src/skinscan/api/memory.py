"""Upload memory: bounded while requests hold it, given back to the OS after a burst.

150 slow 15 MiB uploads took the server from 1.3 to 3.2 GB, and it stayed at 2.97 GB minutes after
they had finished: glibc keeps freed memory in its arenas (and raises its mmap threshold after the
first big free, so later big buffers come from the arenas too). So:

- :func:`tune_malloc` fixes the mmap threshold at 1 MiB (buffers of a photo's size are mapped and
  unmapped whole, never left in an arena);
- :class:`UploadMemory` counts the upload bytes that requests hold, refuses a new upload with 503
  ``server_busy`` once ``limit`` bytes are held, and when the last upload of a burst is done runs
  a garbage collection (uploads caught in reference cycles) and ``malloc_trim(0)`` (the arenas'
  free pages back to the OS) on a worker thread.

A no-op off glibc.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from skinscan.api.errors import ApiError

log = logging.getLogger("skinscan.memory")

M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20
TRIM_AFTER_BYTES = 32 << 20
"""Trim once at least this many upload bytes were released since the last trim."""


def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def tune_malloc() -> None:
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def trim() -> bool:
    """Collect reference cycles, then ``malloc_trim(0)``: True when glibc gave memory back.

    The collection matters as much as the trim: an upload refused by the decoder leaves its bytes
    reachable from the rejection's traceback (exception -> frames -> locals), a cycle that only the
    garbage collector frees, and a quiet server may not run a full collection for a long time
    (10 refused 15 MiB uploads were still mapped, 150 MB, seconds after their answers)."""
    gc.collect()
    libc = _libc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    returned = bool(libc.malloc_trim(0))
    log.info("upload burst over: malloc_trim %s", "returned memory" if returned else "had nothing to return")
    return returned


class Held:
    """The bytes one request holds; ``add`` as they arrive."""

    def __init__(self, memory: UploadMemory) -> None:
        self.memory = memory
        self.bytes = 0

    def add(self, size: int) -> None:
        self.memory.add(self, size)


class UploadMemory:
    """Upload bytes held by all requests of this process (event-loop only, no lock needed)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self.requests = 0
        self.released = 0
        self.trims = 0
        self._trimming: asyncio.Future[bool] | None = None

    def add(self, holder: Held, size: int) -> None:
        if self.held + size > self.limit:
            raise ApiError(
                503,
                "server_busy",
                "The server is receiving too many photos at once; try again in a few seconds.",
                {"Retry-After": "5", "Connection": "close"},
            )
        holder.bytes += size
        self.held += size

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[Held]:
        holder = Held(self)
        self.requests += 1
        try:
            yield holder
        finally:
            self.requests -= 1
            self.held -= holder.bytes
            self.released += holder.bytes
            if self.requests == 0 and self.released >= TRIM_AFTER_BYTES:
                self.released = 0
                self.trims += 1
                # In the background: the answer that ends the burst does not wait for it.
                self._trimming = asyncio.get_running_loop().run_in_executor(None, trim)
