"""The HTTP/1.1 edge: uvicorn's httptools protocol with the limits it lacks, and JSON for the errors
it writes itself.

Why here and not a proxy in front: ``make run`` and ``skinscan serve`` are exposed directly (a
phone on the same network, Heroku's router which passes bytes through), so the process itself
must hold every limit; a proxy (``skinscan cluster``'s HAProxy) adds a second line, never the only
one (README, "Security"). uvicorn has no hook for any of this, so this subclass relies on a few
of its internals, listed in ``UVICORN_INTERNALS``; uvicorn is pinned exactly in pyproject.toml
and ``tests/api/test_protocol_internals.py`` fails when one of them changes.

Limits, all per connection unless said otherwise, all answered in JSON with a stable code
(and in Chinese when the request asked for it) and the connection closed:

- **Headers**: request line + header bytes over ``max_header_bytes`` -> 431 ``headers_too_large``
  (counted after each read, so at most one read, <= 256 KiB, is buffered); not complete within
  ``header_timeout_s`` of the connection (or of the first byte of the next request) -> 408
  ``header_timeout`` (a connection that said nothing is just closed).
- **Trailers** (after a chunked body): at most ``max_trailers`` fields, and framing bytes (chunk
  sizes + trailers) at most ``max_header_bytes`` plus 64 per chunk -> 431 ``trailers_too_large``.
  Trailers are never added to the request's headers.
- **Bodies**: only the routes in ``body_routes`` take one; any other request that declares a body
  (``Content-Length`` > 0) is refused at once (413 ``body_not_allowed``), and a chunked one at its
  first body byte. A body must keep up ``min_body_rate`` bytes/s over every ``rate_window_s``
  window (while the server is reading it) and end within ``body_deadline_s`` -> 408
  ``body_too_slow`` / ``body_timeout``. A chunked body may have at most 64 chunks plus one per
  ``min_chunk_bytes`` bytes -> 413 ``chunks_too_small``, so 1-byte chunks cannot cost a Python
  call per byte on the event loop.
- **Connections**: at most ``max_connections`` per process (503 ``server_busy``), at most
  ``max_per_address`` per client address (IPv6 by /64), and the last ``reserve`` slots only for
  addresses that hold no other connection, so that one address cannot take every slot. A
  connection over its address's quota is answered 503 once its headers arrive, or closed after
  ``OVER_QUOTA_GRACE_S``. Connections from ``exempt`` addresses (trusted proxies) are not capped
  per address.
- uvicorn's own "Invalid HTTP request" becomes a JSON 400 ``bad_request``.

Idle keep-alive connections are closed by uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import weakref
from collections import Counter
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from skinscan import messages
from skinscan.api.clientaddr import bucket_key
from skinscan.api.edge_limits import HttpLimits
from skinscan.api.middleware import API_HEADERS, COMMON_HEADERS, ISOLATION_HEADERS, PAGE_CSP

_REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    413: b"Content Too Large",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}

UVICORN_INTERNALS = {
    "HttpToolsProtocol": (
        "parser",
        "transport",
        "flow",
        "cycle",
        "headers",
        "url",
        "connections",
        "tasks",
        "limit_concurrency",
        "server_state",
        "client",
        "loop",
        "logger",
    ),
    "RequestResponseCycle": ("response_started", "response_complete", "disconnected", "message_event"),
    "FlowControl": ("read_paused",),
    "ServerState": ("default_headers",),
}
"""Attributes of uvicorn's objects that this module reads or sets: the protocol's own (``self.X``), the
cycle's (``cycle.X``), ``self.flow.X`` and ``self.server_state.X``. A test checks that they exist on live
objects and that this list names every one the code uses."""

OVER_QUOTA_GRACE_S = 1.0
"""A connection over its address's quota has this long to send its request (and get a JSON 503)."""
FRAMING_BYTES_PER_CHUNK = 64
"""Chunk-size line + CRLFs allowed per chunk (a size line is ~10 bytes; extensions are tolerated)."""
FREE_CHUNKS = 64


class _AddressTable:
    """Open connections per client address, shared by the connections of one server."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()


_TABLES: weakref.WeakKeyDictionary[object, _AddressTable] = weakref.WeakKeyDictionary()


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; httptools re-raises it as a parser error."""


def error_bytes(
    status: int,
    code: str,
    detail: str,
    default_headers: list[tuple[bytes, bytes]],
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> bytes:
    """A complete HTTP/1.1 JSON error response that closes the connection."""
    body = json.dumps({"detail": detail, "code": code}, ensure_ascii=False).encode()
    headers = [
        *default_headers,
        *((name.encode(), value.encode()) for name, value in COMMON_HEADERS.items()),
        *((name.encode(), value.encode()) for name, value in ISOLATION_HEADERS.items()),
        *((name.encode(), value.encode()) for name, value in API_HEADERS.items()),
        (b"content-security-policy", PAGE_CSP.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
        (b"connection", b"close"),
    ]
    head = b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b"Error"))
    return head + b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body


_HEADERS, _BODY, _DONE = "headers", "body", "done"


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's protocol with the limits above; ``limits`` comes from ``serve`` (functools.partial)."""

    def __init__(self, *args: Any, limits: HttpLimits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or HttpLimits()
        self._table = _TABLES.setdefault(self.server_state, _AddressTable())
        self._address: str | None = None
        self._over_quota = False
        self._phase = _HEADERS
        self._messages = 0
        self._in_request = False
        self._header_bytes = 0
        self._timer: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, str, str] | None = None
        self._language = messages.DEFAULT_LANGUAGE
        # The body being received.
        self._body_allowed = True
        self._body_started = 0.0
        self._wire_bytes = 0
        self._body_bytes = 0
        self._chunks = 0
        self._trailers = 0
        self._window_bytes = 0

    # -- connections ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        peer = self.client[0] if self.client else None
        if peer is not None and self.limits.per_address and not self._exempt(peer):
            self._address = bucket_key(peer)
            self._table.counts[self._address] += 1
            held = self._table.counts[self._address]
            free = self.limits.max_connections - len(self.connections)
            if held > self.limits.max_per_address or (held > 1 and free < self.limits.reserve):
                self._over_quota = True
                self._timer = self.loop.call_later(OVER_QUOTA_GRACE_S, self._close_over_quota)
                return
        self._arm_header_timer()

    def _exempt(self, peer: str) -> bool:
        if not self.limits.exempt:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.limits.exempt)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        if self._address is not None:
            self._table.counts[self._address] -= 1
            if self._table.counts[self._address] <= 0:
                del self._table.counts[self._address]
            self._address = None
        super().connection_lost(exc)

    def _close_over_quota(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            self._refuse(503, "server_busy", "Too many open connections from your address; try again shortly.")

    # -- timers ----------------------------------------------------------------------------------

    def _arm_header_timer(self) -> None:
        self._cancel_timer()
        self._timer = self.loop.call_later(self.limits.header_timeout_s, self._header_timed_out)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _header_timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing() or self._phase != _HEADERS:
            return
        if not self._in_request:
            self.transport.close()  # connected and said nothing: nobody to answer
            return
        self._refuse(408, "header_timeout", "The request headers took too long to arrive.")

    def _body_tick(self) -> None:
        """Every ``rate_window_s`` while a body is expected: the rate and the deadline."""
        self._timer = None
        if self.transport.is_closing() or self._phase != _BODY:
            return
        elapsed = self.loop.time() - self._body_started
        if elapsed > self.limits.body_deadline_s:
            self._refuse(408, "body_timeout", f"The request body took longer than {self.limits.body_deadline_s:g} s.")
            return
        if not self.flow.read_paused and self._window_bytes < self.limits.min_body_rate * self.limits.rate_window_s:
            self._refuse(
                408,
                "body_too_slow",
                f"The request body arrived slower than {self.limits.min_body_rate} bytes per second.",
            )
            return
        self._window_bytes = 0
        window = min(self.limits.rate_window_s, max(0.1, self.limits.body_deadline_s - elapsed + 0.05))
        self._timer = self.loop.call_later(window, self._body_tick)

    # -- refusing --------------------------------------------------------------------------------

    def _refuse(self, status: int, code: str, detail: str, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        self.logger.warning("refused at the HTTP edge: %d %s", status, code)
        if self._language != messages.DEFAULT_LANGUAGE and messages.has(f"error.{code}"):
            detail = messages.text(f"error.{code}", self._language)
        cycle = self.cycle
        answered = cycle is not None and cycle.response_started and not cycle.response_complete
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's receive() sees a disconnect, its send() is dropped
            cycle.message_event.set()
        if not answered:  # mid-response nothing can be said: just close
            retry = ((b"retry-after", b"2"),) if status == 503 else ()
            self.transport.write(error_bytes(status, code, detail, self.server_state.default_headers, retry + extra))
        self._phase = _DONE
        self._cancel_timer()
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        status, code, detail = self._refusal or (400, "bad_request", "The HTTP request is malformed.")
        self._refusal = None
        if not self.transport.is_closing():
            self._refuse(status, code, detail)

    def _stop(self, status: int, code: str, detail: str) -> None:
        """From a parser callback: answer and stop parsing."""
        self._refusal = (status, code, detail)
        raise _Refused

    # -- bytes in ----------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        phase, message = self._phase, self._messages
        super().data_received(data)
        if self._phase == _BODY:
            self._window_bytes += len(data)
        if self.transport.is_closing() or self._messages != message or self._phase != phase:
            # A request began or its headers ended within this read: the callbacks counted it.
            if self._phase == _HEADERS and not self.transport.is_closing():
                self._check_header_bytes()
            return
        if phase == _HEADERS:
            self._header_bytes += len(data)
            self._check_header_bytes()
        elif phase == _BODY:
            self._wire_bytes += len(data)
            framing = self._wire_bytes - self._body_bytes
            if framing > self.limits.max_header_bytes + FRAMING_BYTES_PER_CHUNK * self._chunks:
                self._refuse(431, "trailers_too_large", "The chunked body's framing or trailers are too large.")

    def _check_header_bytes(self) -> None:
        if self._header_bytes > self.limits.max_header_bytes:
            self._refuse(431, "headers_too_large", f"Request headers over {self.limits.max_header_bytes} bytes.")

    # -- parser callbacks ----------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._messages += 1
        self._in_request = True
        self._phase = _HEADERS
        self._header_bytes = 0
        self._language = messages.DEFAULT_LANGUAGE
        self._arm_header_timer()

    def on_url(self, url: bytes) -> None:
        self._header_bytes += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._phase == _BODY:  # a trailer: counted, never added to the request's headers
            self._trailers += 1
            if self._trailers > self.limits.max_trailers:
                self._stop(431, "trailers_too_large", f"More than {self.limits.max_trailers} trailer fields.")
            return
        self._header_bytes += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_timer()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_header_bytes:
            self._stop(431, "headers_too_large", f"Request headers over {self.limits.max_header_bytes} bytes.")
        self._language = messages.negotiate(_header(self.headers, b"accept-language"))
        if self._over_quota:
            self._stop(503, "server_busy", "Too many open connections from your address; try again shortly.")
        limit = self.limit_concurrency
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            self._stop(503, "server_busy", "The server has too many open connections; try again shortly.")
        declared = _header(self.headers, b"content-length")
        chunked = b"chunked" in (_header_bytes(self.headers, b"transfer-encoding") or b"").lower()
        method = self.parser.get_method().decode("ascii", "replace")
        path = httptools.parse_url(self.url).path.decode("ascii", "replace")
        self._body_allowed = (method, path) in self.limits.body_routes
        has_body = chunked or (declared is not None and declared.strip() not in ("", "0"))
        if has_body and not self._body_allowed and not chunked:
            self._stop(413, "body_not_allowed", f"{method} {path[:100]} takes no request body.")
        self._phase = _BODY if has_body else _DONE
        if has_body:
            self._body_started = self.loop.time()
            self._wire_bytes = self._body_bytes = self._chunks = self._trailers = self._window_bytes = 0
            self._timer = self.loop.call_later(self.limits.rate_window_s, self._body_tick)
        super().on_headers_complete()

    def on_chunk_header(self) -> None:
        self._chunks += 1
        if self._chunks > FREE_CHUNKS + self._body_bytes // self.limits.min_chunk_bytes:
            self._stop(
                413,
                "chunks_too_small",
                f"The chunked body's chunks are too small (on average at least {self.limits.min_chunk_bytes} bytes).",
            )

    def on_body(self, body: bytes) -> None:
        if not self._body_allowed:
            path = self.url.split(b"?", 1)[0].decode("ascii", "replace")[:100]
            self._stop(413, "body_not_allowed", f"{path} takes no request body.")
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._phase == _BODY:
            self._cancel_timer()
        self._phase = _DONE
        self._in_request = False
        super().on_message_complete()


def _header_bytes(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    value = _header_bytes(headers, name)
    return None if value is None else value.decode("latin-1")
