"""Train / validation / test for every source, keeping each lesion and patient on one side.

- Kaggle ``test/`` is fixed by the data set and only reported. HAM10000 photos that match a Kaggle
  test photo (our same-lesion detector) are dropped before anything else.
- Same-lesion groups join Kaggle train photos with each other and with HAM10000 photos, so a lesion
  photographed twice never sits on both sides of validation.
- PAD-UFES-20 splits by patient; HAM10000 holds out a test share of lesions that have no Kaggle twin.
- Everyday photos (the gate's negatives) split at random: each is a different ImageNet class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skinscan.datasets import HAM, KAGGLE, NOT_SKIN, PAD, Pool
from skinscan.training.data import group_near_duplicates, union_groups


@dataclass(frozen=True)
class SplitConfig:
    val_fraction: float = 0.2
    ham_test_fraction: float = 0.15
    pad_test_fraction: float = 0.3
    not_skin_test_fraction: float = 0.2
    duplicate_threshold: float = 0.92
    seed: int = 20261127


def drop_test_twins(pool: Pool, pool_emb: np.ndarray, test_emb: np.ndarray, threshold: float) -> int:
    """Mark every HAM10000 photo whose embedding matches a Kaggle test photo as ``drop``; returns the count."""
    ham = np.flatnonzero(pool.source == HAM)
    if len(ham) == 0 or len(test_emb) == 0:
        return 0
    best = np.concatenate([(pool_emb[ham[i : i + 1024]] @ test_emb.T).max(1) for i in range(0, len(ham), 1024)])
    dropped = ham[best >= threshold]
    pool.split[dropped] = "drop"
    return len(dropped)


def _group_split(keys: np.ndarray, groups: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of the rows whose groups form a stratified ``fraction`` (by ``keys``)."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = max(2, round(1 / fraction))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    _, held = next(splitter.split(np.zeros(len(keys)), keys, groups))
    mask = np.zeros(len(keys), bool)
    mask[held] = True
    return mask


def assign_groups(pool: Pool, pool_emb: np.ndarray, threshold: float) -> dict[str, int]:
    """Group ids: embedding links over Kaggle + HAM, patient for PAD, one per everyday photo.

    HAM10000 holds one photo per lesion, so a link between two HAM10000 photos is a false match by
    construction and is not followed (following them chains look-alike naevi into huge groups).
    """
    n = len(pool.label)
    group = np.full(n, -1, np.int64)
    derm = np.flatnonzero(np.isin(pool.source, [KAGGLE, HAM]) & (pool.split != "drop"))
    _, pairs = group_near_duplicates(pool_emb[derm], threshold)
    is_ham = pool.source[derm] == HAM
    linked = [(a, b) for a, b in pairs if not (is_ham[a] and is_ham[b])]
    ids = union_groups(len(derm), linked)
    group[derm] = ids
    next_id = int(ids.max()) + 1 if len(ids) else 0
    pad = np.flatnonzero(pool.source == PAD)
    patients = {pid: i for i, pid in enumerate(sorted({pool.extra[j]["patient_id"] for j in pad}))}
    group[pad] = [next_id + patients[pool.extra[j]["patient_id"]] for j in pad]
    next_id += len(patients)
    rest = np.flatnonzero(group < 0)
    group[rest] = next_id + np.arange(len(rest))
    pool.group = group
    sizes = np.bincount(ids) if len(ids) else np.zeros(1, np.int64)
    return {
        "linked_pairs": len(linked),
        "groups_with_repeats": int((sizes > 1).sum()),
        "largest_group": int(sizes.max()),
    }


def assign_splits(pool: Pool, config: SplitConfig) -> None:
    """Fill ``pool.split`` (rows already marked ``drop`` stay dropped)."""
    keys = np.array([f"{s}:{y}" for s, y in zip(pool.source, pool.label, strict=True)])
    live = pool.split != "drop"
    pool.split[live] = "train"

    # PAD-UFES-20: whole patients to test, then to validation.
    pad = np.flatnonzero((pool.source == PAD) & live)
    test = _group_split(keys[pad], pool.group[pad], config.pad_test_fraction, config.seed)
    pool.split[pad[test]] = "test"

    # HAM10000: a test share of lesions, only from groups with no Kaggle photo in them.
    kaggle_groups = set(pool.group[pool.source == KAGGLE].tolist())
    ham = np.flatnonzero((pool.source == HAM) & live)
    ham = ham[~np.isin(pool.group[ham], list(kaggle_groups))]
    test = _group_split(keys[ham], pool.group[ham], config.ham_test_fraction, config.seed + 1)
    pool.split[ham[test]] = "test"

    # Everyday photos: test and validation shares at random.
    rng = np.random.default_rng(config.seed)
    negatives = rng.permutation(np.flatnonzero((pool.source == NOT_SKIN) & live))
    n_test = round(config.not_skin_test_fraction * len(negatives))
    n_val = round(config.val_fraction * len(negatives))
    pool.split[negatives[:n_test]] = "test"
    pool.split[negatives[n_test : n_test + n_val]] = "val"

    # Validation from every lesion source, stratified by source and label, groups kept whole.
    rest = np.flatnonzero((pool.split == "train") & (pool.source != NOT_SKIN))
    val = _group_split(keys[rest], pool.group[rest], config.val_fraction, config.seed + 2)
    pool.split[rest[val]] = "val"
    for side in ("val", "test"):
        assert not set(pool.group[pool.split == "train"]) & set(pool.group[pool.split == side]), side


def split_counts(pool: Pool) -> dict[str, dict[str, dict[str, int]]]:
    """source -> split -> {photos, malignant}"""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for source in sorted(set(pool.source.tolist())):
        out[source] = {}
        for side in ("train", "val", "test", "drop"):
            idx = pool.where(side, source)
            if len(idx):
                out[source][side] = {"photos": len(idx), "malignant": int((pool.label[idx] == 1).sum())}
    return out
