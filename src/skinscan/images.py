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
import math
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MODEL_SIZE = 224
"""Side of the square the model sees."""

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
DEFAULT_MAX_PIXELS = 64_000_000
"""48 MP phone sensors exist; anything beyond this is refused before decoding."""
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


def load_rgb(
    source: bytes | str | Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    target_side: int | None = MODEL_SIZE,
) -> DecodedImage:
    """Decode a photo into an upright 8-bit RGB image, or raise :class:`ImageRejected`.

    ``target_side``: when given, large JPEGs are decoded at a reduced scale (libjpeg DCT
    scaling via ``Image.draft``) that still leaves the short side at least twice this size, so a
    12 MP phone photo decodes in a few milliseconds. ``None`` decodes at full size.
    """
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source
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
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past 2x raises) on huge images; we check the size ourselves.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRejected(
                    "too_many_pixels",
                    f"The photo has {width}x{height} pixels; the limit is {max_pixels // 1_000_000} "
                    "megapixels. Send a smaller photo.",
                    413,
                )
            if min(width, height) < MIN_SIDE:
                raise ImageRejected(
                    "image_too_small",
                    f"The photo is {width}x{height} pixels; at least {MIN_SIDE} pixels on each side are needed.",
                    400,
                )
            if fmt == "JPEG" and target_side is not None:
                _draft_for(image, 2 * target_side)
            image = ImageOps.exif_transpose(image)
            image.load()
            rgb = _to_rgb(image)
    except ImageRejected:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses sizes over twice its own limit already in Image.open, before our check.
        raise ImageRejected(
            "too_many_pixels",
            f"The photo has too many pixels; the limit is {max_pixels // 1_000_000} megapixels. Send a smaller photo.",
            413,
        ) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        TypeError,
        EOFError,
        IndexError,
        KeyError,
        MemoryError,
        ZeroDivisionError,
        struct.error,
    ) as exc:
        raise ImageRejected(
            "corrupt_image",
            f"The {fmt} file could not be decoded (it may be truncated or damaged). Try another photo.",
            400,
        ) from exc
    return DecodedImage(image=rgb, format=fmt, original_size=(width, height))


def _draft_for(image: Image.Image, min_short_side: int) -> None:
    """Ask libjpeg to decode at 1/2, 1/4 or 1/8 scale while keeping the short side large enough."""
    width, height = image.size
    short = min(width, height)
    if short < 2 * min_short_side:
        return
    scale = short / min_short_side
    image.draft("RGB", (math.ceil(width / scale), math.ceil(height / scale)))


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB (16-bit scaled down, alpha dropped, CMYK converted)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        array = np.asarray(image, dtype=np.uint32)
        peak = 65535 if image.mode.startswith("I;16") else max(int(array.max()), 1)
        gray = (array * 255 + peak // 2) // max(peak, 1)
        return Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8), "L").convert("RGB")
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


def square_crop_resize(image: Image.Image, size: int = MODEL_SIZE) -> np.ndarray:
    """Largest centred square, resized to ``size`` x ``size`` with Pillow's bilinear filter.

    Pillow's bilinear is a triangle filter whose support widens with the reduction factor (so
    shrinking a big photo averages every pixel instead of aliasing). Returns uint8 HxWx3 RGB.
    """
    box = crop_box(*image.size)
    square = image.crop(box)
    if square.size != (size, size):
        square = square.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(square, dtype=np.uint8).reshape(size, size, 3)


def load_model_input(source: bytes | str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode and crop/resize in one step: the exact uint8 [224, 224, 3] array the model takes."""
    return square_crop_resize(load_rgb(source, max_pixels=max_pixels).image)
