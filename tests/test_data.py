"""Reading every source: labels from folders or labels.csv, unreadable photos reported and left out, never swapped."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from skinscan.datasets import HAM, KAGGLE, Pool, csv_entries, data_root, decode_entries, kaggle_entries
from skinscan.evaluation.manifest import read_manifest, write_manifest
from skinscan.images import load_rgb, square_crop_resize


@pytest.fixture()
def data_with_a_broken_photo(synthetic_data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(synthetic_data.parent, root)
    (root / "skin-cancer-isic" / "train" / "benign" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (root / "skin-cancer-isic" / "train" / "malignant" / "notes.txt").write_text("not a photo")
    return root


def test_labels_come_from_folders_in_a_stable_order(synthetic_data: Path) -> None:
    root = data_root(synthetic_data)
    entries = kaggle_entries(root, "train")
    assert [e.label for e in entries] == [0] * 24 + [1] * 24
    assert entries[0].rel == "train/benign/0.jpg" and entries[2].rel == "train/benign/2.jpg"
    assert entries == kaggle_entries(root, "train")


def test_csv_sources_leave_out_the_excluded_diagnoses(synthetic_data: Path) -> None:
    entries = csv_entries(data_root(synthetic_data), HAM, exclude_dx=("akiec",))
    assert len(entries) == 23 and all(e.extra["dx"] != "akiec" for e in entries)


def test_data_root_accepts_the_kaggle_folder_or_its_parent(synthetic_data: Path) -> None:
    assert data_root(synthetic_data) == data_root(synthetic_data.parent) == synthetic_data.parent


def test_unreadable_photos_are_reported_and_left_out(data_with_a_broken_photo: Path) -> None:
    entries = kaggle_entries(data_with_a_broken_photo, "train")
    kept, (arrays,) = decode_entries(data_with_a_broken_photo, entries, (64,))
    assert len(entries) == 49 and len(kept) == len(arrays) == 48
    assert all("broken" not in e.rel for e in kept)
    # every kept array is the photo at that position: nothing was substituted for the broken one
    for entry, pixels in zip(kept, arrays, strict=True):
        expected = square_crop_resize(load_rgb(data_with_a_broken_photo / "skin-cancer-isic" / entry.rel).image, 64)
        np.testing.assert_array_equal(pixels, expected)


def test_missing_class_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "skin-cancer-isic" / "train" / "benign").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="malignant"):
        kaggle_entries(tmp_path, "train")


def test_manifest_round_trip(tmp_path: Path) -> None:
    pool = Pool(
        images=np.zeros((3, 1, 1, 3), np.uint8),
        label=np.array([0, 1, -1]),
        source=np.array([KAGGLE, HAM, "not-skin"]),
        rel=["kaggle/train/benign/1.jpg", "ham10000/images/a.jpg", "not-skin/images/b.jpg"],
    )
    pool.group = np.array([4, 4, 9])
    pool.split = np.array(["train", "val", "test"])
    digest = write_manifest(tmp_path / "split.csv", pool)
    assert len(digest) == 64
    assert read_manifest(tmp_path / "split.csv") == {
        "kaggle/train/benign/1.jpg": ("train", 4),
        "ham10000/images/a.jpg": ("val", 4),
        "not-skin/images/b.jpg": ("test", 9),
    }
