"""Property-based tests (hypothesis) of the one decoder and the one crop/resize (images.py)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from api.helpers import STORE_ROTATED
from skinscan.bench.synthetic import encode, lesion_photo
from skinscan.images import MIN_SIDE, ImageRejected, crop_box, load_rgb, square_crop_resize

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
sides = st.integers(min_value=1, max_value=700)


@FAST
@given(width=st.integers(1, 20_000), height=st.integers(1, 20_000))
def test_crop_box_is_the_largest_centred_square(width: int, height: int) -> None:
    left, top, right, bottom = crop_box(width, height)
    side = min(width, height)
    assert right - left == bottom - top == side
    assert left >= 0 and top >= 0 and right <= width and bottom <= height
    assert abs(left - (width - right)) <= 1 and abs(top - (height - bottom)) <= 1


@FAST
@given(width=sides, height=sides, colour=st.tuples(*[st.integers(0, 255)] * 3))
def test_crop_resize_shape_and_constant_colour(width: int, height: int, colour: tuple[int, int, int]) -> None:
    out = square_crop_resize(Image.new("RGB", (width, height), colour), 224)
    assert out.shape == (224, 224, 3) and out.dtype == np.uint8
    assert (out == np.array(colour, dtype=np.uint8)).all()  # bilinear keeps a flat colour flat


@FAST
@given(width=st.integers(MIN_SIDE, 300), height=st.integers(MIN_SIDE, 300), seed=st.integers(0, 2**16))
def test_lossless_photos_decode_to_exactly_their_pixels(width: int, height: int, seed: int) -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    for fmt, params in (("PNG", {}), ("WEBP", {"lossless": True})):
        decoded = load_rgb(encode(Image.fromarray(pixels), fmt, **params))
        assert decoded.format == fmt and decoded.original_size == (width, height)
        assert decoded.image.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(decoded.image), pixels)


@FAST
@given(orientation=st.integers(1, 8), width=st.integers(MIN_SIDE, 200), height=st.integers(MIN_SIDE, 200))
def test_any_exif_orientation_decodes_upright(orientation: int, width: int, height: int) -> None:
    upright = lesion_photo(width, height, seed=orientation)
    stored = upright.transpose(STORE_ROTATED[orientation]) if orientation in STORE_ROTATED else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    decoded = load_rgb(encode(stored, "PNG", exif=exif))
    np.testing.assert_array_equal(np.asarray(decoded.image), np.asarray(upright))


@FAST
@given(mode=st.sampled_from(["L", "LA", "P", "RGBA", "CMYK", "I;16", "1"]), side=st.integers(MIN_SIDE, 120))
def test_every_mode_becomes_8bit_rgb(mode: str, side: int) -> None:
    photo = lesion_photo(side + 7, side, seed=side)
    if mode == "I;16":
        image = Image.fromarray((np.asarray(photo.convert("L"), dtype=np.uint16) * 257).astype(np.uint16))
    else:
        image = photo.convert(mode)
    fmt = "JPEG" if mode in ("L", "CMYK") else "PNG"
    decoded = load_rgb(encode(image, fmt))
    assert decoded.image.mode == "RGB" and decoded.image.size == (side + 7, side)
    assert square_crop_resize(decoded.image, 224).shape == (224, 224, 3)


@FAST
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_are_refused_cleanly(data: bytes) -> None:
    try:
        decoded = load_rgb(data)
    except ImageRejected as exc:
        assert exc.status in (400, 413, 415) and exc.code and exc.message
    else:
        assert decoded.image.mode == "RGB"


_VALID = {fmt: encode(lesion_photo(96, 64, seed=1), fmt) for fmt in ("JPEG", "PNG", "WEBP")}


@settings(max_examples=150, deadline=None)
@given(
    fmt=st.sampled_from(sorted(_VALID)),
    cut=st.integers(0, 10_000),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), max_size=6),
)
def test_damaged_images_decode_or_are_refused_never_crash(fmt: str, cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_VALID[fmt][: max(1, len(_VALID[fmt]) - cut % len(_VALID[fmt]))])
    for position, mask in flips:
        data[position % len(data)] ^= mask
    try:
        decoded = load_rgb(bytes(data))
    except ImageRejected as exc:
        assert exc.status in (400, 413, 415)
    else:
        assert square_crop_resize(decoded.image, 224).shape == (224, 224, 3)


@pytest.mark.parametrize(("width", "height"), [(MIN_SIDE - 1, 500), (500, 1), (1, 1)])
def test_too_small_is_refused(width: int, height: int) -> None:
    with pytest.raises(ImageRejected) as caught:
        load_rgb(encode(Image.new("RGB", (width, height)), "PNG"))
    assert caught.value.code == "image_too_small" and caught.value.status == 400


def test_pixel_limit_is_checked_before_decoding() -> None:
    data = encode(Image.new("RGB", (3000, 2000)), "PNG")
    with pytest.raises(ImageRejected) as caught:
        load_rgb(io.BytesIO(data).getvalue(), max_pixels=5_000_000)
    assert caught.value.code == "too_many_pixels" and caught.value.status == 413
    assert load_rgb(data, max_pixels=6_000_000).original_size == (3000, 2000)
