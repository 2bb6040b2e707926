"""The hostile-upload corpus: odd, broken and malicious uploads, generated in memory.

Each entry says what the API must answer: a JSON 4xx with a given code, or a correct prediction.
Nothing here may ever produce a 5xx or take the worker down.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from api.hostile_gen import (
    exif_artist_as_double,
    exif_ifd_pointer_overflow,
    exif_many_broken_tags,
    header_heavy_multipart,
    png16_64mp,
    progressive_scan_bomb,
    webp_64mp,
)
from skinscan.bench.synthetic import encode, lesion_photo

OK = "ok"


@dataclass(frozen=True)
class Upload:
    """One request: multipart ``files``/``data``, or a raw ``content`` body with ``headers``."""

    name: str
    expect_status: int
    expect_code: str = OK
    files: Any = None
    data: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


def _photo(width: int = 320, height: int = 240, seed: int = 21) -> Image.Image:
    return lesion_photo(width, height, seed)


def _jpeg(**params: Any) -> bytes:
    return encode(_photo(), "JPEG", quality=90, **params)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(side: int = 30_000) -> bytes:
    """A real decompression bomb: a 1-bit side x side PNG of zeros, about 100 KB compressed."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose SOF header is patched to claim ``width`` x ``height`` pixels."""
    data = bytearray(_jpeg())
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at != -1:
            struct.pack_into(">HH", data, at + 5, height, width)
            return bytes(data)
    raise AssertionError("no SOF marker")


def _png(mode: str) -> bytes:
    photo = _photo()
    if mode == "I;16":
        array = (np.asarray(photo.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
        return encode(Image.fromarray(array), "PNG")
    if mode == "P":
        return encode(photo.convert("P", palette=Image.Palette.ADAPTIVE), "PNG")
    return encode(photo.convert(mode), "PNG")


def _file(name: str, data: bytes, content_type: str = "image/jpeg") -> dict[str, Any]:
    return {"image": (name, data, content_type)}


def _multipart_raw(boundary_in_header: str, boundary_in_body: str, data: bytes) -> tuple[bytes, dict[str, str]]:
    body = (
        (
            f'--{boundary_in_body}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary_in_body}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary_in_header}"}


def build_corpus() -> list[Upload]:
    jpeg = _jpeg()
    exif = Image.Exif()
    exif[0x0112] = 6
    bad_boundary, bad_boundary_headers = _multipart_raw("expected-boundary", "other-boundary", jpeg)
    unterminated, unterminated_headers = _multipart_raw("b", "b", jpeg)
    flipped = bytearray(jpeg)
    for offset in range(len(flipped) // 2, len(flipped) - 10, 97):
        flipped[offset] ^= 0xFF
    corpus: list[Upload] = [
        Upload("empty file", 400, "empty_file", files=_file("empty.jpg", b"")),
        Upload("one byte", 400, "not_an_image", files=_file("one.jpg", b"\xff")),
        Upload("text renamed .jpg", 400, "not_an_image", files=_file("notes.jpg", b"just some text\n" * 50)),
        Upload("JPEG SOI only", 400, "corrupt_image", files=_file("t.jpg", jpeg[:3])),
        Upload("JPEG cut at 100 bytes", 400, "corrupt_image", files=_file("t.jpg", jpeg[:100])),
        Upload("JPEG cut at half", 400, "corrupt_image", files=_file("t.jpg", jpeg[: len(jpeg) // 2])),
        Upload("JPEG cut before EOI", 400, "corrupt_image", files=_file("t.jpg", jpeg[:-200])),
        Upload(
            "HTML with script",
            400,
            "not_an_image",
            files=_file("x.jpg", b"<html><script>alert(document.cookie)</script></html>", "text/html"),
        ),
        Upload(
            "SVG with script",
            400,
            "not_an_image",
            files=_file(
                "x.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
                "image/svg+xml",
            ),
        ),
        Upload(
            "PDF",
            400,
            "not_an_image",
            files=_file("x.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "application/pdf"),
        ),
        Upload("ZIP", 400, "not_an_image", files=_file("x.zip", _zip(), "application/zip")),
        Upload("PNG bomb 30000x30000", 413, "too_many_pixels", files=_file("bomb.png", png_bomb(), "image/png")),
        Upload(
            "JPEG header claims 65000x65000",
            413,
            "too_many_pixels",
            files=_file("big.jpg", jpeg_claiming(65000, 65000)),
        ),
        Upload("50 MB body", 413, "upload_too_large", files=_file("huge.jpg", jpeg + b"\0" * (50 << 20))),
        Upload("GIF", 415, "unsupported_type", files=_file("x.gif", encode(_photo(), "GIF"), "image/gif")),
        Upload("BMP", 415, "unsupported_type", files=_file("x.bmp", encode(_photo(), "BMP"), "image/bmp")),
        Upload("TIFF", 415, "unsupported_type", files=_file("x.tif", encode(_photo(), "TIFF"), "image/tiff")),
        Upload("HEIC brand", 415, "unsupported_type", files=_file("x.heic", b"\0\0\0\x18ftypheic" + b"\0" * 64)),
        Upload("WebP", 200, files=_file("x.webp", encode(_photo(), "WEBP"), "image/webp")),
        Upload("CMYK JPEG", 200, files=_file("cmyk.jpg", encode(_photo().convert("CMYK"), "JPEG"))),
        Upload("grayscale JPEG", 200, files=_file("gray.jpg", encode(_photo().convert("L"), "JPEG"))),
        Upload("progressive JPEG", 200, files=_file("p.jpg", _jpeg(progressive=True))),
        Upload("RGBA PNG", 200, files=_file("rgba.png", _png("RGBA"), "image/png")),
        Upload("palette PNG", 200, files=_file("p.png", _png("P"), "image/png")),
        Upload("16-bit PNG", 200, files=_file("16.png", _png("I;16"), "image/png")),
        Upload("1x1 image", 400, "image_too_small", files=_file("1.png", encode(Image.new("RGB", (1, 1)), "PNG"))),
        Upload("10000x64 strip", 200, files=_file("strip.png", encode(_photo(10000, 64), "PNG"), "image/png")),
        Upload("PNG sent as image/jpeg", 200, files=_file("x.jpg", _png("RGB"), "image/jpeg")),
        Upload("JPEG as octet-stream", 200, files=_file("x.bin", jpeg, "application/octet-stream")),
        Upload("EXIF-rotated JPEG", 200, files=_file("r.jpg", _jpeg(exif=exif))),
        Upload("bit-flipped JPEG", 400, "corrupt_image", files=_file("f.jpg", bytes(flipped))),
        Upload(
            "non-multipart raw JPEG",
            415,
            "not_multipart",
            content=jpeg,
            headers={"Content-Type": "image/jpeg"},
        ),
        Upload(
            "JSON body",
            415,
            "not_multipart",
            content=b'{"image": "aGVsbG8="}',
            headers={"Content-Type": "application/json"},
        ),
        Upload("no content type", 415, "not_multipart", content=jpeg),
        Upload(
            "multipart without boundary",
            400,
            "malformed_multipart",
            content=jpeg,
            headers={"Content-Type": "multipart/form-data"},
        ),
        Upload(
            "malformed multipart boundary",
            400,
            "malformed_multipart",
            content=bad_boundary,
            headers=bad_boundary_headers,
        ),
        Upload(
            "multipart cut short",
            400,
            "malformed_multipart",
            content=unterminated[:-40],
            headers=unterminated_headers,
        ),
        Upload("wrong field name", 422, "missing_field", files={"photo": ("a.jpg", jpeg, "image/jpeg")}),
        Upload(
            "text field only",
            422,
            "missing_field",
            files={"other": ("a.txt", b"x", "text/plain")},
            data={"note": "hi"},
        ),
        Upload("10 000-character file name", 200, files=_file("a" * 10_000 + ".jpg", jpeg)),
        Upload("Unicode file name", 200, files=_file("Hautfleck-üñïçødé-😀-病変.jpg", jpeg)),
        # Issue 12: decoder bombs and crafted EXIF (generators in hostile_gen.py).
        Upload(
            "progressive JPEG scan bomb (1000 end-of-band scans)",
            413,
            "too_many_scans",
            files=_file("scans.jpg", progressive_scan_bomb(2048, 1000)),
        ),
        Upload("EXIF Orientation 6 + Artist as DOUBLE", 200, files=_file("e1.jpg", exif_artist_as_double())),
        Upload("EXIF IFD pointer 0xFFFFFFF0", 200, files=_file("e2.jpg", exif_ifd_pointer_overflow())),
        Upload("EXIF with 5000 broken tags", 200, files=_file("e3.jpg", exif_many_broken_tags())),
        Upload("64 MP lossless WebP", 413, "too_many_pixels", files=_file("b.webp", webp_64mp(), "image/webp")),
        Upload("64 MP 16-bit PNG", 413, "too_many_pixels", files=_file("b16.png", png16_64mp(), "image/png")),
        Upload(
            "1 MiB of empty parts with 8 headers each",
            400,
            "too_many_parts",
            content=header_heavy_multipart(1 << 20)[0],
            headers=header_heavy_multipart(1 << 20)[1],
        ),
        Upload(
            "one part with 100 headers",
            400,
            "too_many_part_headers",
            content=header_heavy_multipart(1, headers_per_part=100)[0],
            headers=header_heavy_multipart(1, headers_per_part=100)[1],
        ),
        Upload(
            "part headers of 120 KB",
            400,
            "part_headers_too_large",
            content=header_heavy_multipart(1, headers_per_part=3, header_value="x" * 40_000)[0],
            headers=header_heavy_multipart(1, headers_per_part=3, header_value="x" * 40_000)[1],
        ),
        Upload("GET on the predict route", 405, "method_not_allowed", method="GET"),
        Upload("PUT on the predict route", 405, "method_not_allowed", method="PUT", files=_file("a.jpg", jpeg)),
    ]
    return corpus


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", _jpeg())
    return buffer.getvalue()
