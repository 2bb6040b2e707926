"""Cheap, allocation-free reads of the two header facts the decoder must not leave to Pillow.

- :func:`jpeg_layout`: how many scans (SOS markers) a JPEG holds, how many components they
  cover in all, how many the frame has and whether it is progressive,
  found by walking the marker segments and skipping entropy-coded data with one C-speed regex.
  A progressive JPEG can repeat end-of-band-only scans thousands of times: each costs a few bytes
  but makes libjpeg walk every block of the image again (10 000 such scans over 64 MP took 37 s),
  so the decoder refuses a scan count no encoder produces before it decodes a pixel.
- :func:`exif_orientation`: the EXIF Orientation tag (0x0112) from IFD0 and nothing else, read
  with bounds checks. Pillow parses every tag (and warns once per broken one, and raised
  AttributeError / OverflowError on crafted blocks); we need one short integer.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

# In entropy-coded data a 0xFF byte is followed by 0x00 (stuffing), 0xD0-0xD7 (restart) or more
# 0xFF (fill); anything else after it is the next marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_PROGRESSIVE_SOF = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_EOI, _SOS = 0xD9, 0xDA
# Markers that may come before the first scan and carry a length: SOFn, DHT, DAC, DQT, DNL, DRI, DHP, EXP,
# APPn, COM. Pillow's header walk reads a length for exactly these (others it takes as 2-byte markers or
# refuses), so on a header made only of them its walk and ours agree on every segment boundary.
_DQT, _APP1, _APP13 = 0xDB, 0xE1, 0xED
_HEADER_SEGMENTS = frozenset({*range(0xC0, 0xC8), *range(0xC9, 0xD0), *range(0xDB, 0xE0), *range(0xE0, 0xF0), 0xFE})
ORIENTATION_TAG = 0x0112
MAX_IFD_ENTRIES = 1024


_SOF = frozenset({*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)})


@dataclass(frozen=True)
class JpegLayout:
    scans: int
    progressive: bool
    components: int = 0
    """Components in the frame header (1 grey, 3 YCbCr, 4 CMYK/YCCK); 0 when no SOF was found."""
    scan_components: int = 0
    """Components summed over all scans: how many times the decoder walks a full-size plane."""
    segments: int = 0
    """Markers walked (stops counting once ``max_segments`` is passed)."""
    header_gap: int = 0
    """Bytes before the first scan that belong to no marker segment: fill bytes (0xFF) and junk."""
    parsed_header_bytes: int = 0
    """Bytes before the first scan in the segments Pillow's header reader parses in Python, table by
    table or block by block (DQT, the EXIF APP1, the Photoshop APP13); the rest it copies at C speed."""
    header_ok: bool = True
    """False when a marker before the first scan is one a header must not hold (SOI, EOI, RSTn, the
    reserved JPGn) or a segment length is below 2: there Pillow's walk and libjpeg's part ways."""


_WINDOW = 1 << 18
"""Bytes searched per regex call: ``re`` holds the GIL for a whole call, and a run of 0xFF costs it
~10-30 ns a byte (15 MiB: 0.16-0.43 s), so long searches go window by window and other threads
(the event loop) get the GIL between them."""


def _next_marker(data: bytes, pos: int, end: int) -> int:
    """Where the next marker at or after ``pos`` starts (before ``end``), or -1."""
    while pos < end - 1:
        stop = min(end, pos + _WINDOW)
        found = _NEXT_MARKER.search(data, pos, stop)
        if found is not None:
            return found.start()
        pos = stop - 1  # a 0xFF at the window's end pairs with the next window's first byte
    return -1


def jpeg_layout(
    data: bytes, stop_after: int = 1 << 30, max_segments: int = 1 << 30, max_header_gap: int = 1 << 30
) -> JpegLayout:
    """Count SOS markers up to the first EOI (stops early once ``stop_after`` scans or ``max_segments``
    markers are passed).

    Garbage where a marker should be is skipped the way libjpeg skips it (to the next marker),
    so the count is what the decoder would see; before the first scan it is also counted
    (``header_gap``), because Pillow's header walk steps through it one byte at a time in Python.
    The walk stops once the gap passes ``max_header_gap``.
    """
    scans = 0
    progressive = False
    components = 0
    scan_components = 0
    segments = 0
    gap = 0
    parsed = 0
    header_ok = True
    pos = 2  # after SOI
    size = len(data)
    while pos + 1 < size and scans <= stop_after and segments <= max_segments:
        if data[pos] != 0xFF or data[pos + 1] in (0x00, 0xFF):
            end = size if scans else min(size, pos + max_header_gap + 2)
            found = _next_marker(data, pos, end)
            if found < 0:
                gap += 0 if scans else end - pos
                break
            gap += 0 if scans else found - pos
            pos = found
        marker = data[pos + 1]
        segments += 1
        if not scans and marker != _SOS and marker not in _HEADER_SEGMENTS:
            header_ok = False
        if marker == _EOI:
            break
        if marker in _STANDALONE:
            pos += 2
            continue
        if pos + 4 > size:
            break
        length = (data[pos + 2] << 8) | data[pos + 3]
        if length < 2:
            header_ok = header_ok and scans > 0
            length = 2
        if not scans and _parsed_by_pillow(marker, data, pos + 4):
            parsed += length
        if marker in _PROGRESSIVE_SOF:
            progressive = True
        if marker in _SOF and pos + 9 < size:
            components = max(components, data[pos + 9])
        if marker == _SOS and pos + 4 < size:
            scan_components += data[pos + 4]
        pos += 2 + length
        if marker == _SOS:
            scans += 1
            pos = _next_marker(data, pos, size)  # skip the scan's entropy-coded data
            if pos < 0:
                break
    return JpegLayout(scans, progressive, components, scan_components, segments, gap, parsed, header_ok)


def _parsed_by_pillow(marker: int, data: bytes, payload: int) -> bool:
    if marker == _DQT:
        return True
    if marker == _APP1:
        return data.startswith(b"Exif\x00\x00", payload)
    return marker == _APP13 and data.startswith(b"Photoshop 3.0\x00", payload)


def exif_orientation(exif: bytes) -> int:
    """The Orientation value (1-8) in IFD0 of a raw EXIF block, 1 when absent.

    Raises ``ValueError`` (or ``struct.error``) on a block that cannot be read; the caller
    treats that as "no rotation".
    """
    if exif.startswith(b"Exif\x00\x00"):
        exif = exif[6:]
    if exif[:4] == b"II*\x00":
        order = "<"
    elif exif[:4] == b"MM\x00*":
        order = ">"
    else:
        raise ValueError("not a TIFF header")
    (ifd,) = struct.unpack_from(order + "I", exif, 4)
    (count,) = struct.unpack_from(order + "H", exif, ifd)
    if count > MAX_IFD_ENTRIES:
        raise ValueError("implausible IFD")
    for index in range(count):
        tag, kind, values = struct.unpack_from(order + "HHI", exif, ifd + 2 + 12 * index)
        if tag != ORIENTATION_TAG:
            continue
        if kind != 3 or values != 1:  # SHORT, one value: anything else is not an orientation
            raise ValueError("orientation of the wrong type")
        (value,) = struct.unpack_from(order + "H", exif, ifd + 2 + 12 * index + 8)
        if not 1 <= value <= 8:
            raise ValueError("orientation out of range")
        return int(value)
    return 1
