"""A JPEG header whose walk costs more than its size suggests is refused before Pillow reads it.

Pillow's JPEG header reader steps through junk and fill bytes one byte at a time in Python, and
parses DQT tables, EXIF and Photoshop blocks one by one, all while holding the GIL: a 15 MiB
"JPEG" of zeros after a broken first marker cost 1.1-1.8 s of CPU, and 64 such uploads stalled
every other client. ``image_headers.jpeg_layout`` walks the header at C speed first, and
``images`` refuses (400 ``malformed_jpeg``) what no camera writes. Valid phone JPEGs still pass.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from api.helpers import assert_error, health_seconds, post_image, probe_while_alive, read_response
from skinscan.bench import launch
from skinscan.bench.synthetic import encode, lesion_photo
from skinscan.image_headers import jpeg_layout
from skinscan.images import (
    MAX_JPEG_HEADER_GAP,
    MAX_JPEG_PARSED_HEADER,
    MAX_JPEG_SEGMENTS,
    ImageRejected,
    inspect,
    load_rgb,
)

MIB = 1 << 20
SOF = b"\xff\xc0\x00\x11\x08\x00\x40\x00\x40\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00"
SOS = b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00" + bytes(64) + b"\xff\xd9"


def _segment(marker: int, payload: bytes) -> bytes:
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def _repeat(segment: bytes, total: int) -> bytes:
    return b"\xff\xd8" + segment * (total // len(segment)) + SOF + SOS


def junk_jpeg(total: int = 15 * MIB) -> bytes:
    """The reported case: a broken first marker, then zeros."""
    return b"\xff\xd8\xff\x00" + bytes(total - 4)


HOSTILE = {
    "zeros after a broken marker": junk_jpeg(),
    "0xFF fill": b"\xff\xd8" + b"\xff" * (15 * MIB) + SOF[1:] + SOS,
    "EOI, then zeros": b"\xff\xd8\xff\xd9" + bytes(15 * MIB),
    "empty comments": _repeat(_segment(0xFE, b""), 15 * MIB),
    "a reserved JPGn segment Pillow reads as 2 bytes": b"\xff\xd8" + _segment(0xF0, bytes(60_000)) + SOF + SOS,
    "DQT tables": _repeat(_segment(0xDB, (b"\x00" + bytes(range(1, 65))) * 1008), 15 * MIB),
    "Photoshop blocks": _repeat(_segment(0xED, b"Photoshop 3.0\x00" + b"8BIM\x04\x04" + bytes(6) * 5400), 15 * MIB),
    "EXIF segments": _repeat(_segment(0xE1, b"Exif\x00\x00" + bytes(65_000)), 2 * MAX_JPEG_PARSED_HEADER),
}


@pytest.fixture
def pillow_never_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("Pillow was handed a header it would walk byte by byte")

    monkeypatch.setattr(Image, "open", refuse)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_headers_are_refused_before_pillow_reads_them(name: str, pillow_never_opens: None) -> None:
    with pytest.raises(ImageRejected) as caught:
        inspect(HOSTILE[name])
    assert (caught.value.code, caught.value.status) == ("malformed_jpeg", 400), caught.value.message


def test_the_walk_itself_stops_early() -> None:
    layout = jpeg_layout(HOSTILE["0xFF fill"], max_header_gap=MAX_JPEG_HEADER_GAP, max_segments=MAX_JPEG_SEGMENTS)
    assert MAX_JPEG_HEADER_GAP < layout.header_gap <= MAX_JPEG_HEADER_GAP + 2 and layout.segments == 0
    layout = jpeg_layout(HOSTILE["empty comments"], max_segments=MAX_JPEG_SEGMENTS)
    assert layout.segments == MAX_JPEG_SEGMENTS + 1


def _icc(size: int) -> bytes:
    """A profile-shaped blob big enough that Pillow splits it over several APP2 segments."""
    return struct.pack(">I", size) + bytes(size - 4)


def _phone_like() -> dict[str, bytes]:
    photo = lesion_photo(640, 480, seed=5)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    full = {"exif": exif.tobytes(), "icc_profile": _icc(150_000), "quality": 88}
    plain = encode(photo, "JPEG", **full)
    # Fill bytes before markers (the spec allows any number; a few is what encoders write).
    padded = plain.replace(b"\xff\xdb", b"\xff\xff\xff\xdb", 1).replace(b"\xff\xc0", b"\xff\xff\xc0", 1)
    return {
        "exif + 3-chunk ICC": plain,
        "progressive": encode(photo, "JPEG", progressive=True, **full),
        "restart markers": encode(photo, "JPEG", restart_marker_blocks=4, **full),
        "fill bytes": padded,
        "a few junk bytes before a segment": plain.replace(b"\xff\xdb", b"\x00\x00\xff\xdb", 1),
    }


@pytest.mark.parametrize("name", sorted(_phone_like()))
def test_phone_like_jpegs_still_decode(name: str) -> None:
    data = _phone_like()[name]
    assert inspect(data).size == (640, 480)
    assert load_rgb(data).image.size == (480, 640)  # turned upright from EXIF orientation 6


def test_real_photos_are_not_refused(real_data: Path) -> None:
    photos = sorted(real_data.rglob("*.jpg"))[:200]
    if not photos:
        pytest.skip("no real photos")
    for path in photos:
        inspect(path.read_bytes())


def test_the_api_answers_400_with_its_code(client: object) -> None:
    response = post_image(client, HOSTILE["zeros after a broken marker"])  # type: ignore[arg-type]
    assert_error(response, 400, "malformed_jpeg")


# -- against the real server ------------------------------------------------------------------------

log = logging.getLogger(__name__)
PARALLEL = 16


@pytest.fixture(scope="module")
def server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[launch.Server]:
    env = {"SKINSCAN_WEB_DIR": str(tmp_path_factory.mktemp("junk") / "none")}
    with launch.running(tiny_model, env=env) as running:
        yield running


def _upload(server: launch.Server, body: bytes, statuses: list[int]) -> None:
    head = (
        "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with server.connect(timeout_s=120) as sock:
        sock.sendall(head + body)
        statuses.append(read_response(sock)[0])


@pytest.mark.slow
def test_parallel_junk_uploads_do_not_stall_health(server: launch.Server) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="image"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        + junk_jpeg(15 * MIB - 300)
        + b"\r\n--b--\r\n"
    )
    statuses: list[int] = []
    threads = [threading.Thread(target=_upload, args=(server, body, statuses)) for _ in range(PARALLEL)]
    during = probe_while_alive(threads, lambda: health_seconds(server), limit=500)
    log.info("%d junk uploads: health max %.3f s over %d probes", PARALLEL, max(during), len(during))
    assert statuses == [400] * PARALLEL
    assert during and max(during) < 0.3, (max(during), len(during))  # issue 22's health bound
