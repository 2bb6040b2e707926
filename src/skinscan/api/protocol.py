"""uvicorn's httptools protocol with the limits it lacks, and JSON for the errors it writes itself.

uvicorn (with httptools, which it picks when installed) accepts request headers of any size and
waits for them forever: 64 MiB headers were accepted, eight unfinished 40 MiB headers took the
process from 211 to 527 MB, and slowloris connections stayed open past 130 s. Its own 400 and
503 answers are ``text/plain`` without the security headers. This subclass:

- counts request-line + header bytes and answers **431** ``headers_too_large`` once they pass
  ``max_header_bytes`` (checked after each read, so at most one read, <= 256 KiB, is buffered);
- gives a client ``header_timeout`` seconds from connecting (or from the first byte of the next
  request) to finish its headers, else **408** ``header_timeout`` and the connection is closed;
- answers uvicorn's "Invalid HTTP request" with a JSON **400** ``bad_request``, and the
  ``limit_concurrency`` overflow with a JSON **503** ``server_busy``, all with security headers.

Idle keep-alive connections are closed by uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from skinscan.api.middleware import API_HEADERS, COMMON_HEADERS, ISOLATION_HEADERS, PAGE_CSP

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large", 503: b"Busy"}


class Limits:
    """Process-wide values, set by ``configure`` (``serve`` and ``create_app_from_env``)."""

    max_header_bytes = 32 * 1024
    header_timeout = 10.0


def configure(max_header_bytes: int, header_timeout: float) -> None:
    Limits.max_header_bytes = max_header_bytes
    Limits.header_timeout = header_timeout


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; httptools re-raises it as a parser error."""


def error_bytes(status: int, code: str, detail: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A complete HTTP/1.1 JSON error response that closes the connection."""
    body = json.dumps({"detail": detail, "code": code}).encode()
    headers = [
        *default_headers,
        *((name.encode(), value.encode()) for name, value in COMMON_HEADERS.items()),
        *((name.encode(), value.encode()) for name, value in ISOLATION_HEADERS.items()),
        *((name.encode(), value.encode()) for name, value in API_HEADERS.items()),
        (b"content-security-policy", PAGE_CSP.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    head = b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b"Error"))
    return head + b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._awaiting_headers = True
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, str, str] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(Limits.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._awaiting_headers:
            return
        if self._header_bytes == 0:
            self.transport.close()  # connected and said nothing: nobody to answer
            return
        self._refuse(408, "header_timeout", "The request headers took too long to arrive.")

    def _refuse(self, status: int, code: str, detail: str) -> None:
        self.logger.warning("refused before the app: %d %s", status, code)
        self.transport.write(error_bytes(status, code, detail, self.server_state.default_headers))
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._awaiting_headers and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > Limits.max_header_bytes:
                self._refuse(431, "headers_too_large", f"Request headers over {Limits.max_header_bytes} bytes.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_headers = True
        self._header_bytes = 0
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._cancel_header_timer()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > Limits.max_header_bytes:
            self._refusal = (431, "headers_too_large", f"Request headers over {Limits.max_header_bytes} bytes.")
            raise _Refused
        limit = self.limit_concurrency
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            self._refusal = (503, "server_busy", "The server has too many open connections; try again shortly.")
            raise _Refused
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        status, code, detail = self._refusal or (400, "bad_request", "The HTTP request is malformed.")
        self._refusal = None
        if not self.transport.is_closing():
            self._refuse(status, code, detail)
