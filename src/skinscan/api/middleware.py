"""Plain ASGI middleware: security headers, per-client rate limit, structured access log.

Written as raw ASGI (not ``BaseHTTPMiddleware``) because they run on every request and must not
buffer or copy bodies: they only look at the scope and add headers to ``http.response.start``.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import time
from collections import OrderedDict

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skinscan.api.errors import error_response

access_log = logging.getLogger("skinscan.access")

PAGE_CSP = (
    "default-src 'self'; "
    # onnxruntime-web compiles its .wasm ('wasm-unsafe-eval') and may start workers from blob: URLs.
    "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "connect-src 'self' blob: data:; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; "
    "style-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CSP = (
    # FastAPI's /docs page loads Swagger UI from a CDN with an inline bootstrap script.
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Cross-origin isolation lets onnxruntime-web use threads (SharedArrayBuffer) in the page.
ISOLATION_HEADERS = {"Cross-Origin-Embedder-Policy": "require-corp"}
API_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        is_docs = path.startswith(DOCS_PATHS)
        is_api = path.startswith("/api/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if is_docs else PAGE_CSP)
                if not is_docs:
                    for name, value in ISOLATION_HEADERS.items():
                        headers.setdefault(name, value)
                if is_api:
                    for name, value in API_HEADERS.items():
                        headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimitMiddleware:
    """Token bucket per client address on ``/api/`` (health excluded): ``per_minute`` sustained,
    the same number as burst. In memory and per process, so with N workers a client gets up to N
    times the limit; put a shared limiter in the load balancer when scaling out."""

    MAX_CLIENTS = 50_000

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _take(self, client: str, now: float) -> float:
        """Take one token; return 0 if allowed, else the seconds until one is available."""
        tokens, last = self.buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self.buckets[client] = (tokens, now)  # most recently seen last
        while len(self.buckets) > self.MAX_CLIENTS:
            self.buckets.popitem(last=False)
        return wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith("/api/")
            or path == "/api/v1/health"
            or scope.get("method") == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self._take(client[0] if client else "unknown", time.monotonic())
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            response = error_response(
                429,
                "rate_limited",
                f"Too many requests: the limit is {int(self.capacity)} per minute. Try again in {retry} s.",
                headers={"Retry-After": retry},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class AccessLogMiddleware:
    """One JSON line per request: method, path, status, duration, sizes. Never bodies, query
    strings, file names or client addresses (photos are health data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = secrets.token_hex(8)
        status = 0
        sent = 0

        async def send_logged(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                received = dict(scope.get("headers", ())).get(b"content-length", b"0")
                record = {
                    "ts": round(time.time(), 3),
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": str(scope.get("path", ""))[:200],
                    "status": status or None,  # None: no response (client gone, or a crash)
                    "ms": round((time.perf_counter() - started) * 1e3, 2),
                    "bytes_in": int(received) if received.isdigit() else None,
                    "bytes_out": sent,
                }
                access_log.info(json.dumps(record, separators=(",", ":")))
