"""Serving settings: one pydantic-settings class, read from the environment (``SKINSCAN_*``).

Nothing reads the environment at import time: ``Settings()`` is built by ``skinscan serve`` (or by a
test, with its own values) and handed to :func:`skinscan.api.app.create_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from skinscan.api.clientaddr import parse_networks
from skinscan.predictor import default_threads


class Settings(BaseSettings):
    """Everything an operator can set; defaults give a local, single-process server."""

    model_config = SettingsConfigDict(env_prefix="SKINSCAN_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(
        default=8000,
        ge=0,
        le=65535,
        # Heroku and most PaaS hand the port over as plain PORT; SKINSCAN_PORT wins when both are set.
        validation_alias=AliasChoices("SKINSCAN_PORT", "PORT", "port"),
    )
    model: Path = Path("models/skinscan.onnx")
    max_upload_mb: float = Field(default=15.0, gt=0, le=200)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Origins allowed to call the API from a page hosted elsewhere (comma-separated in the env)."""
    rate_limit: int = Field(default=120, ge=0)
    """Requests per minute per client on /api/ (health excluded); 0 disables the limit."""
    web_dir: Path = Path("web/dist")
    model_metrics: Path = Path("reports/metrics.json")
    """The model's held-out measurements (``skinscan evaluate``), served as ``/models/skinscan.metrics.json``
    when they are of the loaded model file (same sha256); the card itself holds no test figures."""
    threads: int = Field(default_factory=default_threads, ge=1)
    """ONNX Runtime intra-op threads for this process (``serve --workers`` divides the cores)."""
    model_lanes: int = Field(default=1, ge=1, le=64)
    """Model calls run at once, each with ``threads // model_lanes`` intra-op threads (at most
    ``threads`` lanes). Model 3 runs 8 views of every upload, so one photo is enough work for both
    threads: on 2 cores one two-threaded lane answered a 224 px upload in 47 ms (p50, sequential)
    against 85 ms for two single-threaded lanes, and 19.0 against 21.1 uploads/s at concurrency 16
    (README, benchmarks). With a one-view model, 2 lanes answered more photos per second."""
    max_batch: int | None = Field(default=None, ge=1, le=256)
    """Most photos one model call takes when concurrent requests are micro-batched; unset, the
    server measures the best size at start-up (1 to 16 // the model's views: ``MAX_IMAGES_PER_CALL``)."""

    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed; the
    client is the rightmost entry that is not one of them. Empty: forwarded headers are ignored."""
    forwarded_hops: int = Field(default=0, ge=0, le=10)
    """Proxies in front of the app that each append to X-Forwarded-For (Heroku, Cloud Run: 1);
    the client is that many entries from the right. 0: not behind such proxies."""
    decode_workers: int = Field(default=2, ge=0, le=16)
    """Processes that decode big photos (0: decode in threads, no pool)."""
    decode_timeout_s: float = Field(default=5.0, gt=0, le=60)
    """A decode that takes longer is abandoned (its worker process killed): 413 decode_too_slow."""
    max_connections: int = Field(default=1000, ge=1)
    """Open connections per process; past it 503 ``server_busy``. The last tenth are kept for
    addresses that hold no other connection (api/protocol.py). Idle and slow connections cost a
    few kB each; what a request may buffer is bounded by ``max_buffered_mb``."""
    max_connections_per_address: int = Field(default=64, ge=1)
    """Open connections from one client address (IPv6: one /64); trusted proxies are exempt."""
    body_timeout_s: float = Field(default=60.0, gt=0, le=600)
    """Time a request body may take in all (15 MB over a slow phone link still fits)."""
    min_body_rate: int = Field(default=1024, ge=0)
    """Bytes per second a body must keep up over every 5 s window while the server reads it."""
    max_buffered_mb: float = Field(default=1024.0, gt=0)
    """Upload bytes held in memory by all requests of this process together; past it a new
    upload is answered 503 ``server_busy`` with Retry-After (api/uploads.py)."""
    max_header_kb: int = Field(default=32, ge=1, le=1024)
    """Request line + headers; larger is answered 431 before the request reaches the app."""
    header_timeout_s: float = Field(default=10.0, gt=0, le=300)
    """Time a client has to send complete request headers (slowloris); then 408 and closed."""
    keep_alive_s: float = Field(default=5.0, gt=0, le=300)
    """Idle time allowed between requests on a kept-alive connection."""

    metrics: bool = True
    """``GET /metrics`` (Prometheus text format); ``SKINSCAN_METRICS=0``: off, and /metrics is a 404."""
    log_format: Literal["text", "json"] = "text"
    """Access lines are JSON on stdout either way; ``json`` makes the other log lines (stderr) JSON too."""
    replica_id: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9._-]*$")
    """Opaque id of this replica in ``X-Served-By`` and the access log; empty: a random one per process."""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [entry.strip() for entry in value.split(",") if entry.strip()]
        if isinstance(value, list):
            parse_networks(value)  # raises ValueError (-> a settings error) on a bad entry
        return value

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
