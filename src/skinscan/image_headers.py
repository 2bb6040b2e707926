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


def jpeg_layout(data: bytes, stop_after: int = 1 << 30) -> JpegLayout:
    """Count SOS markers up to the first EOI (stops early once ``stop_after`` is passed).

    Garbage where a marker should be is skipped the way libjpeg skips it (to the next marker),
    so the count is what the decoder would see.
    """
    scans = 0
    progressive = False
    components = 0
    scan_components = 0
    pos = 2  # after SOI
    size = len(data)
    while pos + 1 < size and scans <= stop_after:
        if data[pos] != 0xFF or data[pos + 1] in (0x00, 0xFF):
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                break
            pos = found.start()
        marker = data[pos + 1]
        if marker == _EOI:
            break
        if marker in _STANDALONE:
            pos += 2
            continue
        if pos + 4 > size:
            break
        length = (data[pos + 2] << 8) | data[pos + 3]
        if marker in _PROGRESSIVE_SOF:
            progressive = True
        if marker in _SOF and pos + 9 < size:
            components = max(components, data[pos + 9])
        if marker == _SOS and pos + 4 < size:
            scan_components += data[pos + 4]
        pos += 2 + length
        if marker == _SOS:
            scans += 1
            found = _NEXT_MARKER.search(data, pos)  # skip the scan's entropy-coded data
            if found is None:
                break
            pos = found.start()
    return JpegLayout(scans, progressive, components, scan_components)


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
