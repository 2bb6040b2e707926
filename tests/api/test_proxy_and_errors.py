"""Issue 12, findings 4 and 7: the client address behind proxies, and JSON from every layer."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.conftest import MakeClient
from api.helpers import assert_error
from skinscan.api.clientaddr import bucket_key, parse_networks, resolve_client
from skinscan.api.middleware import JsonErrorsMiddleware, RateLimitMiddleware
from skinscan.api.settings import Settings

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = parse_networks(["127.0.0.1", "10.0.0.0/8"])


def test_hops_take_the_entry_the_proxy_appended_not_the_clients() -> None:
    forwarded = ["6.6.6.6", "1.2.3.4", "203.0.113.7"]  # client wrote the first two
    assert resolve_client("10.1.2.3", forwarded, (), hops=1) == ("203.0.113.7", True)
    assert resolve_client("10.1.2.3", forwarded, (), hops=2) == ("1.2.3.4", True)
    assert resolve_client("10.1.2.3", [], (), hops=1) == ("10.1.2.3", False)


def test_trusted_proxies_walk_from_the_right() -> None:
    forwarded = ["6.6.6.6", "203.0.113.7", "10.0.0.5"]
    assert resolve_client("127.0.0.1", forwarded, LOOPBACK, hops=0) == ("203.0.113.7", True)
    # A peer that is not a trusted proxy: its headers mean nothing.
    assert resolve_client("198.51.100.1", forwarded, LOOPBACK, hops=0) == ("198.51.100.1", False)


def test_by_default_nobody_is_trusted_not_even_localhost() -> None:
    assert resolve_client("127.0.0.1", ["6.6.6.6"], (), hops=0) == ("127.0.0.1", False)


def test_bucket_keys_are_short_and_normalised() -> None:
    assert bucket_key("x" * (1 << 20)) == "invalid"
    assert bucket_key("203.0.113.7:5123") == "203.0.113.7"
    assert bucket_key("[2001:db8::1]:443") == bucket_key("2001:db8::ffff") == "2001:db8::/64"
    assert bucket_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert max(len(bucket_key(v)) for v in ("ffff:" * 7 + "ffff", "255.255.255.255", None)) <= 43


def test_bucket_count_is_capped() -> None:
    limiter = RateLimitMiddleware(app=None, per_minute=60)  # type: ignore[arg-type]
    limiter.MAX_CLIENTS = 100
    for i in range(1000):
        limiter._take(f"10.0.{i // 256}.{i % 256}", 0.0)
    assert len(limiter.buckets) == 100


def test_bad_trusted_proxies_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKINSCAN_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    monkeypatch.setenv("SKINSCAN_FORWARDED_HOPS", "1")
    settings = Settings()
    assert settings.trusted_proxies == ["10.0.0.0/8", "127.0.0.1"] and settings.forwarded_hops == 1
    monkeypatch.setenv("SKINSCAN_TRUSTED_PROXIES", "not-an-address")
    with pytest.raises(ValidationError):
        Settings()


def _limited(client, forwarded: list[str], per_minute: int = 60) -> bool:  # type: ignore[no-untyped-def]
    """True when the requests were held to the limit: the burst plus what refilled meanwhile."""
    started = time.monotonic()
    statuses = [client.get("/api/v1/model", headers={"X-Forwarded-For": xff}).status_code for xff in forwarded]
    refilled = (time.monotonic() - started) * per_minute / 60
    assert set(statuses) <= {200, 429}
    return statuses.count(200) <= per_minute + refilled + 1 and statuses[-1] == 429


def test_spoofed_prefixes_share_one_bucket(make_client: MakeClient) -> None:
    """150 requests from one real client, each with a fresh spoofed X-Forwarded-For prefix."""
    spoofed = [f"198.18.{i // 200}.{i % 200}" for i in range(150)]
    with make_client(rate_limit=60) as client:  # no proxy configured: the peer is the client
        assert _limited(client, spoofed)
    with make_client(rate_limit=60, forwarded_hops=1) as client:  # behind one appending proxy
        assert _limited(client, [f"{fake}, 203.0.113.7" for fake in spoofed])
        other = client.get("/api/v1/model", headers={"X-Forwarded-For": "203.0.113.99"})
        assert other.status_code == 200  # another real client: its own bucket


def test_rejected_cors_preflight_is_json_with_security_headers(make_client: MakeClient) -> None:
    with make_client(cors_origins=["https://skinscan.web.app"]) as client:
        refused = client.options(
            "/api/v1/predict",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert_error(refused, 400, "cors_rejected")
    assert refused.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in refused.headers


def test_range_errors_on_model_files_are_json(client) -> None:  # type: ignore[no-untyped-def]
    malformed = client.get("/models/skinscan.onnx", headers={"Range": "pages=1-2"})
    assert_error(malformed, 400, "bad_request")
    unsatisfiable = client.get("/models/skinscan.onnx", headers={"Range": "bytes=999999999-"})
    assert_error(unsatisfiable, 416, "range_not_satisfiable")
    assert unsatisfiable.headers["content-range"].startswith("bytes */")
    assert unsatisfiable.headers["x-frame-options"] == "DENY"
    assert client.get("/models/skinscan.onnx", headers={"Range": "bytes=0-9"}).status_code == 206


def test_a_request_cancelled_by_shutdown_gets_a_json_503() -> None:
    sent: list[dict[str, object]] = []
    entered = asyncio.Event()

    async def stuck(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        entered.set()
        await asyncio.Event().wait()  # never set: a request that never finishes

    async def send(message) -> None:  # type: ignore[no-untyped-def]
        sent.append(message)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def main() -> None:
        scope = {"type": "http", "method": "POST", "path": "/api/v1/predict", "headers": []}
        task = asyncio.create_task(JsonErrorsMiddleware(stuck)(scope, receive, send))
        await entered.wait()
        task.cancel()  # what uvicorn does when timeout_graceful_shutdown runs out
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert sent[0]["status"] == 503
    assert json.loads(sent[1]["body"])["code"] == "shutting_down"  # type: ignore[arg-type]


def test_deployment_files_do_not_trust_every_forwarder() -> None:
    procfile = (REPO / "Procfile").read_text()
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "FORWARDED_ALLOW_IPS" not in procfile and "SKINSCAN_FORWARDED_HOPS=1" in procfile
    assert "FORWARDED_ALLOW_IPS='*'" not in dockerfile and "SKINSCAN_FORWARDED_HOPS" in dockerfile


def test_an_app_traceback_is_logged_once() -> None:
    import logging
    import sys

    from skinscan.api.server import AlreadyLoggedByTheApp

    def record(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            info = sys.exc_info()
        message = "Exception in ASGI application\n"
        return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, message, (), info)

    keep = AlreadyLoggedByTheApp().filter
    assert not keep(record(AttributeError("'float' object has no attribute 'encode'")))  # errors.py logged it
    assert keep(record(asyncio.CancelledError()))  # not an Exception: nobody else logged it
