"""Write the seed corpora of the atheris harnesses (committed under fuzz/corpus/; re-run to refresh).

.venv/bin/python fuzz/make_corpus.py
"""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "src")]

from PIL import Image  # noqa: E402

from api.hostile_gen import (  # noqa: E402
    baseline_multiscan,
    exif_artist_as_double,
    exif_ifd_pointer_overflow,
    fuzzed_exif,
    progressive_scan_bomb,
)


def _image(fmt: str, size: tuple[int, int] = (40, 32), **params: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 120, 100)).save(buffer, fmt, **params)
    return buffer.getvalue()


def _rotated_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif.tobytes()


def image_seeds() -> list[bytes]:
    return [
        _image("JPEG"),
        _image("JPEG", progressive=True),
        _image("JPEG", exif=_rotated_exif()),
        _image("PNG"),
        _image("WEBP"),
        _image("WEBP", lossless=True),
        exif_artist_as_double(),
        exif_ifd_pointer_overflow(),
        fuzzed_exif(1),
        progressive_scan_bomb(64, 70),
        baseline_multiscan(64, 4),
        b"\xff\xd8\xff\x00" + bytes(8_000),  # junk after a broken first marker (malformed_jpeg)
        _image("JPEG").replace(b"\xff\xdb", b"\xff" * 5_000 + b"\xdb", 1),  # fill bytes past the limit
        b"\xff\xd8" + b"\xff\xfe\x00\x02" * 1_100 + _image("JPEG")[2:],  # more segments than the limit
        b"GIF89a" + bytes(20),
        b"\x00\x00\x00\x18ftypheic" + bytes(16),
    ]


def multipart_seed(boundary: bytes, body: bytes, cuts: tuple[int, ...] = ()) -> bytes:
    head = bytes([len(boundary) - 1]) + boundary + bytes([len(cuts)])
    return head + b"".join(cut.to_bytes(2, "big") for cut in cuts) + body


def part(name: str, data: bytes, extra: bytes = b"") -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"; filename="p.jpg"\r\n'.encode()
    return b"--b\r\n" + disposition + extra + b"Content-Type: image/jpeg\r\n\r\n" + data + b"\r\n"


def multipart_seeds() -> list[bytes]:
    photo = _image("JPEG")
    return [
        multipart_seed(b"b", part("image", photo) + b"--b--\r\n"),
        multipart_seed(b"b", part("image", photo) + b"--b--\r\n", (10, 100, 300)),
        multipart_seed(b"b", part("other", b"x") + part("image", photo) + b"--b--\r\n"),
        multipart_seed(b"b", part("age", b"42") + part("grown", b"yes") + part("image", photo) + b"--b--\r\n"),
        multipart_seed(b"b", part("image", photo, b"X-Extra: 1\r\n" * 20) + b"--b--\r\n"),
        multipart_seed(b"b", part("image", photo)),  # never closed
        multipart_seed(b"b", b"".join(part("f", b"") for _ in range(20)) + b"--b--\r\n"),
        multipart_seed(b"b", part("image", bytes(5_000)) + b"--b--\r\n"),
    ]


def write(folder: Path, seeds: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()[:16]).write_bytes(seed)


if __name__ == "__main__":
    write(HERE / "corpus" / "image_headers", image_seeds())
    write(HERE / "corpus" / "multipart", multipart_seeds())
