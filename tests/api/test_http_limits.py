"""Issue 12, findings 3, 4, 5, 7 against the real server (``skinscan serve`` in a subprocess):
header size cap, header timeout, connection cap, uvicorn's own errors as JSON, spoofed
X-Forwarded-For with FORWARDED_ALLOW_IPS='*', and health while header-heavy uploads are parsed."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.helpers import read_response
from api.hostile_gen import header_heavy_multipart
from skinscan.bench import launch

PER_MINUTE = 60
HOST = launch.HOST


@pytest.fixture(scope="module")
def guarded(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[launch.Server]:
    env = {
        "SKINSCAN_WEB_DIR": str(tmp_path_factory.mktemp("guarded") / "none"),
        "SKINSCAN_MAX_BATCH": "2",
        "FORWARDED_ALLOW_IPS": "*",  # what the old Procfile set: must no longer matter
        "SKINSCAN_RATE_LIMIT": str(PER_MINUTE),
        "SKINSCAN_HEADER_TIMEOUT_S": "2",
        "SKINSCAN_MAX_CONNECTIONS": "12",
    }
    with launch.running(tiny_model, env=env) as server:
        yield server


def _json_error(raw: tuple[int, dict[str, str], bytes], status: int, code: str) -> None:
    got, headers, body = raw
    assert got == status, body
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff" and "content-security-policy" in headers
    assert json.loads(body)["code"] == code


def _send_until_answered(sock: socket.socket, head: bytes, filler: bytes, total: int) -> int:
    """Send ``head`` then ``filler`` until ``total`` bytes or the server answers; bytes sent."""
    sock.sendall(head)
    sent = len(head)
    while sent < total:
        if select.select([sock], [], [], 0)[0]:
            break
        try:
            sock.sendall(filler)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(filler)
    return sent


def test_a_1mib_header_is_refused_with_431(guarded: launch.Server) -> None:
    with guarded.connect() as sock:
        head = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: "
        sock.sendall(head + b"a" * (1 << 20) + b"\r\n\r\n")
        _json_error(read_response(sock), 431, "headers_too_large")
    with guarded.connect() as sock:  # an endless header: cut off, not buffered (socket buffers aside)
        sent = _send_until_answered(sock, head, b"a" * 16384, 64 << 20)
        _json_error(read_response(sock), 431, "headers_too_large")
    assert sent < 8 << 20


def test_headers_that_never_finish_get_408_and_idle_connections_are_closed(guarded: launch.Server) -> None:
    with guarded.connect() as slow, guarded.connect() as silent:
        slow.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # ... and never the blank line
        started = time.monotonic()
        _json_error(read_response(slow), 408, "header_timeout")
        silent.settimeout(15)
        assert silent.recv(100) == b""  # said nothing: closed without an answer
    assert time.monotonic() - started < 15


def test_malformed_request_line_gets_a_json_400(guarded: launch.Server) -> None:
    with guarded.connect() as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        _json_error(read_response(sock), 400, "bad_request")


def _health(sock: socket.socket) -> int:
    sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    return read_response(sock)[0]


def test_connections_past_the_cap_get_a_json_503(guarded: launch.Server) -> None:
    idle: list[socket.socket] = []
    try:
        for _ in range(11):  # each answered once, so the server holds it (kept alive, idle)
            idle.append(guarded.connect())
            assert _health(idle[-1]) == 200
        with guarded.connect() as past:  # the 12th open connection reaches the cap of 12
            past.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            _json_error(read_response(past), 503, "server_busy")
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 30  # and the server is fine once it has seen them close
    while True:
        with guarded.connect() as sock:
            if _health(sock) == 200:
                break
        assert time.monotonic() < deadline, "still busy after the idle connections closed"


def test_health_answers_while_header_heavy_uploads_are_parsed(guarded: launch.Server) -> None:
    body, headers = header_heavy_multipart(15 << 20)
    head = (
        f"POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: {headers['Content-Type']}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    answers: list[tuple[int, dict[str, str], bytes]] = []

    def flood() -> None:
        with guarded.connect() as sock:
            _send_until_answered(sock, head + body[:65536], body[65536 : 65536 * 2], len(body))
            answers.append(read_response(sock))

    floods = [threading.Thread(target=flood) for _ in range(4)]
    for thread in floods:
        thread.start()
    with guarded.connect() as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock)[0] == 200
    for thread in floods:
        thread.join(60)
    assert len(answers) == 4
    for answer in answers:
        _json_error(answer, 400, "too_many_parts")


# Last: it empties the one bucket that every request of this module shares (127.0.0.1).
def test_spoofed_forwarded_for_does_not_escape_the_rate_limit(guarded: launch.Server) -> None:
    statuses = []
    started = time.monotonic()
    with guarded.connect() as sock:
        for i in range(150):
            sock.sendall(f"GET /api/v1/model HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.18.0.{i}\r\n\r\n".encode())
            statuses.append(read_response(sock)[0])
    refilled = (time.monotonic() - started) * PER_MINUTE / 60
    assert statuses.count(200) <= PER_MINUTE + refilled + 1 and statuses[-1] == 429
