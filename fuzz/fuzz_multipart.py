"""atheris harness: the upload parser (``api/uploads.py``) on arbitrary bodies (issue 22).

The multipart body is fed to python-multipart's streaming parser with skinscan's collector, cut
into pieces at fuzzer-chosen places (as the network would). Whatever the body, the parser must end
in the photo's bytes or in a client error (``ApiError``: too many parts, part headers too large,
upload too large; ``FormParserError``: malformed, answered 400), never anything else.

    .venv/bin/python fuzz/fuzz_multipart.py fuzz/corpus/multipart -max_total_time=45
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["skinscan", "python_multipart"]):
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser

    from skinscan.api.errors import ApiError
    from skinscan.api.uploads import MAX_HEADERS_PER_PART, MAX_PART_HEADER, _ImageCollector

LIMIT = 4 * 1024
"""A small upload limit, so that the fuzzer reaches the 413 path too."""


def split(data: bytes) -> tuple[bytes, list[int], bytes]:
    """Input layout (so that seeds are easy to write, see make_corpus.py): one byte n, the boundary
    (n bytes, 1-70), one byte k (0-8), k big-endian 16-bit cut positions, then the body."""
    n = 1 + (data[0] % 70) if data else 1
    boundary = data[1 : 1 + n] or b"b"
    rest = data[1 + n :]
    k = rest[0] % 9 if rest else 0
    cuts = sorted(int.from_bytes(rest[1 + 2 * i : 3 + 2 * i], "big") for i in range(k))
    return boundary, cuts, rest[1 + 2 * k :]


def test_one_input(data: bytes) -> None:
    boundary, cuts, body = split(data)
    collector = _ImageCollector(LIMIT)
    parser = MultipartParser(
        boundary,
        collector.callbacks(),  # type: ignore[arg-type]
        max_header_size=MAX_PART_HEADER,
        max_header_count=MAX_HEADERS_PER_PART + 1,
    )
    start = 0
    try:
        for cut in [*cuts, len(body)]:
            parser.write(body[start : max(start, cut)])
            start = max(start, cut)
        parser.finalize()
    except ApiError as exc:
        assert exc.status in (400, 413) and exc.code
        return
    except FormParserError:
        return
    if collector.complete:
        assert collector.data is not None and len(collector.data) <= LIMIT


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
