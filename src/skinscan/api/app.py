"""``create_app(settings)``: the whole server, built on demand (nothing happens at import time).

Layers, outermost first: access log + metrics -> security headers -> JSON errors (plain-text errors of
inner layers rewritten, 503 on a cancelled request) -> client address (trusted proxies only) ->
CORS (only for configured origins) -> rate limit -> route label -> FastAPI routes (``/api/v1``,
``/metrics``) -> static fallback (page at ``/``, ``/models/``).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import numpy as np
from fastapi import FastAPI, Request, Response
from starlette.middleware.cors import CORSMiddleware

from skinscan.api.batcher import MicroBatcher, calibrate_batch_size
from skinscan.api.clientaddr import ClientAddressMiddleware
from skinscan.api.decoding import DecodePool
from skinscan.api.docs import install_offline_docs
from skinscan.api.errors import error_response, install_error_handlers
from skinscan.api.lifecycle import Lifecycle, drain_on_signals
from skinscan.api.memory import UploadMemory
from skinscan.api.metrics import CONTENT_TYPE, Metrics
from skinscan.api.middleware import (
    AccessLogMiddleware,
    HeadAsGetMiddleware,
    JsonErrorsMiddleware,
    RateLimitMiddleware,
    RouteLabelMiddleware,
    SecurityHeadersMiddleware,
)
from skinscan.api.routes import ServingState, router
from skinscan.api.settings import Settings
from skinscan.api.static import StaticSite
from skinscan.predictor import Predictor

log = logging.getLogger("skinscan.api")


API_INFO: dict[str, Any] = {
    "title": "skinscan",
    "version": "1",  # the API's version (paths under /api/v1), not the package's or the model's (see /health)
    "summary": "Benign or malignant? A skin-lesion photo triage model behind a small API.",
    "description": (
        'Not a diagnosis: a research tool that can be wrong. Errors are JSON `{"detail", "code"}` with a stable `code`.'
    ),
}


def api_app(lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None) -> FastAPI:
    """The routes, error handlers and offline docs, without a model: what OpenAPI describes."""
    app = FastAPI(
        **API_INFO,
        lifespan=lifespan,
        docs_url=None,  # /docs comes from install_offline_docs: no CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    app.include_router(router)
    install_offline_docs(app)
    return app


def openapi_json() -> str:
    """The API's OpenAPI document as committed in docs/openapi.json (``skinscan openapi``)."""
    return json.dumps(api_app().openapi(), indent=2, ensure_ascii=False) + "\n"


MAX_IMAGES_PER_CALL = 16
"""Images (photos x views) one model call may take; the batch-size calibration tries no more."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Load the model (raises ``ModelLoadError`` naming the path) and assemble the app."""
    settings = settings or Settings()
    lanes = min(settings.model_lanes, settings.threads)
    predictor = Predictor(settings.model, threads=settings.threads // lanes)
    if settings.max_batch:  # else the calibration below runs the model, which warms it up
        predictor.predict_arrays(np.zeros((1, predictor.size, predictor.size, 3), np.uint8))
    # At most 16 images through the network per call: a model that averages V views of each photo (model 3:
    # 8) batches up to 16 // V photos. ONNX Runtime's arena keeps the largest call's activations for good, so
    # trying batches of 16 such photos left an idle server at 1.6 GB (the pod's limit is 1 GiB).
    views = int(predictor.card.data.get("input", {}).get("views", {}).get("count", 1))
    max_batch = settings.max_batch or calibrate_batch_size(predictor, limit=max(1, MAX_IMAGES_PER_CALL // views))
    metrics = Metrics() if settings.metrics else None
    batcher = MicroBatcher(
        predictor, max_batch=max_batch, lanes=lanes, observer=metrics.model_call if metrics is not None else None
    )
    decoder = DecodePool(settings.decode_workers, settings.decode_timeout_s) if settings.decode_workers else None
    lifecycle = Lifecycle()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        card = predictor.card
        log.info(
            "serving %s %s from %s (%d threads, batches of up to %d)",
            card.name,
            card.version,
            settings.model,
            settings.threads,
            max_batch,
        )
        with drain_on_signals(lifecycle):  # SIGTERM: /ready says 503 at once (api/lifecycle.py)
            lifecycle.started, lifecycle.draining = True, False  # an app may be started again (tests)
            yield
            lifecycle.draining = True
        batcher.close()
        if decoder is not None:
            decoder.close()

    app = api_app(lifespan)
    app.state.serving = ServingState(
        settings=settings,
        predictor=predictor,
        batcher=batcher,
        lifecycle=lifecycle,
        metrics=metrics,
        decoder=decoder,  # big photos: worker processes with a deadline (api/decoding.py)
        uploads=UploadMemory(int(settings.max_buffered_mb * 1024 * 1024)),
    )
    _add_metrics_route(app, metrics)
    static = StaticSite(settings.web_dir, settings.model, settings.model_metrics, predictor.card.onnx_sha256)
    if not static.has_page:
        log.warning("no built page in %s: serving the API only (build it with `make web`)", settings.web_dir)
    app.router.default = static
    _add_middleware(app, settings, metrics)
    return app


def _add_metrics_route(app: FastAPI, metrics: Metrics | None) -> None:
    """``GET /metrics``: Prometheus text format, or a JSON 404 when metrics are off (never the page)."""

    async def prometheus_metrics(_: Request) -> Response:
        if metrics is None:
            return error_response(404, "not_found", "Metrics are off on this server (SKINSCAN_METRICS=0).")
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    app.add_route("/metrics", prometheus_metrics, methods=["GET"], include_in_schema=False)


def _add_middleware(app: FastAPI, settings: Settings, metrics: Metrics | None) -> None:
    """Innermost first (Starlette wraps each new one around the previous)."""
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(RouteLabelMiddleware)
    if settings.rate_limit > 0:
        app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_limit)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After", "X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(
        ClientAddressMiddleware,
        trusted_proxies=settings.trusted_proxies,
        forwarded_hops=settings.forwarded_hops,
    )
    app.add_middleware(JsonErrorsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware, replica=settings.replica_id or secrets.token_hex(4), metrics=metrics)


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (one call per worker process): settings from the env."""
    return create_app(Settings())
