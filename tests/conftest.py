"""Shared fixtures: a synthetic data set in the Kaggle layout, the data set from SKINSCAN_DATA."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from skinscan.bench.synthetic import lesion_photo


def synthetic_lesion(rng: np.random.Generator, malignant: bool, size: int = 224) -> Image.Image:
    """The project's synthetic lesion (skinscan.bench.synthetic), dark and ragged or light and round."""
    return lesion_photo(size, size, seed=int(rng.integers(2**31)), malignant=malignant)


def everyday_photo(rng: np.random.Generator, size: int = 160) -> Image.Image:
    """A stand-in everyday photo: sky-blue and green bands with a few rectangles (no skin, no blob)."""
    image = Image.new("RGB", (size, size), (90, 140, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, size * 0.6, size, size), fill=(60, 150, 70))
    for _ in range(3):
        x, y = rng.integers(0, size - 40, 2)
        draw.rectangle((int(x), int(y), int(x) + 30, int(y) + 20), fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    return image


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def synthetic_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every source's layout with synthetic photos; returns the Kaggle folder (as SKINSCAN_DATA is in CI)."""
    root = tmp_path_factory.mktemp("synthetic-data")
    rng = np.random.default_rng(0)
    kaggle = root / "skin-cancer-isic"
    for split, count in (("train", 24), ("test", 6)):
        for label in ("benign", "malignant"):
            folder = kaggle / split / label
            folder.mkdir(parents=True)
            for i in range(count):
                synthetic_lesion(rng, label == "malignant").save(folder / f"{i}.jpg", quality=92)
    ham_rows, pad_rows, derm_rows = [], [], []
    for name in ("ham10000", "pad-ufes-20", "derm7pt", "not-skin"):
        (root / name / "images").mkdir(parents=True)
    for i in range(24):
        malignant = i % 3 == 0
        dx = "akiec" if i == 23 else ("mel" if malignant else "nv")
        synthetic_lesion(rng, malignant).save(root / "ham10000" / "images" / f"ISIC_{i}.jpg", quality=90)
        label = "malignant" if malignant or dx == "akiec" else "benign"
        ham_rows.append([f"images/ISIC_{i}.jpg", label, f"HAM_{i}", f"ISIC_{i}", dx, "histo", "50", "male", "back"])
    for i in range(20):
        malignant = i % 2 == 0
        synthetic_lesion(rng, malignant, size=300).save(root / "pad-ufes-20" / "images" / f"PAT_{i}.jpg", quality=95)
        diagnostic = "BCC" if malignant else "NEV"
        label = "malignant" if malignant else "benign"
        pad_rows.append(
            [
                f"images/PAT_{i}.jpg",
                label,
                f"PAT_{i}.png",
                f"PAT_{i // 2}",
                str(i),
                diagnostic,
                "True",
                str(1 + i % 3),
                "ARM",
                "40",
                "",
            ]
        )
    for i in range(8):
        malignant = i % 2 == 0
        synthetic_lesion(rng, malignant).save(root / "derm7pt" / "images" / f"d{i}.jpg", quality=90)
        derm_rows.append(
            [f"images/d{i}.jpg", "malignant" if malignant else "benign", "", "melanoma" if malignant else "nevus"]
        )
    for i in range(20):
        everyday_photo(rng).save(root / "not-skin" / "images" / f"n{i:03d}_thing.jpg", quality=85)
    _write_csv(
        root / "ham10000" / "labels.csv",
        ["file", "binary_label", "lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"],
        ham_rows,
    )
    _write_csv(
        root / "pad-ufes-20" / "labels.csv",
        [
            "file",
            "binary_label",
            "img_id",
            "patient_id",
            "lesion_id",
            "diagnostic",
            "biopsed",
            "fitspatrick",
            "region",
            "age",
            "gender",
        ],
        pad_rows,
    )
    _write_csv(root / "derm7pt" / "labels.csv", ["file", "binary_label", "case_num", "diagnosis"], derm_rows)
    return kaggle


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
