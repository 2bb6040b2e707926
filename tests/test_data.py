"""Reading the data set: labels from folders, unreadable photos reported and counted, never swapped."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from skinscan.images import load_model_input
from skinscan.training.data import list_split, load_split, read_manifest, write_manifest


@pytest.fixture()
def data_with_a_broken_photo(synthetic_data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(synthetic_data, root)
    (root / "train" / "benign" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    (root / "train" / "malignant" / "notes.txt").write_text("not a photo")
    return root


def test_labels_come_from_folders_in_a_stable_order(synthetic_data: Path) -> None:
    samples = list_split(synthetic_data, "train")
    assert [s.label for s in samples] == [0] * 24 + [1] * 24
    assert samples[0].rel == "train/benign/0.jpg" and samples[2].rel == "train/benign/2.jpg"
    assert samples == list_split(synthetic_data, "train")


def test_unreadable_photos_are_reported_and_left_out(data_with_a_broken_photo: Path) -> None:
    loaded = load_split(data_with_a_broken_photo, "train")
    assert [rel for rel, _ in loaded.failures] == ["train/benign/broken.jpg"]
    assert len(loaded.samples) == len(loaded.images) == len(loaded.labels) == 48
    # every kept array is the photo at that position: nothing was substituted for the broken one
    for sample, pixels in zip(loaded.samples, loaded.images, strict=True):
        np.testing.assert_array_equal(pixels, load_model_input(sample.path))


def test_missing_class_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "train" / "benign").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="malignant"):
        list_split(tmp_path, "train")


def test_manifest_round_trip(synthetic_data: Path, tmp_path: Path) -> None:
    samples = list_split(synthetic_data, "train")
    groups = np.arange(len(samples)) // 2
    digest = write_manifest(tmp_path / "split.csv", samples, groups, np.array([0, 1, 30]))
    sides = read_manifest(tmp_path / "split.csv")
    assert len(digest) == 64
    assert [p for p, side in sides.items() if side == "val"] == [samples[i].rel for i in (0, 1, 30)]
