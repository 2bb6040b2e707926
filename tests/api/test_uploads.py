"""The in-memory multipart reader, driven directly with a hand-made ASGI request stream."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request

from skinscan.api import uploads
from skinscan.api.errors import ApiError


def _request(chunks: list[bytes], *, stall: bool = False, boundary: str = "b") -> Request:
    queue = list(chunks)

    async def receive() -> dict[str, Any]:
        if queue:
            return {"type": "http.request", "body": queue.pop(0), "more_body": bool(queue) or stall}
        await asyncio.sleep(3600)  # a client that stopped sending
        return {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/predict",
        "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())],
    }
    return Request(scope, receive)


def _body(data: bytes, name: str = "image") -> bytes:
    return (
        b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
        b'--b\r\nContent-Disposition: form-data; name="' + name.encode() + b'"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + data + b"\r\n--b--\r\n"
    )


def test_collects_only_the_image_field_across_tiny_chunks() -> None:
    data = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    body = _body(data)
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)]  # boundaries split across chunks
    upload = asyncio.run(uploads.read_image_field(_request(chunks), limit=1 << 20))
    assert upload.data == data and upload.received_bytes == len(body)


def test_limit_is_enforced_while_reading() -> None:
    body = _body(b"x" * 5000)
    chunks = [body[:1000], body[1000:2000], body[2000:]]
    request = _request(chunks)
    with pytest.raises(ApiError) as caught:
        asyncio.run(uploads.read_image_field(request, limit=1500))
    assert caught.value.status == 413 and caught.value.code == "upload_too_large"


def test_stalled_upload_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "READ_TIMEOUT_S", 0.2)
    body = _body(b"x" * 100)
    with pytest.raises(ApiError) as caught:
        asyncio.run(uploads.read_image_field(_request([body[:50]], stall=True), limit=1 << 20))
    assert caught.value.status == 408 and caught.value.code == "upload_timeout"
