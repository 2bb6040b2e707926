"""Plain ASGI middleware: security headers, per-client rate limit, structured access log + metrics.

Written as raw ASGI (not ``BaseHTTPMiddleware``) because they run on every request and must not
buffer or copy bodies: they only look at the scope and add headers to ``http.response.start``.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import math
import secrets
import time
from collections import OrderedDict

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skinscan import messages
from skinscan.api.errors import error_response
from skinscan.api.metrics import Metrics

_ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "too_large",
    416: "range_not_satisfiable",
    429: "rate_limited",
    431: "headers_too_large",
    500: "internal_error",
    503: "unavailable",
}

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
    # /docs serves Swagger UI from our own files (api/docs.py, which sets its own stricter policy).
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
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
PROBE_PATHS = ("/api/v1/health", "/api/v1/ready")
"""Liveness and readiness: load balancers and the kubelet poll them, so no rate limit."""
API_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}


class HttpMiddleware:
    """An ASGI middleware that acts on HTTP requests only (``handle``) and passes everything else
    (lifespan, websockets) straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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
    """Token bucket per client address on ``/api/`` (health and readiness excluded): ``per_minute``
    sustained, the same number as burst. In memory and **per process**: with ``serve --workers N``
    (or N replicas) a client gets up to N times the limit, and ``serve`` says so in its log at
    start-up; put a shared limiter in the load balancer when scaling out (README, "Security"). At most
    ``MAX_CLIENTS`` buckets (the least recently seen go first), each keyed by a short normalised
    address (``clientaddr.bucket_key``), so memory stays under ~10 MB whatever clients send."""

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
            or path in PROBE_PATHS
            or scope.get("method") == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")  # normalised by ClientAddressMiddleware: at most 43 characters
        wait = self._take(str(client[0])[:64] if client else "unknown", time.monotonic())
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            response = error_response(
                429,
                "rate_limited",
                f"Too many requests: the limit is {int(self.capacity)} per minute. Try again in {retry} s.",
                headers={"Retry-After": retry},
                language=messages.negotiate(Headers(scope=scope).get("accept-language")),
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RequestIds:
    """Opaque request ids (16 hex digits): a counter run through a keyed hash (BLAKE2b, a random
    key per process), so ids are unique within a process but say nothing about how many requests
    came before (a plain counter revealed the request volume). A keyed hash costs about a
    microsecond; ``secrets.token_hex`` per request cost a tenth of a millisecond of the event
    loop's time (a getrandom call) under load."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(16)
        self.counter = itertools.count()

    def next(self) -> str:
        counter = next(self.counter).to_bytes(8, "little")
        return hashlib.blake2b(counter, key=self.key, digest_size=8).hexdigest()


class HeadAsGetMiddleware(HttpMiddleware):
    """``HEAD`` wherever ``GET`` is allowed: the API's GET routes see a GET, and the server sends
    the headers only (uvicorn writes no body for a HEAD request, whatever the app sends)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


OBSERVED = "skinscan.observed"
"""Scope key of a dict that the access log puts in and ``RouteLabelMiddleware`` fills in (a layer in
between copies the scope, so the outer layer cannot read the router's ``scope["route"]`` itself)."""


def route_label(scope: Scope) -> str:
    """The matched route's template (``/api/v1/predict``), ``static`` for the page and model files,
    ``other`` for anything else: a bounded set, never the path as sent (metrics labels, logs)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    endpoint = scope.get("endpoint")
    app = scope.get("app")
    if endpoint is not None and app is not None:  # plain Starlette routes (/docs, /metrics) set no "route"
        for candidate in getattr(app, "routes", ()):
            if getattr(candidate, "endpoint", None) is endpoint:
                return str(candidate.path)
    return "other" if str(scope.get("path", "")).startswith("/api/") else "static"


class RouteLabelMiddleware(HttpMiddleware):
    """Innermost layer: once the router has matched, hands the route's template to the access log."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            observed = scope.get(OBSERVED)
            if isinstance(observed, dict):
                observed["route"] = route_label(scope)


class AccessLogMiddleware(HttpMiddleware):
    """One JSON line per request: request id, method, path, route template, status, duration,
    sizes, replica. Never bodies, query strings, file names or client addresses (photos are health
    data). Every answer carries ``X-Request-ID`` and ``X-Served-By`` (this replica's opaque id);
    with ``metrics``, the request is counted there too (by route template, method and status)."""

    def __init__(self, app: ASGIApp, replica: str = "", metrics: Metrics | None = None) -> None:
        super().__init__(app)
        self.ids = RequestIds()
        self.replica = replica
        self.metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = self.ids.next()
        status = 0
        sent = 0
        observed: dict[str, str] = {}
        scope[OBSERVED] = observed

        async def send_logged(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers.append("X-Request-ID", request_id)
                if self.replica:
                    headers.append("X-Served-By", self.replica)
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            seconds = time.perf_counter() - started
            route = observed.get("route") or route_label(scope)
            if self.metrics is not None and status:
                self.metrics.request(route, str(scope.get("method", "")), status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                received = dict(scope.get("headers", ())).get(b"content-length", b"0")
                record = {
                    "ts": round(time.time(), 3),
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": str(scope.get("path", ""))[:200],
                    "route": route,
                    "status": status or None,  # None: no response (client gone, or a crash)
                    "ms": round(seconds * 1e3, 2),
                    "bytes_in": int(received) if received.isdigit() else None,
                    "bytes_out": sent,
                    "replica": self.replica,
                }
                access_log.info(json.dumps(record, separators=(",", ":")))


def _json_error_messages(start: Message, text: str, path: str) -> tuple[Message, Message]:
    """The same status and headers (Allow, Content-Range, Retry-After...) with a JSON body."""
    status = int(start["status"])
    code = "cors_rejected" if text.startswith("Disallowed CORS") else _ERROR_CODES.get(status, "http_error")
    detail = text.strip()[:200] or f"The request to {path[:100]} failed (HTTP {status})."
    body = json.dumps({"detail": detail, "code": code}).encode()
    headers = MutableHeaders(raw=[(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"])
    headers["content-type"] = "application/json"
    headers["content-length"] = str(len(body))
    return (
        {"type": "http.response.start", "status": status, "headers": headers.raw},
        {"type": "http.response.body", "body": body, "more_body": False},
    )


class JsonErrorsMiddleware(HttpMiddleware):
    """Every error leaving the app is JSON ``{"detail", "code"}``, whichever layer made it.

    Starlette's CORS middleware refuses a preflight with ``text/plain``, ``FileResponse`` answers
    a bad or unsatisfiable ``Range`` with ``text/plain`` 400/416; such bodies are rewritten here
    (they are small). And if the server cancels a request that has not answered yet (the graceful
    shutdown timeout), a JSON 503 goes out instead of uvicorn's plain-text 500.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        held: Message | None = None
        started = False
        body = bytearray()

        async def send_json(message: Message) -> None:
            nonlocal held, started
            if message["type"] == "http.response.start":
                started = True
                content_type = MutableHeaders(scope=message).get("content-type", "")
                if int(message["status"]) >= 400 and not content_type.startswith("application/json"):
                    held = message
                    return
            elif held is not None and message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body", False):
                    return
                text = bytes(body).decode("utf-8", "replace")
                start, final = _json_error_messages(held, text, scope.get("path", ""))
                held = None
                if scope.get("method") == "HEAD":
                    final = {"type": "http.response.body", "body": b"", "more_body": False}
                await send(start)
                await send(final)
                return
            await send(message)

        try:
            await self.app(scope, receive, send_json)
        except asyncio.CancelledError:
            if not started:
                response = error_response(
                    503,
                    "shutting_down",
                    "The server is restarting and could not finish this request. Please try again.",
                    headers={"Retry-After": "1", "Connection": "close"},
                )
                await response(scope, receive, send)
            raise
