"""What a JPEG may cost to decode, judged from its marker walk (``image_headers.jpeg_layout``) alone.

``images`` applies these limits before and just after Pillow opens a JPEG, and raises
``ImageRejected`` with the refusal returned here: (machine code, message, HTTP status).
"""

from __future__ import annotations

from skinscan.image_headers import JpegLayout

Refusal = tuple[str, str, int]
"""(machine code, message, HTTP status), as ``images.ImageRejected`` takes them."""

FULL_DECODE_MAX_PIXELS = 24_000_000
"""PNG, WebP and progressive JPEG cannot be decoded at a reduced scale (a progressive JPEG keeps
every DCT coefficient of the image in memory), so they get a tighter limit: a 124 KB 16-bit PNG
of 64 MP cost ~950 MB to decode; at 24 MP PNG and progressive JPEG peak at 120-170 MB."""
MAX_JPEG_SCANS = 64
"""libjpeg's progressive scripts use about 10 scans and optimisers a few more; a scan bomb repeats
empty scans thousands of times. ``image_headers.jpeg_layout`` counts them before decoding."""
JPEG_COEFFICIENT_BUDGET = 3 * FULL_DECODE_MAX_PIXELS
"""components x pixels for a JPEG of more than one scan (progressive, or baseline with a scan per
component). libjpeg must then keep every DCT coefficient of the image (2 bytes per component and
pixel) and cannot decode at a reduced scale: an 8000x8000 4-component baseline JPEG of 4 scans
(1 MB) cost +492 to +566 MB. The budget is a 24 MP colour photo: at most ~150 MB of coefficients."""
JPEG_SCAN_BUDGET = MAX_JPEG_SCANS * FULL_DECODE_MAX_PIXELS
"""components in all scans x pixels: the decoder walks a full-size plane once per component of each
scan (a 56-scan 64 MP JPEG took 3 s). 64 scans of a 24 MP plane stay under a second."""
MAX_JPEG_HEADER_GAP = 4096
"""Fill bytes and junk allowed before the first scan (none in 11 146 photos of ../shared/data). Pillow
steps through them one byte at a time in Python, holding the GIL: 15 MiB of zeros after SOI cost 1.1 s
of CPU, 15 MiB of 0xFF fill 5.4 s. 4 KiB stays near a millisecond."""
MAX_JPEG_SEGMENTS = 1024
"""Markers in the whole file up to EOI (at most 13 in those photos; 64 scans with their tables and an
ICC profile in 255 chunks stay far below). 4 M empty COM segments cost Pillow 3.7 s and our walk 1.8 s."""
MAX_JPEG_PARSED_HEADER = 512 * 1024
"""Bytes of DQT, EXIF and Photoshop segments before the first scan, which Pillow parses table by table
(a 14 MiB header of DQT tables cost 1.0 s, of 1-byte Photoshop blocks 0.9 s: about 70 ns a byte, so this
bound costs at most ~40 ms). A camera writes one EXIF segment (at most 64 KiB) and a few hundred bytes of
tables; an editor may add Photoshop resources (IPTC, a thumbnail) in a few more 64 KiB segments."""


def _refuse(code: str, message: str, status: int) -> Refusal:
    """One refusal (a call the message-catalogue test collects codes from, like ``ImageRejected``)."""
    return code, message, status


def structure_refusal(layout: JpegLayout) -> Refusal | None:
    """A JPEG header whose walk would cost more than its size suggests: refused before Pillow reads it."""
    if not layout.header_ok:
        problem = "holds a marker that does not belong before the image data"
    elif layout.header_gap > MAX_JPEG_HEADER_GAP:
        problem = f"has {layout.header_gap} bytes of padding or junk between its segments"
    elif layout.segments > MAX_JPEG_SEGMENTS:
        problem = f"has more than {MAX_JPEG_SEGMENTS} segments"
    elif layout.parsed_header_bytes > MAX_JPEG_PARSED_HEADER:
        problem = f"has {layout.parsed_header_bytes // 1024} KiB of metadata and tables"
    else:
        return None
    message = f"This JPEG {problem}; a camera or editor does not write that. Save the photo again and retry."
    return _refuse("malformed_jpeg", message, 400)


def budget_refusal(layout: JpegLayout, pixels: int) -> Refusal | None:
    """Every JPEG: scans, and for any of more than one scan, components x pixels and scans x pixels."""
    if layout.scans > MAX_JPEG_SCANS:
        return _refuse(
            "too_many_scans",
            f"This JPEG has more than {MAX_JPEG_SCANS} scans (a normal one has about 10), "
            "which would take too long to decode. Save the photo again or send it as a plain JPEG.",
            413,
        )
    if layout.scans <= 1 and not layout.progressive:
        return None  # one interleaved scan: decoded at 1/2..1/8 scale, no coefficient buffer
    components = max(layout.components, 1)
    if components * pixels > JPEG_COEFFICIENT_BUDGET or layout.scan_components * pixels > JPEG_SCAN_BUDGET:
        budget = JPEG_COEFFICIENT_BUDGET // (components * 1_000_000)
        return _refuse(
            "too_many_pixels",
            f"This JPEG is stored in {layout.scans} scans of {components} components, which must be decoded "
            f"at full size; the limit for such a JPEG is about {budget} megapixels. "
            "Send a smaller photo, or save it again as a plain (baseline) JPEG.",
            413,
        )
    return None
