"""Issue 5, privacy: upload bytes never reach the disk or the logs; API answers are noindex."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.helpers import post_image
from skinscan.bench.synthetic import encode, lesion_photo

_watch = threading.Event()
_writes: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Record every file opened for writing (by any thread) while ``_watch`` is set."""
    if not _watch.is_set() or event != "open":
        return
    path, mode, flags = (list(args) + [None, None, None])[:3]
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
    )
    if writing:
        _writes.append(repr(path))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one is idle unless _watch is set


@contextmanager
def files_written() -> Iterator[list[str]]:
    _writes.clear()
    _watch.set()
    try:
        yield _writes
    finally:
        _watch.clear()


def _big_photo_with_marker(marker: bytes) -> bytes:
    """A ~3 MB JPEG (well above Starlette's 1 MB spooling threshold) carrying a unique marker."""
    data = encode(lesion_photo(2400, 1800, seed=9), "JPEG", quality=97, comment=marker)
    assert len(data) > 1_500_000 and marker in data
    return data


def test_the_disk_watch_can_see_a_spooled_upload() -> None:
    """Control: the watch catches exactly what Starlette would do with a big upload."""
    with files_written() as writes, tempfile.SpooledTemporaryFile(max_size=1024) as spool:
        spool.write(b"x" * 4096)
    assert writes, "the audit hook missed a temporary file"


def test_upload_bytes_never_reach_the_disk(client: TestClient) -> None:
    data = _big_photo_with_marker(b"DISK-MARKER-5f1c")
    assert post_image(client, data).status_code == 200  # warm-up: lazy imports may write .pyc files
    temp_dir = tempfile.gettempdir()
    before = set(os.listdir(temp_dir))
    with files_written() as writes:
        response = post_image(client, data)
    assert response.status_code == 200, response.text
    assert writes == []
    assert set(os.listdir(temp_dir)) - before == set()


def test_upload_bytes_never_reach_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    marker = b"LOG-MARKER-9b2e"
    caplog.set_level(logging.DEBUG)
    good = post_image(client, _big_photo_with_marker(marker), filename="LOG-MARKER-name.jpg")
    bad = post_image(client, b"LOG-MARKER-9b2e not an image", filename="x.jpg")
    assert good.status_code == 200 and bad.status_code == 400
    access = [record.getMessage() for record in caplog.records if record.name == "skinscan.access"]
    assert len(access) >= 2 and all('"path":"/api/v1/predict"' in line for line in access[-2:])
    out, err = capfd.readouterr()
    everything = "\n".join([caplog.text, out, err])
    assert "LOG-MARKER" not in everything
    assert "9b2e" not in everything


def test_api_answers_are_noindex_and_not_cached(client: TestClient, photo: bytes) -> None:
    for response in (post_image(client, photo), client.get("/api/v1/model"), post_image(client, b"")):
        assert response.headers["x-robots-tag"].startswith("noindex")
        assert response.headers["cache-control"] == "no-store"
