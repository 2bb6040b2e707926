"""The data set on disk -> decoded arrays, same-lesion groups and a group-aware validation split.

Layout (Kaggle "Skin Cancer: Malignant vs. Benign"): ``DATA/{train,test}/{benign,malignant}/*.jpg``.
Every photo goes through the project's one decoder (``skinscan.images``). A photo that fails is
reported and counted, never replaced by another one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from skinscan.card import LABELS
from skinscan.images import ImageRejected, load_model_input

log = logging.getLogger(__name__)
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class Sample:
    path: Path
    rel: str
    """Path relative to the data folder, e.g. ``train/benign/12.jpg`` (the manifest key)."""
    label: int


@dataclass
class LoadedSplit:
    samples: list[Sample]
    images: np.ndarray
    """uint8 [N, 224, 224, 3]"""
    labels: np.ndarray
    """int64 [N]: 0 benign, 1 malignant"""
    failures: list[tuple[str, str]]
    """(relative path, reason) of photos that could not be decoded; they are left out and counted."""


def list_split(data: Path, split: str) -> list[Sample]:
    """All photos of ``split`` in a stable order, labelled from their folder name."""
    samples = []
    for label, name in enumerate(LABELS):
        folder = data / split / name
        if not folder.is_dir():
            raise FileNotFoundError(f"expected folder {folder} (layout: {split}/{{benign,malignant}}/)")
        for path in sorted(folder.iterdir(), key=lambda p: (len(p.name), p.name)):
            if path.suffix.lower() in SUFFIXES:
                samples.append(Sample(path, path.relative_to(data).as_posix(), label))
    if not samples:
        raise FileNotFoundError(f"no photos under {data / split}")
    return samples


def load_split(
    data: Path, split: str, limit: int | None = None, seed: int = 0, only: set[str] | None = None
) -> LoadedSplit:
    """Decode a split: all of it, a seeded random subset of ``limit`` photos, or the ``only`` paths."""
    samples = list_split(data, split)
    if only is not None:
        samples = [s for s in samples if s.rel in only]
    if limit is not None and limit < len(samples):
        rng = np.random.default_rng(seed)
        keep = sorted(rng.choice(len(samples), size=limit, replace=False).tolist())
        samples = [samples[i] for i in keep]
    kept: list[Sample] = []
    arrays: list[np.ndarray] = []
    failures: list[tuple[str, str]] = []
    for sample in tqdm(samples, desc=f"decode {split}", unit="img", leave=False):
        try:
            arrays.append(load_model_input(sample.path))
            kept.append(sample)
        except (ImageRejected, OSError) as exc:
            failures.append((sample.rel, str(exc)))
    if failures:
        log.warning("%d of %d %s photos could not be decoded and are left out:", len(failures), len(samples), split)
        for rel, reason in failures:
            log.warning("  %s: %s", rel, reason)
    images = np.stack(arrays) if arrays else np.zeros((0, 224, 224, 3), np.uint8)
    labels = np.array([s.label for s in kept], dtype=np.int64)
    return LoadedSplit(kept, images, labels, failures)


# ---------------------------------------------------------------- same-lesion grouping


def group_near_duplicates(embeddings: np.ndarray, threshold: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Union-find over pairs whose cosine similarity reaches ``threshold``.

    ``embeddings`` should already be L2-normalised and orientation-invariant (see
    ``backbone_embeddings``). Returns a group id per photo and the linked pairs.
    """
    n = len(embeddings)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs: list[tuple[int, int]] = []
    for start in range(0, n, 512):
        sims = embeddings[start : start + 512] @ embeddings.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if i < c:
                pairs.append((i, c))
                parent[find(i)] = find(c)
    roots = [find(i) for i in range(n)]
    _, group_ids = np.unique(roots, return_inverse=True)
    return group_ids.astype(np.int64), pairs


def known_pairs(data: Path) -> list[tuple[str, str]]:
    """Same-lesion pairs listed in ``NEAR_DUPLICATES.csv``, if the data set ships one."""
    path = data / "NEAR_DUPLICATES.csv"
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        return [(row["image_a"], row["image_b"]) for row in csv.DictReader(handle)]


def pair_recall(pairs: Sequence[tuple[str, str]], group_of: dict[str, int]) -> tuple[int, int]:
    """How many of ``pairs`` (both ends known) our grouping puts in one group: (found, total)."""
    found = total = 0
    for a, b in pairs:
        if a in group_of and b in group_of:
            total += 1
            found += int(group_of[a] == group_of[b])
    return found, total


# ---------------------------------------------------------------- validation split


def group_split(
    labels: np.ndarray, groups: np.ndarray, val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded split that keeps every group on one side. Returns (train_idx, val_idx)."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = max(2, round(1 / val_fraction))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    train_idx, val_idx = next(splitter.split(np.zeros(len(labels)), labels, groups))
    return np.sort(train_idx), np.sort(val_idx)


def write_manifest(path: Path, samples: Sequence[Sample], groups: np.ndarray, val_idx: np.ndarray) -> str:
    """Write the split manifest (CSV: path, label, group, split) and return its sha256."""
    val = set(val_idx.tolist())
    lines = ["path,label,group,split"]
    for i, sample in enumerate(samples):
        lines.append(f"{sample.rel},{LABELS[sample.label]},{int(groups[i])},{'val' if i in val else 'train'}")
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


def read_manifest(path: Path) -> dict[str, str]:
    """relative path -> 'train' | 'val'"""
    with path.open(newline="") as handle:
        return {row["path"]: row["split"] for row in csv.DictReader(handle)}


def write_json(path: Path, payload: object) -> None:
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
