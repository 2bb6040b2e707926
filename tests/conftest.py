"""Shared fixtures: a synthetic data set in the Kaggle layout, the data set from SKINSCAN_DATA."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter


def synthetic_lesion(rng: np.random.Generator, malignant: bool, size: int = 224) -> Image.Image:
    """A skin-coloured square with a blob: light and round (benign) or dark and ragged (malignant)."""
    skin = np.array([224, 180, 150]) + rng.integers(-20, 20, 3)
    image = Image.new("RGB", (size, size), tuple(int(c) for c in skin))
    draw = ImageDraw.Draw(image)
    centre = size / 2 + rng.normal(0, 8, 2)
    points = []
    for k in range(24):
        angle = 2 * np.pi * k / 24
        radius = size * (0.22 + (rng.uniform(-0.08, 0.08) if malignant else rng.uniform(-0.01, 0.01)))
        points.append((centre[0] + radius * np.cos(angle), centre[1] + radius * np.sin(angle)))
    colour = (70, 40, 30) if malignant else (150, 100, 70)
    draw.polygon(points, fill=tuple(int(c + rng.integers(-15, 15)) for c in colour))
    return image.filter(ImageFilter.GaussianBlur(1.5))


@pytest.fixture(scope="session")
def synthetic_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic-data")
    rng = np.random.default_rng(0)
    for split, count in (("train", 24), ("test", 6)):
        for label in ("benign", "malignant"):
            folder = root / split / label
            folder.mkdir(parents=True)
            for i in range(count):
                synthetic_lesion(rng, label == "malignant").save(folder / f"{i}.jpg", quality=92)
    return root


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real data set (CI sets SKINSCAN_DATA); tests that need it skip without it, locally only."""
    value = os.environ.get("SKINSCAN_DATA")
    if not value:
        if os.environ.get("CI"):
            pytest.fail("SKINSCAN_DATA must be set in CI")
        pytest.skip("SKINSCAN_DATA is not set")
    path = Path(value)
    assert (path / "test").is_dir(), f"SKINSCAN_DATA={path} has no test/ folder"
    return path
