"""Training augmentation: shapes and range, reproducibility, and what cutout does to a photo."""

from __future__ import annotations

import dataclasses

import torch

from skinscan.training.augment import AugmentConfig, augment_batch

QUIET = AugmentConfig(
    min_crop=1.0,
    max_aspect=1.0,
    brightness=0.0,
    contrast=0.0,
    saturation=0.0,
    white_balance=0.0,
    blur_p=0.0,
    noise_p=0.0,
)


def photos(n: int = 6, side: int = 48) -> torch.Tensor:
    return torch.randint(0, 256, (n, side, side, 3), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)


def test_output_is_nchw_in_unit_range_and_reproducible() -> None:
    x = photos()
    a = augment_batch(x, 32, AugmentConfig(cutout_p=0.5), torch.Generator().manual_seed(7))
    b = augment_batch(x, 32, AugmentConfig(cutout_p=0.5), torch.Generator().manual_seed(7))
    assert a.shape == (6, 3, 32, 32)
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0
    assert torch.equal(a, b)


def blanked(before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
    """Per photo, the share of pixels cutout changed (all three channels)."""
    return (before != after).all(dim=1).float().mean(dim=(1, 2))


def test_cutout_blanks_one_square_with_the_photos_mean_colour() -> None:
    x = photos(n=32)
    # Same generator state for geometry and colour: the photos differ only by the blanked square.
    plain = augment_batch(x, 40, QUIET, torch.Generator().manual_seed(3))
    cut = augment_batch(
        x, 40, dataclasses.replace(QUIET, cutout_p=1.0, cutout_size=0.5), torch.Generator().manual_seed(3)
    )
    share = blanked(plain, cut)
    assert bool((share > 0).all()), "cutout_p=1 blanks something in every photo"
    assert float(share.max()) <= 0.5 * 0.5 + 0.03, "no more than one square of side 0.5"
    assert float(share.mean()) > 0.1, "squares are clipped at the border, not lost"
    for i in range(len(x)):
        changed = (plain[i] != cut[i]).all(dim=0)
        fill = cut[i][:, changed]
        mean = plain[i].mean(dim=(1, 2))
        assert torch.allclose(fill, mean[:, None].expand_as(fill), atol=1e-6)
        rows, cols = changed.any(dim=1).nonzero(), changed.any(dim=0).nonzero()
        box = changed[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        assert float(box.float().mean()) > 0.95, "the blanked pixels form one rectangle"


def test_cutout_p_is_the_share_of_photos_blanked() -> None:
    x = photos(n=200, side=24)
    plain = augment_batch(x, 24, QUIET, torch.Generator().manual_seed(5))
    half = augment_batch(x, 24, dataclasses.replace(QUIET, cutout_p=0.5), torch.Generator().manual_seed(5))
    hit = float((blanked(plain, half) > 0).float().mean())
    assert 0.35 < hit < 0.65
