"""The one image decoder and the one crop/resize of skinscan.

Training, evaluation, the CLI and the API all go through :func:`load_rgb` and
:func:`square_crop_resize`; ``web/src/inference/preprocess.ts`` mirrors the crop and the resize
so that the browser feeds the model the same bytes as the server (a parity test checks it).

The decoder is strict on purpose: photos come from the open internet, so the format is checked
against an allowlist by content (never by file name or declared content type), the pixel count
is checked from the header before any pixel is decoded, phone photos are turned upright from
their EXIF orientation, and anything odd is refused with an :class:`ImageRejected` that carries
a stable machine code and an HTTP status. Nothing is ever substituted for a photo that fails.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from skinscan.image_headers import exif_orientation, jpeg_layout
from skinscan.jpeg_limits import FULL_DECODE_MAX_PIXELS, budget_refusal, structure_refusal

# The JPEG limits live in jpeg_limits; callers and tests keep reading them here (explicit re-exports).
from skinscan.jpeg_limits import JPEG_COEFFICIENT_BUDGET as JPEG_COEFFICIENT_BUDGET
from skinscan.jpeg_limits import MAX_JPEG_HEADER_GAP as MAX_JPEG_HEADER_GAP
from skinscan.jpeg_limits import MAX_JPEG_PARSED_HEADER as MAX_JPEG_PARSED_HEADER
from skinscan.jpeg_limits import MAX_JPEG_SCANS as MAX_JPEG_SCANS
from skinscan.jpeg_limits import MAX_JPEG_SEGMENTS as MAX_JPEG_SEGMENTS

log = logging.getLogger("skinscan.images")

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
DEFAULT_MAX_PIXELS = 64_000_000
"""48 MP phone sensors exist; anything beyond this is refused before decoding."""
WEBP_MAX_PIXELS = 16_000_000
"""Pillow's WebP decoder holds about four full-size copies (a 2.5 KB lossless WebP of 64 MP cost
730-1010 MB; 24 MP still 400 MB), so WebP gets the tightest limit (16 MP: under 300 MB)."""
MIN_SIDE = 32
"""A lesion cannot be judged from fewer pixels than this on the short side."""

# Magic numbers of image formats that we recognise but do not accept (415, not 400).
_OTHER_IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"qoif", "QOI"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")


class ImageRejected(ValueError):
    """A photo that skinscan refuses, with a stable ``code`` and the HTTP ``status`` to answer."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class DecodedImage:
    """An upright RGB photo and what we learned while decoding it."""

    image: Image.Image
    format: str
    original_size: tuple[int, int]
    """Width and height as stored in the file, before EXIF rotation or JPEG draft scaling."""


def sniff_format(data: bytes) -> str | None:
    """Return the format name an upload's first bytes announce, or None if unknown."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    for signature, name in _OTHER_IMAGE_SIGNATURES:
        if data.startswith(signature):
            return name
    return None


def quiet_pillow_warnings() -> None:
    """Keep Pillow's per-tag EXIF/MPO warnings and its size warning out of the logs (once per process).

    A crafted 65 KB JPEG made Pillow warn once per broken tag (9 871 lines). The decoder reads
    the one tag it needs itself (``image_headers.exif_orientation``) and checks sizes itself,
    so these warnings carry nothing. A process-wide filter, because ``catch_warnings`` is not
    thread-safe and decoding runs on worker threads.
    """
    if _QUIET_FILTERS and all(entry in warnings.filters for entry in _QUIET_FILTERS):
        return
    warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
    _QUIET_FILTERS[:] = [warnings.filters[0]]
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    _QUIET_FILTERS.append(warnings.filters[0])


_QUIET_FILTERS: list[object] = []


@dataclass(frozen=True)
class ImageHeader:
    """What the header says, checked against every limit, before any pixel is decoded."""

    format: str
    size: tuple[int, int]
    progressive: bool = False

    @property
    def pixels(self) -> int:
        return self.size[0] * self.size[1]


def _limit_for(fmt: str, progressive: bool, max_pixels: int) -> int:
    if fmt == "JPEG" and not progressive:
        return max_pixels  # decoded at 1/2..1/8 scale (libjpeg DCT scaling)
    return min(max_pixels, WEBP_MAX_PIXELS if fmt == "WEBP" else FULL_DECODE_MAX_PIXELS)


def _open_checked(data: bytes, max_pixels: int) -> tuple[Image.Image, ImageHeader]:
    """Open (header only) and apply the allowlist, pixel, side and scan limits."""
    if not data:
        raise ImageRejected("empty_file", "The upload is empty: choose a photo (JPEG, PNG or WebP).")
    fmt = sniff_format(data)
    if fmt is None:
        raise ImageRejected("not_an_image", "This file is not an image. Upload a photo as JPEG, PNG or WebP.", 400)
    if fmt not in ALLOWED_FORMATS:
        raise ImageRejected(
            "unsupported_type",
            f"{fmt} images are not supported. Upload a photo as JPEG, PNG or WebP.",
            415,
        )
    layout = None
    if fmt == "JPEG":
        layout = jpeg_layout(
            data, stop_after=MAX_JPEG_SCANS, max_segments=MAX_JPEG_SEGMENTS, max_header_gap=MAX_JPEG_HEADER_GAP
        )
    refusal = structure_refusal(layout) if layout is not None else None
    if refusal is not None:
        raise ImageRejected(*refusal)  # before Pillow, whose header walk costs O(junk) in Python
    image: Image.Image = Image.open(io.BytesIO(data), formats=[fmt])
    width, height = image.size
    progressive = layout is not None and layout.progressive
    limit = _limit_for(fmt, progressive, max_pixels)
    if width * height > limit:
        raise ImageRejected(
            "too_many_pixels",
            f"The photo has {width}x{height} pixels; the limit for this kind of {fmt} is "
            f"{limit // 1_000_000} megapixels. Send a smaller photo.",
            413,
        )
    if min(width, height) < MIN_SIDE:
        raise ImageRejected(
            "image_too_small",
            f"The photo is {width}x{height} pixels; at least {MIN_SIDE} pixels on each side are needed.",
            400,
        )
    refusal = budget_refusal(layout, width * height) if layout is not None else None
    if refusal is not None:
        raise ImageRejected(*refusal)
    return image, ImageHeader(format=fmt, size=(width, height), progressive=progressive)


def inspect(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageHeader:
    """Check an upload's header against every limit without decoding it (cheap)."""
    quiet_pillow_warnings()
    try:
        return _open_checked(data, max_pixels)[1]
    except ImageRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to read a header is a damaged file
        raise _rejection(exc, sniff_format(data) or "image") from exc


def _rejection(exc: BaseException, fmt: str) -> ImageRejected:
    if isinstance(exc, Image.DecompressionBombError):
        # Pillow refuses sizes over twice its own limit already in Image.open, before our check.
        return ImageRejected(
            "too_many_pixels", "The photo has too many pixels. Send a smaller photo (at most 64 megapixels).", 413
        )
    return ImageRejected(
        "corrupt_image",
        f"The {fmt} file could not be decoded (it may be truncated or damaged). Try another photo.",
        400,
    )


def load_rgb(
    source: bytes | str | Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    target_side: int | None = None,
) -> DecodedImage:
    """Decode a photo into an upright 8-bit RGB image, or raise :class:`ImageRejected`.

    ``target_side``: when given, large photos are shrunk early while keeping the short side at
    least twice this size: a JPEG whose short side is >= 4x ``target_side`` is decoded at 1/2, 1/4
    or 1/8 scale (libjpeg DCT scaling via ``Image.draft``), so a 12 MP phone photo decodes in a few
    milliseconds; then the upright photo is box-reduced by ``reduction_factor`` (see there; the
    page does the same to a camera frame, so both feed the model identical bytes).
    ``None`` decodes at full size. Every failure, whatever Pillow raises, is an ``ImageRejected``.
    """
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source
    quiet_pillow_warnings()
    try:
        image, header = _open_checked(data, max_pixels)
        min_short = 2 * target_side if target_side is not None else None
        if header.format == "JPEG" and min_short is not None:
            _draft_for(image, min_short)
        image.load()
        exif = image.info.get("exif")
        upright = _upright(_eight_bit(image), exif)
        rgb = _to_rgb(_reduce(upright, target_side))
    except ImageRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - a client's file must never become a 5xx
        raise _rejection(exc, sniff_format(data) or "image") from exc
    return DecodedImage(image=rgb, format=header.format, original_size=header.size)


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(image: Image.Image, exif: object) -> Image.Image:
    """Apply the EXIF orientation; an unreadable one means no rotation (logged by code only)."""
    if not isinstance(exif, bytes | bytearray) or not exif:
        return image
    try:
        orientation = exif_orientation(bytes(exif))
    except (ValueError, struct.error):
        log.info("exif_orientation_unreadable: decoded without rotation")
        return image
    method = _TRANSPOSE.get(orientation)
    return image.transpose(method) if method is not None else image


def _draft_for(image: Image.Image, min_short_side: int) -> None:
    """Ask libjpeg to decode at 1/2, 1/4 or 1/8 scale while keeping the short side large enough."""
    width, height = image.size
    short = min(width, height)
    if short < 2 * min_short_side:
        return
    scale = short / min_short_side
    image.draft("RGB", (math.ceil(width / scale), math.ceil(height / scale)))


_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def _eight_bit(image: Image.Image) -> Image.Image:
    """Bring odd modes to 8 bits per channel without a full-size RGB copy: 16/32-bit grayscale to
    L (strip-wise), palette to RGB(A), 1-bit to L, and drop the alpha channel (as the final RGB
    conversion would), so the box reduction never mixes alpha in."""
    if image.mode in _SIXTEEN_BIT:
        return _gray8(image)
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    if image.mode == "1":
        return image.convert("L")
    if image.mode in ("RGBA", "RGBa"):
        return image.convert("RGB")
    if image.mode in ("LA", "La"):
        return image.convert("L")
    return image


def reduction_factor(width: int, height: int, target_side: int) -> int:
    """The integer box-reduction applied to an upright photo before the crop: the largest ``k``
    that keeps the short side at least ``2 * target_side`` (1 = none). ``web/src/inference/
    preprocess.ts`` (``reductionFactor``) computes the same for camera frames."""
    return max(1, min(width, height) // (2 * target_side))


def _reduce(image: Image.Image, target_side: int | None) -> Image.Image:
    """Box-reduce the upright photo by ``reduction_factor`` (Pillow's ``reduce``: blocks from the
    top-left corner, partial blocks at the right and bottom edges averaged over what they hold).
    The browser re-implements exactly this arithmetic, so it must run on upright 8-bit pixels
    without alpha (``_eight_bit`` and ``_upright`` first)."""
    if not target_side:
        return image
    factor = reduction_factor(*image.size, target_side)
    return image.reduce(factor) if factor >= 2 else image


def _gray8(image: Image.Image) -> Image.Image:
    """16/32-bit grayscale to 8 bits, a strip at a time (no full-size 32-bit copy)."""
    width, height = image.size
    peak = 65535 if image.mode.startswith("I;16") else max(int(image.getextrema()[1]), 1)  # type: ignore[arg-type]
    out = Image.new("L", image.size)
    rows = max(1, (1 << 20) // width)
    for top in range(0, height, rows):
        box = (0, top, width, min(height, top + rows))
        array = np.clip(np.asarray(image.crop(box), dtype=np.int64), 0, None)
        gray = np.clip((array * 255 + peak // 2) // peak, 0, 255).astype(np.uint8)
        out.paste(Image.fromarray(gray, "L"), box)
    return out


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any (8-bit or float) Pillow mode to 8-bit RGB (alpha dropped, CMYK converted)."""
    if image.mode == "RGB":
        return image
    if image.mode in _SIXTEEN_BIT:
        image = _gray8(image)
    if image.mode == "F":
        array = np.nan_to_num(np.asarray(image, dtype=np.float32))
        return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), "L").convert("RGB")
    if image.mode == "P" or image.mode == "LA" or image.mode == "PA":
        image = image.convert("RGBA")
    return image.convert("RGB")


def crop_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The largest centred square, as a Pillow box (left, top, right, bottom)."""
    side = min(width, height)
    left = (width - side) // 2
    top = (height - side) // 2
    return left, top, left + side, top + side


def square_crop_resize(image: Image.Image, size: int) -> np.ndarray:
    """Largest centred square, resized to ``size`` x ``size`` with Pillow's bilinear filter.

    Pillow's bilinear is a triangle filter whose support widens with the reduction factor (so
    shrinking a big photo averages every pixel instead of aliasing). Returns uint8 HxWx3 RGB.
    """
    box = crop_box(*image.size)
    square = image.crop(box)
    if square.size != (size, size):
        square = square.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(square, dtype=np.uint8).reshape(size, size, 3)


@dataclass(frozen=True)
class ModelInput:
    """A photo prepared for the model, and the size it was stored at (for the card's ``min_side``)."""

    pixels: np.ndarray
    """uint8 [size, size, 3] RGB."""
    original_size: tuple[int, int]


def prepare(source: bytes | str | Path, size: int, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ModelInput:
    """The one preparation of a photo for the model (CLI, API, decode workers): decode upright with
    the limits above, reduced early against ``size``, then the largest centred square resized to
    ``size`` x ``size``. ``size`` is the card's ``input.size``; nothing here knows it."""
    decoded = load_rgb(source, max_pixels=max_pixels, target_side=size)
    return ModelInput(square_crop_resize(decoded.image, size), decoded.original_size)
