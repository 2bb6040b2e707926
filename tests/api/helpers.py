"""Helpers shared by the API tests (fixtures live in conftest.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from PIL import Image

from skinscan.api.settings import Settings
from skinscan.bench import launch

REPO = Path(__file__).resolve().parents[2]
SHIPPED_MODEL = REPO / "models" / "skinscan.onnx"
PREDICT = "/api/v1/predict"
# Orientation tag -> how to store an upright photo so that exif_transpose turns it back upright.
STORE_ROTATED = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}

ANSWER_FIELDS = {
    "label",
    "p_malignant",
    "risk",
    "threshold",
    "advice",
    "disclaimer",
    "evidence",
    "model",
    "timing_ms",
    "p_malignant_photo",
    "answers",
}


def settings_for(model: Path, tmp_path: Path, **overrides: Any) -> Settings:
    """Test settings: no rate limit, no page, small fixed batch, one thread (fast start-up)."""
    values: dict[str, Any] = {
        "model": model,
        "rate_limit": 0,
        "web_dir": tmp_path / "no-page",
        "model_metrics": tmp_path / "no-metrics.json",
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


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response from a raw socket: status, lower-cased headers, body (Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    # A bytearray, not ``body += chunk``: bytes concatenation copies the whole body per chunk (35 MB of
    # copying for a 2 MB body), and 40 such readers held the GIL of the test process, delaying its probes.
    received = bytearray(body)
    while len(received) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return int(lines[0].split()[1]), headers, bytes(received)


HEALTH = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"


def health_seconds(server: launch.Server) -> float:
    """One GET /api/v1/health on a new connection, connect included: it must be 200; the seconds it took."""
    started = time.monotonic()
    with server.connect(timeout_s=10) as sock:
        sock.sendall(HEALTH)
        assert read_response(sock)[0] == 200
    return time.monotonic() - started


def probe_while_alive(threads: list[threading.Thread], probe: Callable[[], float], limit: int) -> list[float]:
    """Start the threads, call ``probe`` until all have ended (at most ``limit`` times), join them: the probes."""
    for thread in threads:
        thread.start()
    during: list[float] = []
    while any(thread.is_alive() for thread in threads) and len(during) < limit:
        during.append(probe())
    for thread in threads:
        thread.join(120)
    return during
