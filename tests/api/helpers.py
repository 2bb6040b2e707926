"""Helpers shared by the API tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from skinscan.api.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SHIPPED_MODEL = REPO / "models" / "skinscan.onnx"
PREDICT = "/api/v1/predict"
ANSWER_FIELDS = {"label", "p_malignant", "risk", "threshold", "advice", "disclaimer", "model", "timing_ms"}


def settings_for(model: Path, tmp_path: Path, **overrides: Any) -> Settings:
    """Test settings: no rate limit, no page, small fixed batch, one thread (fast start-up)."""
    values: dict[str, Any] = {
        "model": model,
        "rate_limit": 0,
        "web_dir": tmp_path / "no-page",
        "max_batch": 4,
        "threads": 1,
    }
    values.update(overrides)
    return Settings(**values)


def post_image(
    client: TestClient, data: bytes, filename: str = "photo.jpg", content_type: str = "image/jpeg"
) -> httpx.Response:
    return client.post(PREDICT, files={"image": (filename, data, content_type)})


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and len(body["detail"]) > 10
