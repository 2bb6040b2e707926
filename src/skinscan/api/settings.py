"""Serving settings: one pydantic-settings class, read from the environment (``SKINSCAN_*``).

Nothing reads the environment at import time: ``Settings()`` is built by ``skinscan serve`` (or by a
test, with its own values) and handed to :func:`skinscan.api.app.create_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    threads: int = Field(default_factory=default_threads, ge=1)
    """ONNX Runtime intra-op threads for this process (``serve --workers`` divides the cores)."""
    max_batch: int | None = Field(default=None, ge=1, le=256)
    """Most photos one model call takes when concurrent requests are micro-batched; unset, the
    server measures the best size (1 to 16) for this model on this machine at start-up."""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
