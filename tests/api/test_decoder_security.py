"""Issue 12, decoder findings: scan bombs, crafted EXIF, Pillow's warnings, memory at the limit."""

from __future__ import annotations

import logging
import struct
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.helpers import post_image
from api.hostile_gen import (
    exif_artist_as_double,
    exif_ifd_pointer_overflow,
    exif_many_broken_tags,
    fuzzed_exif,
    png16_64mp,
    progressive_scan_bomb,
    webp_64mp,
)
from skinscan.bench.synthetic import encode, lesion_photo
from skinscan.image_headers import exif_orientation, jpeg_layout
from skinscan.images import MAX_JPEG_SCANS, ImageRejected, inspect, load_rgb


def _refused(data: bytes) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        load_rgb(data)
    return caught.value


def test_scan_counter_sees_what_libjpeg_sees() -> None:
    photo = lesion_photo(320, 240, seed=3)
    assert jpeg_layout(encode(photo, "JPEG")).scans == 1
    progressive = jpeg_layout(encode(photo, "JPEG", progressive=True))
    assert progressive.progressive and 2 <= progressive.scans <= 12
    assert jpeg_layout(progressive_scan_bomb(64, 5)).scans == 6  # the DC scan + 5 AC scans
    # Fill bytes and garbage between segments do not hide a scan (libjpeg skips them too).
    bomb = progressive_scan_bomb(64, 5)
    padded = bomb.replace(b"\xff\xda", b"\x00junk\xff\xff\xff\xda")
    assert jpeg_layout(padded).scans == 6


def test_progressive_scan_bomb_is_refused_before_decoding() -> None:
    refused = _refused(progressive_scan_bomb(1024, 10 * MAX_JPEG_SCANS))
    assert (refused.code, refused.status) == ("too_many_scans", 413)
    # The counter stops early: a 10 000-scan bomb is refused from its first few hundred bytes.
    assert jpeg_layout(progressive_scan_bomb(64, 10_000), stop_after=MAX_JPEG_SCANS).scans == MAX_JPEG_SCANS + 1


def test_a_progressive_jpeg_just_under_the_scan_limit_decodes() -> None:
    decoded = load_rgb(progressive_scan_bomb(256, MAX_JPEG_SCANS - 1))
    assert decoded.image.size == (256, 256) and decoded.image.mode == "RGB"


def test_crafted_exif_variants_decode_upright_or_unrotated() -> None:
    # Orientation 6 is read from IFD0 even though another tag is malformed: turned upright.
    assert load_rgb(exif_artist_as_double()).image.size == (240, 320)
    assert load_rgb(exif_ifd_pointer_overflow()).image.size == (240, 320)


def test_unreadable_orientation_falls_back_to_no_rotation_with_a_logged_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = bytearray(exif_artist_as_double())
    at = data.find(b"\x12\x01\x03\x00")  # Orientation, SHORT -> DOUBLE: not an orientation
    data[at + 2] = 12
    with caplog.at_level(logging.INFO, logger="skinscan.images"):
        decoded = load_rgb(bytes(data))
    assert decoded.image.size == (320, 240)
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["exif_orientation_unreadable"]
    with pytest.raises((ValueError, struct.error)):
        exif_orientation(b"Exif\x00\x00II*\x00\xff\xff\xff\xf0")


def test_fuzzed_exif_never_escapes_the_decoder() -> None:
    """5 000 malformed EXIF blocks: each decodes (200) or is an ImageRejected (4xx), nothing else."""
    outcomes: dict[str, int] = {}
    for seed in range(5000):
        try:
            load_rgb(fuzzed_exif(seed))
            key = "ok"
        except ImageRejected as exc:
            assert 400 <= exc.status < 500
            key = exc.code
        outcomes[key] = outcomes.get(key, 0) + 1
    assert sum(outcomes.values()) == 5000


def test_many_broken_tags_write_no_warning_and_no_log_line(caplog: pytest.LogCaptureFixture) -> None:
    data = exif_many_broken_tags()
    assert len(data) > 50_000
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG):
        load_rgb(data)
    assert [str(w.message) for w in caught] == []
    assert len(caplog.records) <= 1


def test_any_exception_inside_pillow_becomes_corrupt_image(monkeypatch: pytest.MonkeyPatch) -> None:
    jpeg = encode(lesion_photo(100, 80, seed=1), "JPEG")

    def explode(self: Image.Image) -> None:
        raise AttributeError("'float' object has no attribute 'encode'")

    monkeypatch.setattr(Image.Image, "load", explode)
    refused = _refused(jpeg)
    assert (refused.code, refused.status) == ("corrupt_image", 400)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("64 MP lossless WebP", webp_64mp),
        ("64 MP 16-bit PNG", png16_64mp),
        ("25 MP progressive JPEG", lambda: encode(Image.new("L", (5000, 5000)), "JPEG", progressive=True)),
    ],
)
def test_formats_decoded_at_full_size_have_a_tighter_pixel_limit(name: str, make: Callable[[], bytes]) -> None:
    data = make()
    assert len(data) < 200_000
    for check in (inspect, load_rgb):
        with pytest.raises(ImageRejected) as caught:
            check(data)
        assert (caught.value.code, caught.value.status) == ("too_many_pixels", 413), name


def test_big_16bit_png_is_converted_strip_wise_and_reduced() -> None:
    array = np.full((1000, 2000), 3000 * 257 // 257, dtype=np.uint16)
    decoded = load_rgb(encode(Image.fromarray(array), "PNG"), target_side=224)
    assert decoded.original_size == (2000, 1000)
    assert decoded.image.size == (1000, 500)  # reduced by 2: short side still >= 448
    expected = (3000 * 255 + 32767) // 65535
    assert set(np.unique(np.asarray(decoded.image))) == {expected}


def test_fuzzed_exif_uploads_through_the_api_are_200_or_4xx(client: TestClient) -> None:
    statuses = {post_image(client, fuzzed_exif(seed)).status_code for seed in range(5000, 5300)}
    assert statuses and max(statuses) < 500, statuses
