"""Decode every source, find same-lesion groups, drop Kaggle-test twins, split: one ``Prepared``.

Used by ``train`` (which writes the split manifest) and by ``export`` (``rebuild`` from the manifest).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skinscan.datasets import (
    HAM,
    HAM_EXCLUDED,
    KAGGLE,
    PAD,
    Entry,
    Pool,
    csv_entries,
    data_root,
    kaggle_entries,
    load_pool,
    not_skin_entries,
    source_dir,
)
from skinscan.evaluation.manifest import Manifest
from skinscan.training.data import group_near_duplicates, known_pairs, pair_recall
from skinscan.training.model import LesionNet, embed
from skinscan.training.splits import SplitConfig, assign_groups, assign_splits, drop_test_twins, split_counts

log = logging.getLogger(__name__)
STORE_SIZE = 224
"""Photos are kept at this size for augmentation (crops and zooms then resample to the input size)."""
EMBED_SIZE = 112


@dataclass
class Prepared:
    pool: Pool
    eval_images: np.ndarray
    """uint8 [N, S, S, 3]: exactly what serving feeds the model (decode, crop, Pillow resize to S)."""
    record: dict[str, Any]


def training_entries(root: Path, limit: int | None = None, seed: int = 0) -> list[Entry]:
    entries = kaggle_entries(root, "train") + csv_entries(root, HAM, HAM_EXCLUDED) + csv_entries(root, PAD)
    entries += not_skin_entries(root)
    if limit is not None and limit < len(entries):
        rng = np.random.default_rng(seed)
        by_source: dict[str, list[Entry]] = {}
        for e in entries:
            by_source.setdefault(e.source, []).append(e)
        share = max(4, limit // len(by_source))
        entries = []
        for group in by_source.values():
            keep = sorted(rng.choice(len(group), size=min(share, len(group)), replace=False).tolist())
            entries += [group[i] for i in keep]
    return entries


def _embeddings(
    net: LesionNet, pool: Pool, test_images: np.ndarray, test_rel: list[str], cache: Path | None
) -> tuple[np.ndarray, np.ndarray]:
    """Grouping embeddings of the Kaggle + HAM10000 photos and of the Kaggle test photos.

    They depend only on the photos and the pretrained weights, so a run folder keeps them
    (``embeddings.npz``, keyed by the photo list) and a re-run in the same folder reuses them.
    """
    import hashlib

    key = hashlib.sha256("\n".join([*pool.rel, *test_rel, str(EMBED_SIZE)]).encode()).hexdigest()
    if cache is not None and cache.is_file():
        stored = np.load(cache)
        if str(stored["key"]) == key:
            log.info("grouping embeddings reused from %s", cache)
            return stored["pool"], stored["test"]
    derm = np.flatnonzero(np.isin(pool.source, [KAGGLE, HAM]))
    pool_emb = np.zeros((len(pool.label), net.features_dim), np.float32)
    pool_emb[derm] = embed(net, pool.images[derm], size=EMBED_SIZE)
    test_emb = embed(net, test_images, size=EMBED_SIZE)
    if cache is not None:
        np.savez(cache, key=np.array(key), pool=pool_emb, test=test_emb)
    return pool_emb, test_emb


def prepare(
    data: Path, input_size: int, split: SplitConfig, limit: int | None = None, cache: Path | None = None
) -> Prepared:
    """Everything up to the split; the Kaggle test split is read only to drop its HAM10000 twins."""
    root = data_root(data)
    entries = training_entries(root, limit, split.seed)
    sizes = (STORE_SIZE, input_size) if input_size != STORE_SIZE else (STORE_SIZE,)
    pool, arrays = load_pool(entries, root, sizes)
    eval_images = arrays[-1]
    pool.split = np.full(len(pool.label), "train", dtype="<U5")
    test_pool, test_arrays = load_pool(kaggle_entries(root, "test"), root, (STORE_SIZE,))
    if limit is not None:
        keep = np.arange(min(len(test_pool.label), limit))
        test_arrays = [test_arrays[0][keep]]
        test_pool.rel = [test_pool.rel[i] for i in keep]

    net = LesionNet(frozen_blocks=0).eval()
    pool_emb, test_emb = _embeddings(net, pool, test_arrays[0], test_pool.rel, cache)
    dropped = drop_test_twins(pool, pool_emb, test_emb, split.duplicate_threshold)
    log.info("dropped %d HAM10000 photos that match a Kaggle test photo", dropped)
    grouping: dict[str, Any] = dict(assign_groups(pool, pool_emb, split.duplicate_threshold))
    grouping["known_pairs_recall"] = _known_pair_recall(root, pool, pool_emb, test_pool.rel, test_emb, split)
    grouping["ham_dropped_as_kaggle_test_twins"] = dropped
    assign_splits(pool, split)
    record = {"grouping": grouping, "counts": split_counts(pool), "embed_size": EMBED_SIZE}
    log.info("split: %s", record["counts"])
    return Prepared(pool, eval_images, record)


def _known_pair_recall(
    root: Path, pool: Pool, pool_emb: np.ndarray, test_rel: list[str], test_emb: np.ndarray, split: SplitConfig
) -> dict[str, Any]:
    """Recall of NEAR_DUPLICATES.csv pairs (Kaggle train and test together) with the same detector."""
    kaggle = np.flatnonzero(pool.source == KAGGLE)
    rels = [pool.rel[i].removeprefix(f"{KAGGLE}/") for i in kaggle] + [r.removeprefix(f"{KAGGLE}/") for r in test_rel]
    emb = np.concatenate([pool_emb[kaggle], test_emb])
    groups, _ = group_near_duplicates(emb, split.duplicate_threshold)
    found, total = pair_recall(known_pairs(source_dir(root, KAGGLE)), dict(zip(rels, groups.tolist(), strict=True)))
    return {"found": found, "total": total, "recall": found / total if total else None}


def rebuild(data: Path, input_size: int, manifest: Manifest) -> Prepared:
    """Decode the photos of a run's manifest again, with their recorded split and group."""
    root = data_root(data)
    entries = [
        e
        for e in training_entries(root)
        if f"{e.source}/{e.rel}" in manifest and manifest[f"{e.source}/{e.rel}"][0] != "drop"
    ]
    sizes = (STORE_SIZE, input_size) if input_size != STORE_SIZE else (STORE_SIZE,)
    pool, arrays = load_pool(entries, root, sizes)
    pool.split = np.array([manifest[r][0] for r in pool.rel], dtype="<U5")
    pool.group = np.array([manifest[r][1] for r in pool.rel], np.int64)
    return Prepared(pool, arrays[-1], {})
