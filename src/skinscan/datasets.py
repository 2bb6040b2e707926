"""The photo data sets on disk -> one decoded pool with labels (and, once split, groups and a split per photo).

Read by training (its sources) and by evaluation (the held-out sets); decoded through ``images.load_rgb``.

Sources (each folder has a README with origin, licence and caveats):

- ``skin-cancer-isic`` (the Kaggle set): ``train/`` for training + validation, ``test/`` only to report.
- ``ham10000``: one dermoscopic photo per lesion; ``akiec`` is left out (see ``HAM_EXCLUDED``); every
  photo that matches a Kaggle *test* photo is dropped before anything else happens.
- ``pad-ufes-20``: smartphone photos; whole patients go to train, validation or test.
- ``not-skin``: everyday photos, the negatives of the gate (never a malignancy label).
- ``derm7pt``: external validation only; loaded by evaluation, never by training.

The data root is the folder that holds these folders. ``SKINSCAN_DATA`` may also point at the
Kaggle folder itself (as CI does); its sibling folders are then used.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from skinscan.card import LABELS
from skinscan.images import ImageRejected, load_rgb, square_crop_resize

log = logging.getLogger(__name__)

KAGGLE, HAM, PAD, NOT_SKIN, DERM7PT = "kaggle", "ham10000", "pad-ufes-20", "not-skin", "derm7pt"
FOLDERS = {
    KAGGLE: "skin-cancer-isic",
    HAM: "ham10000",
    PAD: "pad-ufes-20",
    NOT_SKIN: "not-skin",
    DERM7PT: "derm7pt",
}
LESION_SOURCES = (KAGGLE, HAM, PAD)
"""The sources that train the malignancy head (and their validation shares select and calibrate it)."""
DERMOSCOPIC = (KAGGLE, HAM, DERM7PT)
"""Sources of dermoscopic close-ups; PAD-UFES-20 holds clinical smartphone photos."""
LICENCES = {
    KAGGLE: "ISIC Archive images, per-image CC-0 / CC-BY-NC(-SA): treated as non-commercial",
    HAM: "CC BY-NC-SA 4.0 (non-commercial, share-alike)",
    PAD: "CC BY 4.0",
    NOT_SKIN: "ImageNet sample photos: non-commercial research and education; never shipped",
    DERM7PT: "CC BY-NC-ND 4.0 (evaluation only, never trained on)",
}
HAM_EXCLUDED = ("akiec",)
"""HAM10000 ``akiec`` mixes actinic keratosis (a pre-cancer that PAD-UFES-20 labels *benign*, ACK)
with Bowen's disease (carcinoma in situ, which ISIC groups as malignant). Either label would teach
the network the opposite of another source, so those 183 photos are kept out of training and
validation; evaluation reports the model's answers on them separately."""
NOT_A_LESION = -1
"""Label of a gate negative (an everyday photo): it has no benign/malignant label."""


@dataclass
class Pool:
    """Decoded photos of all sources with one row of metadata each."""

    images: np.ndarray
    """uint8 [N, store, store, 3], for augmentation."""
    label: np.ndarray
    """int64 [N]: 0 benign, 1 malignant, -1 not a lesion."""
    source: np.ndarray
    """str [N]: one of the source keys."""
    rel: list[str]
    """Path relative to the source folder (the manifest key, with the source)."""
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """Same-lesion/patient group; a group never crosses train/val/test."""
    split: np.ndarray = field(default_factory=lambda: np.zeros(0, "<U5"))
    """str [N]: train | val | test | drop."""
    extra: list[dict[str, str]] = field(default_factory=list)

    def where(self, split: str, source: str | None = None) -> np.ndarray:
        mask = self.split == split
        if source is not None:
            mask &= self.source == source
        return np.flatnonzero(mask)

    def source_masks(self, split: str, sources: Iterable[str]) -> Iterator[tuple[str, np.ndarray]]:
        """(source, boolean mask over the rows of ``split``, in ``where(split)`` order) per source."""
        within = self.source[self.where(split)]
        for source in sources:
            yield source, within == source


def data_root(data: Path) -> Path:
    """Accept either the root that holds the source folders or the Kaggle folder inside it."""
    data = Path(data)
    if (data / "train").is_dir() and (data / "test").is_dir():
        return data.parent
    return data


def source_dir(root: Path, source: str) -> Path:
    return root / FOLDERS[source]


@dataclass(frozen=True)
class Entry:
    source: str
    rel: str
    label: int
    extra: dict[str, str]


def kaggle_entries(root: Path, split: str) -> list[Entry]:
    entries = []
    for label, name in enumerate(LABELS):
        folder = source_dir(root, KAGGLE) / split / name
        if not folder.is_dir():
            raise FileNotFoundError(f"expected folder {folder} (layout: {split}/{{benign,malignant}}/)")
        for path in sorted(folder.iterdir(), key=lambda p: (len(p.name), p.name)):
            if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
                entries.append(Entry(KAGGLE, path.relative_to(folder.parent.parent).as_posix(), label, {}))
    return entries


def csv_entries(root: Path, source: str, exclude_dx: Iterable[str] = ()) -> list[Entry]:
    """Photos listed in a source's labels.csv (``file``, ``binary_label`` and its own columns)."""
    path = source_dir(root, source) / "labels.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: is --data the folder that holds {FOLDERS[source]}/?")
    excluded = set(exclude_dx)
    entries = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("dx") in excluded:
                continue
            entries.append(Entry(source, row["file"], LABELS.index(row["binary_label"]), dict(row)))
    return entries


def not_skin_entries(root: Path) -> list[Entry]:
    folder = source_dir(root, NOT_SKIN) / "images"
    if not folder.is_dir():
        raise FileNotFoundError(f"expected folder {folder}")
    return [Entry(NOT_SKIN, f"images/{p.name}", NOT_A_LESION, {}) for p in sorted(folder.glob("*.jpg"))]


def decode_entries(root: Path, entries: list[Entry], sizes: tuple[int, ...]) -> tuple[list[Entry], list[np.ndarray]]:
    """Decode through the one decoder; returns the kept entries and one stacked array per size.

    A photo that fails is logged and counted, never replaced.
    """
    kept: list[Entry] = []
    arrays: list[list[np.ndarray]] = [[] for _ in sizes]
    failures = 0
    for entry in tqdm(entries, desc="decode", unit="img", leave=False):
        try:
            # reduced early against the largest size, as images.prepare does for serving
            image = load_rgb(source_dir(root, entry.source) / entry.rel, target_side=max(sizes)).image
        except (ImageRejected, OSError) as exc:
            failures += 1
            log.warning("left out %s/%s: %s", entry.source, entry.rel, exc)
            continue
        kept.append(entry)
        for i, size in enumerate(sizes):
            arrays[i].append(square_crop_resize(image, size))
    if failures:
        log.warning("%d of %d photos could not be decoded and are left out", failures, len(entries))
    stacked = [np.stack(a) if a else np.zeros((0, s, s, 3), np.uint8) for a, s in zip(arrays, sizes, strict=True)]
    return kept, stacked


def load_pool(entries: list[Entry], root: Path, sizes: tuple[int, ...]) -> tuple[Pool, list[np.ndarray]]:
    kept, arrays = decode_entries(root, entries, sizes)
    pool = Pool(
        images=arrays[0],
        label=np.array([e.label for e in kept], np.int64),
        source=np.array([e.source for e in kept]),
        rel=[f"{e.source}/{e.rel}" for e in kept],
        extra=[e.extra for e in kept],
    )
    return pool, arrays
