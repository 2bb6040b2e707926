"""Same-lesion grouping and the group-aware validation split."""

from __future__ import annotations

import numpy as np
import pytest

from skinscan.training.data import group_near_duplicates, group_split, pair_recall


def test_grouping_links_near_duplicates_transitively_and_nothing_else() -> None:
    # photos 0, 6, 7 lie on an arc: 0~6 and 6~7 are similar (cos 0.955), 0 and 7 are not (cos 0.825),
    # so only the chain puts 7 with 0. Photos 1..5 point elsewhere.
    embeddings = np.zeros((8, 16))
    embeddings[0, 0] = 1.0
    for i in range(1, 6):
        embeddings[i, i + 2] = 1.0
    embeddings[6, :2] = [np.cos(0.3), np.sin(0.3)]
    embeddings[7, :2] = [np.cos(0.6), np.sin(0.6)]
    groups, pairs = group_near_duplicates(embeddings, threshold=0.95)
    assert groups[0] == groups[6] == groups[7]
    assert len(set(groups[[0, 1, 2, 3, 4, 5]].tolist())) == 6
    assert sorted(pairs) == [(0, 6), (6, 7)]


def test_pair_recall_counts_only_pairs_it_knows() -> None:
    group_of = {"a": 0, "b": 0, "c": 1, "d": 2}
    assert pair_recall([("a", "b"), ("c", "d"), ("a", "zzz")], group_of) == (1, 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_group_split_keeps_groups_together_and_stratifies(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_groups = 300
    sizes = rng.integers(1, 5, n_groups)
    groups = np.repeat(np.arange(n_groups), sizes)
    group_label = rng.integers(0, 2, n_groups)
    labels = group_label[groups]
    train_idx, val_idx = group_split(labels, groups, val_fraction=0.2, seed=seed)
    assert len(np.intersect1d(train_idx, val_idx)) == 0
    assert len(train_idx) + len(val_idx) == len(labels)
    assert not set(groups[train_idx]) & set(groups[val_idx])
    assert 0.15 < len(val_idx) / len(labels) < 0.25
    # stratified: the malignant share of validation is close to the whole set's
    assert abs(labels[val_idx].mean() - labels.mean()) < 0.05


def test_group_split_is_reproducible() -> None:
    labels = np.array([0, 1] * 50)
    groups = np.arange(100) // 2
    first = group_split(labels, groups, 0.2, seed=7)
    second = group_split(labels, groups, 0.2, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
