"""Same-lesion grouping and the per-source, group-aware splits."""

from __future__ import annotations

import numpy as np
import pytest

from skinscan.datasets import HAM, KAGGLE, NOT_SKIN, PAD, Pool
from skinscan.training.data import group_near_duplicates, pair_recall
from skinscan.training.splits import SplitConfig, assign_groups, assign_splits, drop_test_twins, union_groups


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


def test_union_groups_are_connected_components() -> None:
    ids = union_groups(6, [(0, 1), (1, 2), (4, 5)])
    assert ids[0] == ids[1] == ids[2] and ids[4] == ids[5]
    assert len({int(ids[0]), int(ids[3]), int(ids[4])}) == 3


def _pool(seed: int) -> tuple[Pool, np.ndarray]:
    """A pool of every source; Kaggle photo 2k and 2k+1 are one lesion (same embedding)."""
    rng = np.random.default_rng(seed)
    sources = [KAGGLE] * 200 + [HAM] * 300 + [PAD] * 120 + [NOT_SKIN] * 50
    n = len(sources)
    labels = rng.integers(0, 2, n)
    labels[-50:] = -1
    emb = rng.normal(size=(n, 64)).astype(np.float32)
    emb[1:200:2] = emb[0:200:2]  # Kaggle twins
    emb[200] = emb[0]  # a HAM photo of Kaggle lesion 0
    emb[201] = emb[202]  # two HAM photos that look alike: one photo per lesion, so not linked
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    extra = [{"patient_id": f"P{(i - 500) // 3}"} if s == PAD else {} for i, s in enumerate(sources)]
    pool = Pool(
        images=np.zeros((n, 1, 1, 3), np.uint8),
        label=labels,
        source=np.array(sources),
        rel=[f"{s}/{i}" for i, s in enumerate(sources)],
        extra=extra,
    )
    pool.split = np.full(n, "train", dtype="<U5")
    return pool, emb


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_splits_keep_lesions_and_patients_whole(seed: int) -> None:
    pool, emb = _pool(seed)
    assign_groups(pool, emb, threshold=0.99)
    assert pool.group[0] == pool.group[1] == pool.group[200]
    assert pool.group[201] != pool.group[202]
    assert pool.group[500] == pool.group[501] == pool.group[502] != pool.group[503]
    assign_splits(pool, SplitConfig(seed=seed))
    for side in ("val", "test"):
        assert not set(pool.group[pool.split == "train"].tolist()) & set(pool.group[pool.split == side].tolist())
    assert not len(pool.where("test", KAGGLE)), "Kaggle's test split is its own folder"
    assert pool.split[200] != "test", "a HAM10000 photo with a Kaggle twin cannot be a HAM test photo"
    for source in (KAGGLE, HAM, PAD, NOT_SKIN):
        assert len(pool.where("val", source)), source
    pad = pool.source == PAD
    assert 0.2 < (pool.split[pad] == "test").mean() < 0.4


def test_ham_twins_of_test_photos_are_dropped() -> None:
    pool, emb = _pool(0)
    test_emb = emb[[200, 300]]  # Kaggle test photos identical to HAM photos 200 and 300
    assert drop_test_twins(pool, emb, test_emb, threshold=0.99) == 2
    assert set(np.flatnonzero(pool.split == "drop").tolist()) == {200, 300}
