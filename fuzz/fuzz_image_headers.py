"""atheris harness: the image header readers on arbitrary bytes (issue 22).

``image_headers.jpeg_layout``, ``image_headers.exif_orientation`` and ``images.inspect`` read
untrusted bytes before any pixel is decoded. Whatever the bytes, they must return or raise their
documented refusal (``ImageRejected``; ``ValueError``/``struct.error`` from the EXIF reader, which
its caller treats as "no rotation"), never anything else, and within libFuzzer's time limit.

    .venv/bin/python fuzz/fuzz_image_headers.py fuzz/corpus/image_headers -max_total_time=45
"""

from __future__ import annotations

import struct
import sys

import atheris

with atheris.instrument_imports(include=["skinscan", "python_multipart"]):
    from skinscan.image_headers import exif_orientation, jpeg_layout
    from skinscan.images import ImageRejected, inspect, quiet_pillow_warnings


def test_one_input(data: bytes) -> None:
    layout = jpeg_layout(data)
    assert layout.scans >= 0 and layout.scan_components >= 0
    try:
        orientation = exif_orientation(data)
        assert 1 <= orientation <= 8
    except (ValueError, struct.error):
        pass
    try:
        header = inspect(data)
        assert header.pixels > 0 and header.format in ("JPEG", "PNG", "WEBP")
    except ImageRejected as exc:
        assert 400 <= exc.status < 500 and exc.code


def main() -> None:
    quiet_pillow_warnings()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
