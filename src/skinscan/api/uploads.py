"""Read the ``image`` field of a multipart upload into memory, never onto disk.

Starlette's form parser spools files over 1 MB to a temporary file, so a medical photo would touch
the disk. Instead the request stream goes through python-multipart's streaming parser here, the
one field we want is collected in a ``bytearray``, everything else is dropped, and the byte limit
is enforced while reading: a too-large upload is answered 413 before the rest of it is received.

Parsing is bounded and off the event loop: python-multipart walks part headers byte by byte in
Python (15 MiB of empty parts with 8 headers each cost 6.4 s of CPU on the event-loop thread), so
a body may have at most ``MAX_PARTS`` parts, ``MAX_HEADERS_PER_PART`` headers per part and
``MAX_HEADER_BYTES`` of part headers in all, and the parser is fed in batches on a worker thread;
a small body (``INLINE_PARSE_BYTES``, a live-camera frame) is parsed in place, as the limits bound
it to about a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from skinscan.api.errors import ApiError
from skinscan.api.memory import Held
from skinscan.questionnaire import FIELDS

FIELD = "image"
TEXT_FIELDS = frozenset(FIELDS)
"""Small text fields that are kept (the questionnaire's answers); any other field is dropped unread."""
TEXT_FIELD_BYTES = 64
"""A text field's bytes kept: a longer value is invalid anyway, so the rest is dropped (and never echoed)."""
MULTIPART_SLACK = 64 * 1024
"""Bytes allowed on top of the photo for boundaries, part headers and other small fields."""
READ_TIMEOUT_S = 60.0
"""Time allowed to receive a whole upload (15 MB over a slow phone link still fits)."""
MAX_PART_HEADER = 64 * 1024
"""Part headers may carry long (10 000-character) file names; they are read and then ignored."""
MAX_PARTS = 16
"""The page sends one part; a few extra form fields are tolerated, thousands are not."""
MAX_HEADERS_PER_PART = 16
MAX_HEADER_BYTES = 96 * 1024
"""Part header bytes (names and values) over the whole body, all parts together."""
PARSE_BATCH = 512 * 1024
"""Bytes handed to the parser per worker-thread call (one call for a typical photo)."""
INLINE_PARSE_BYTES = 64 * 1024
"""A whole body up to this size is parsed on the event loop: a thread hop costs more than the parse
(0.03 ms for a 19 KB photo), and the part limits above bound the worst 64 KiB body to about 1 ms."""


@dataclass
class Upload:
    data: bytes
    received_bytes: int
    fields: dict[str, list[str]] = field(default_factory=dict)
    """The questionnaire's text fields by name, every value sent (in memory only, never logged)."""


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "upload_too_large",
        f"The upload is larger than {limit / (1024 * 1024):g} MB. Send a smaller photo.",
        # The rest of the body is left unread, so the connection cannot be reused.
        headers={"Connection": "close"},
    )


def _bounded(code: str, detail: str) -> ApiError:
    # The rest of the body is left unread, so the connection cannot be reused.
    return ApiError(400, code, detail + " Send the photo in the field 'image'.", headers={"Connection": "close"})


def _feed(parser: MultipartParser, pending: list[bytes]) -> None:
    for chunk in pending:
        parser.write(chunk)


def _boundary(request: Request) -> bytes:
    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data":
        raise ApiError(
            415,
            "not_multipart",
            "Send the photo as multipart/form-data with the file in the field 'image'.",
        )
    boundary = params.get(b"boundary", b"")
    if not boundary or len(boundary) > 200:
        raise ApiError(400, "malformed_multipart", "The multipart body has no valid boundary.")
    return boundary


class _ImageCollector:
    """python-multipart callbacks that keep the bytes of the first ``image`` part and the answers' fields."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data: bytearray | None = None
        self.complete = False
        self._in_image = False
        self._text: bytearray | None = None
        self._text_name = ""
        self.fields: dict[str, list[bytes]] = {}
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._parts = 0
        self._part_headers = 0
        self._header_bytes = 0

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._disposition = b""
        self._in_image = False
        self._text = None
        self._parts += 1
        self._part_headers = 0
        if self._parts > MAX_PARTS:
            raise _bounded("too_many_parts", f"The multipart body has more than {MAX_PARTS} parts.")

    def _count_header_bytes(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            raise _bounded("part_headers_too_large", "The multipart body's part headers are too large.")

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._part_headers += 1
        if self._part_headers > MAX_HEADERS_PER_PART:
            raise _bounded("too_many_part_headers", f"A multipart part has more than {MAX_HEADERS_PER_PART} headers.")
        if bytes(self._header_field).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._disposition)
        self._in_image = params.get(b"name") == FIELD.encode() and self.data is None
        if self._in_image:
            self.data = bytearray()
            return
        name = params.get(b"name", b"").decode("latin-1")
        if name in TEXT_FIELDS:
            self._text, self._text_name = bytearray(), name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_image and self.data is not None:
            self.data += data[start:end]
            if len(self.data) > self.limit:
                raise _too_large(self.limit)
        elif self._text is not None and len(self._text) <= TEXT_FIELD_BYTES:
            self._text += data[start : min(end, start + TEXT_FIELD_BYTES + 1 - len(self._text))]

    def _part_end(self) -> None:
        if self._in_image:
            self.complete = True
            self._in_image = False
        elif self._text is not None:
            self.fields.setdefault(self._text_name, []).append(bytes(self._text))
            self._text = None

    def text_fields(self) -> dict[str, list[str]]:
        """Field values as text; bytes that are not UTF-8 become U+FFFD, which no answer contains."""
        return {name: [v.decode("utf-8", "replace") for v in values] for name, values in self.fields.items()}


async def read_image_field(request: Request, limit: int) -> Upload:
    """Return the bytes of the multipart field ``image``; raise :class:`ApiError` otherwise.

    When the route counts its upload memory (``routes.holds_upload_memory``), every byte received
    is charged to it, which may refuse with 503 once the process holds too many upload bytes.
    """
    held: Held | None = getattr(request.state, "upload_memory", None)
    boundary = _boundary(request)
    body_limit = limit + MULTIPART_SLACK
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > body_limit:
        raise _too_large(limit)  # refused before a single body byte is read
    collector = _ImageCollector(limit)
    parser = MultipartParser(
        boundary,
        collector.callbacks(),  # type: ignore[arg-type]
        max_header_size=MAX_PART_HEADER,
        max_header_count=MAX_HEADERS_PER_PART + 1,  # ours answers first, with its own code
    )
    received = 0
    pending: list[bytes] = []
    pending_bytes = 0
    try:
        with anyio.fail_after(READ_TIMEOUT_S):  # a client that trickles bytes cannot hold a worker
            async for chunk in request.stream():
                received += len(chunk)
                if received > body_limit:
                    raise _too_large(limit)
                if held is not None:
                    held.add(len(chunk))
                if chunk:
                    pending.append(chunk)
                    pending_bytes += len(chunk)
                if pending_bytes >= PARSE_BATCH:
                    await anyio.to_thread.run_sync(_feed, parser, pending)
                    pending, pending_bytes = [], 0
            if pending and received <= INLINE_PARSE_BYTES:
                _feed(parser, pending)
            elif pending:
                await anyio.to_thread.run_sync(_feed, parser, pending)
    except TimeoutError as exc:
        raise ApiError(408, "upload_timeout", "The upload took too long.", headers={"Connection": "close"}) from exc
    except FormParserError as exc:
        raise ApiError(400, "malformed_multipart", "The multipart body is malformed.") from exc
    except ClientDisconnect as exc:
        raise ApiError(400, "incomplete_body", "The upload was interrupted before it finished.") from exc
    if collector.data is None:
        raise ApiError(422, "missing_field", "No photo received: send the file in the multipart field 'image'.")
    if not collector.complete:
        raise ApiError(400, "malformed_multipart", "The multipart body ended before the photo did.")
    return Upload(data=bytes(collector.data), received_bytes=received, fields=collector.text_fields())
