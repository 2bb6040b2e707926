"""A small keep-alive HTTP/1.1 load generator for loopback benchmarks (asyncio streams).

httpx costs about a millisecond of CPU per request, which on a 2-core machine would be measured
as server time; this client sends pre-built request bytes and parses only the status line and
Content-Length, so nearly all the CPU goes to the server. Loopback only, bounded by a request
count and a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from dataclasses import dataclass, field

import numpy as np


def multipart_body(field_name: str, filename: str, data: bytes) -> tuple[str, bytes]:
    """(Content-Type, body) of a ``multipart/form-data`` body with one file field."""
    boundary = "skinscan" + secrets.token_hex(8)
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'.encode(),
            b"Content-Type: image/jpeg\r\n\r\n",
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return f"multipart/form-data; boundary={boundary}", body


def multipart_request(host: str, port: int, path: str, field_name: str, filename: str, data: bytes) -> bytes:
    """Raw bytes of a ``POST`` with one file field, ready to be written to a socket."""
    content_type, body = multipart_body(field_name, filename, data)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


def get_request(host: str, port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()


@dataclass
class RunResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    server_timing: list[dict[str, float]] = field(default_factory=list)
    served_by: dict[str, int] = field(default_factory=dict)
    """Answers per ``X-Served-By`` (replica id) value."""
    wall_s: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    def add(self, other: RunResult) -> None:
        """Fold a later run into this one (a load kept on in rounds)."""
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.server_timing += other.server_timing
        self.wall_s += other.wall_s
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        for replica, n in other.served_by.items():
            self.served_by[replica] = self.served_by.get(replica, 0) + n

    def summary(self) -> dict[str, object]:
        lat = np.asarray(self.latencies_ms or [float("nan")])
        out: dict[str, object] = {
            "requests": len(self.latencies_ms),
            "ok": self.ok,
            "non_200": sum(n for status, n in self.statuses.items() if status != 200),
            "connection_errors": len(self.errors),
            "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p95_ms": round(float(np.percentile(lat, 95)), 2),
            "p99_ms": round(float(np.percentile(lat, 99)), 2),
            "mean_ms": round(float(lat.mean()), 2),
            "wall_s": round(self.wall_s, 2),
            "requests_per_s": round(len(self.latencies_ms) / self.wall_s, 1) if self.wall_s else None,
        }
        if self.server_timing:
            keys = sorted({key for timing in self.server_timing for key in timing})
            out["server_timing_median_ms"] = {
                key: round(float(np.median([t.get(key, np.nan) for t in self.server_timing])), 3) for key in keys
            }
        return out


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, bytes, str]:
        """(status, body, X-Served-By or "")."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        self.writer.write(raw)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close, served_by = 0, False, ""
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
            elif name == "x-served-by":
                served_by = value.strip()
        body = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, body, served_by

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def run_load(
    host: str,
    port: int,
    raw: bytes,
    *,
    requests: int,
    concurrency: int,
    deadline_s: float,
    keep_timing_every: int = 1,
) -> RunResult:
    """Send ``raw`` ``requests`` times over ``concurrency`` keep-alive connections."""
    result = RunResult()
    remaining = requests
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal remaining
        connection = _Connection(host, port)
        try:
            while remaining > 0 and time.perf_counter() - started < deadline_s:
                remaining -= 1
                index = remaining
                sent = time.perf_counter()
                try:
                    status, body, served_by = await connection.request(raw)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    result.errors.append(type(exc).__name__)
                    await connection.close()
                    continue
                result.latencies_ms.append((time.perf_counter() - sent) * 1e3)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.served_by[served_by] = result.served_by.get(served_by, 0) + 1
                if status == 200 and index % keep_timing_every == 0 and body.startswith(b"{"):
                    timing = json.loads(body).get("timing_ms")
                    if isinstance(timing, dict):
                        result.server_timing.append(timing)
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall_s = time.perf_counter() - started
    return result
