"""Generators for the hostile-upload corpus that need more than Pillow's encoder: a progressive
JPEG scan bomb, crafted and fuzzed EXIF blocks, header-heavy multipart bodies. All in memory, all
small, all deterministic (seeded)."""

from __future__ import annotations

import functools
import io
import random
import struct

from PIL import Image

from skinscan.bench.synthetic import encode, lesion_photo


class _BitWriter:
    """Entropy-coded JPEG bits, MSB first, with 0xFF byte stuffing."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, bits: int) -> None:
        self.acc = (self.acc << bits) | (value & ((1 << bits) - 1))
        self.n += bits
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with 1 bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def progressive_scan_bomb(side: int = 8000, scans: int = 10_000) -> bytes:
    """A progressive grayscale JPEG: one DC scan of zeros, then ``scans`` AC scans that are only
    end-of-band runs. Tiny per scan, but a decoder walks every block of the image for each one."""
    blocks = ((side + 7) // 8) ** 2
    dqt = _segment(0xDB, b"\x00" + bytes([1] * 64))
    sof2 = _segment(0xC2, struct.pack(">BHHB", 8, side, side, 1) + b"\x01\x11\x00")
    dc_table = _segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")  # symbol 0 = code '0'
    # AC table: sixteen EOBn symbols (0x00, 0x10 ... 0xE0) with 5-bit codes 0rrrr: code '0' + r.
    symbols = bytes(r << 4 for r in range(15))
    ac_table = _segment(0xC4, b"\x10" + bytes([0, 0, 0, 0, 15] + [0] * 11) + symbols)
    bits = _BitWriter()
    for _ in range(blocks):
        bits.write(0, 1)
    dc_scan = _segment(0xDA, b"\x01\x01\x00\x00\x00\x00") + bits.flush()
    ac_scan = _segment(0xDA, b"\x01\x01\x00\x01\x3f\x00") + _eob_run_scan(blocks)
    return b"\xff\xd8" + dqt + sof2 + dc_table + ac_table + dc_scan + ac_scan * scans + b"\xff\xd9"


def _eob_run_scan(blocks: int) -> bytes:
    """One AC scan that is nothing but end-of-band runs covering ``blocks`` blocks."""
    bits = _BitWriter()
    left = blocks
    while left > 0:
        run = min(left, 32767)
        r = run.bit_length() - 1
        bits.write(r, 5)  # code 0rrrr -> symbol r << 4 (EOBr)
        if r:
            bits.write(run - (1 << r), r)
        left -= run
    return bits.flush()


@functools.cache
def _base_jpeg(width: int, height: int) -> bytes:
    """A synthetic lesion photo (so the model's photo checks accept it), or a flat tiny one."""
    if width < 100:
        return encode(Image.new("RGB", (width, height), (180, 120, 90)), "JPEG", quality=85)
    return encode(lesion_photo(width, height, seed=12), "JPEG", quality=85)


def jpeg_with_app1(payload: bytes, width: int = 320, height: int = 240) -> bytes:
    """A real JPEG with ``payload`` (an EXIF block) as its first APP1 segment."""
    jpeg = _base_jpeg(width, height)
    return jpeg[:2] + _segment(0xE1, payload) + jpeg[2:]


def exif_block(entries: list[tuple[int, int, int, bytes]], tail: bytes = b"", order: str = "<") -> bytes:
    """``Exif\\0\\0`` + a TIFF header + one IFD of (tag, type, count, 4-byte value/offset) + ``tail``.
    Offsets in entries are from the TIFF header; the tail starts at ``tail_offset(len(entries))``."""
    header = (b"II*\x00" if order == "<" else b"MM\x00*") + struct.pack(order + "I", 8)
    ifd = struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack(order + "HHI", tag, kind, count) + value
    return b"Exif\x00\x00" + header + ifd + b"\x00\x00\x00\x00" + tail


def tail_offset(entries: int) -> int:
    return 8 + 2 + 12 * entries + 4


def exif_artist_as_double() -> bytes:
    """Orientation 6 plus Artist (0x013B) declared DOUBLE: Pillow's exif_transpose raised
    AttributeError while rewriting the EXIF of the rotated copy."""
    entries = [
        (0x0112, 3, 1, struct.pack("<HH", 6, 0)),
        (0x013B, 12, 1, struct.pack("<I", tail_offset(2))),
    ]
    return jpeg_with_app1(exif_block(entries, struct.pack("<d", 1.5)))


def exif_ifd_pointer_overflow() -> bytes:
    """Orientation 6 plus an ExifIFD pointer of 0xFFFFFFF0 (raised OverflowError in Pillow)."""
    entries = [
        (0x0112, 3, 1, struct.pack("<HH", 6, 0)),
        (0x8769, 4, 1, struct.pack("<I", 0xFFFFFFF0)),
        (0x8825, 4, 0xFFFFFFF0, struct.pack("<I", 0xFFFFFFF0)),
    ]
    return jpeg_with_app1(exif_block(entries))


def exif_many_broken_tags(tags: int = 5000) -> bytes:
    """A ~60 KB EXIF block of tags whose values point past its end: Pillow warned once per tag."""
    entries = [(0x9000 + i, 2, 64, struct.pack("<I", 0x7FFF0000 + i)) for i in range(tags)]
    return jpeg_with_app1(exif_block(entries))


_TAGS = (0x0112, 0x013B, 0x8769, 0x8825, 0xA005, 0x010F, 0x0110, 0x9286, 0x927C, 0x0132, 0x0201, 0x0202)
_EDGE_VALUES = (0, 1, 6, 8, 9, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF)


def fuzzed_exif(seed: int) -> bytes:
    """One random, mostly malformed EXIF block in a small JPEG (deterministic per ``seed``)."""
    rng = random.Random(seed)
    order = rng.choice("<>")
    entries = []
    for _ in range(rng.randint(0, 12)):
        tag = rng.choice(_TAGS) if rng.random() < 0.7 else rng.randrange(0x10000)
        kind = rng.randrange(0, 20)
        count = rng.choice(_EDGE_VALUES) if rng.random() < 0.3 else rng.randint(0, 40)
        value = struct.pack(order + "I", rng.choice(_EDGE_VALUES) if rng.random() < 0.4 else rng.randrange(1 << 32))
        entries.append((tag, kind, count, value))
    tail = rng.randbytes(rng.randint(0, 64))
    block = bytearray(exif_block(entries, tail, order))
    for _ in range(rng.randint(0, 3)):  # and a few flipped bytes anywhere in it
        block[rng.randrange(6, len(block))] = rng.randrange(256)
    if rng.random() < 0.1:
        block = block[: rng.randint(6, len(block))]
    return jpeg_with_app1(bytes(block), 64, 48)


@functools.cache
def webp_64mp() -> bytes:
    """A lossless WebP of 8000x8000 one-colour pixels: a few dozen bytes that decode to 256 MB."""
    buffer = io.BytesIO()
    Image.new("RGB", (8000, 8000), (90, 60, 40)).save(buffer, "WEBP", lossless=True, quality=0, method=0)
    return buffer.getvalue()


@functools.cache
def png16_64mp() -> bytes:
    """A 16-bit grayscale PNG of 8000x8000 (about 140 KB) that decodes to 128 MB."""
    buffer = io.BytesIO()
    Image.new("I;16", (8000, 8000), 3000).save(buffer, "PNG")
    return buffer.getvalue()


def header_heavy_multipart(
    size: int, headers_per_part: int = 8, boundary: str = "hh" * 20, header_value: str = "v"
) -> tuple[bytes, dict[str, str]]:
    """About ``size`` bytes of empty multipart parts, each with ``headers_per_part`` headers
    (python-multipart parses headers byte by byte in Python: 15 MiB cost 6.4 s of CPU)."""
    lines = "".join(f"X-Header-{i}: {header_value}\r\n" for i in range(headers_per_part))
    part = f"--{boundary}\r\n{lines}\r\n\r\n".encode()
    body = part * max(1, size // len(part)) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def baseline_multiscan(side: int = 8000, components: int = 4) -> bytes:
    """A baseline (not progressive) JPEG with one scan per component: every block is a zero DC and an
    end-of-band, 2 bits. libjpeg must buffer every coefficient of every component at full size
    before it can output a row (issue 22, finding 4: 8000x8000 x 4 components, 1 MB, +500 MB)."""
    blocks = ((side + 7) // 8) ** 2
    dqt = _segment(0xDB, b"\x00" + bytes([1] * 64))
    frame = b"".join(bytes([c + 1, 0x11, 0]) for c in range(components))
    sof0 = _segment(0xC0, struct.pack(">BHHB", 8, side, side, components) + frame)
    dc_table = _segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")  # symbol 0 (no diff) = '0'
    ac_table = _segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")  # symbol 0x00 (EOB) = '0'
    bits = _BitWriter()
    for _ in range(blocks):
        bits.write(0, 2)
    data = bits.flush()
    scans = b"".join(_segment(0xDA, bytes([1, c + 1, 0x00, 0, 63, 0])) + data for c in range(components))
    return b"\xff\xd8" + dqt + sof0 + dc_table + ac_table + scans + b"\xff\xd9"
