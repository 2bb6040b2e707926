"""Same-lesion grouping helpers: near-duplicate links from embeddings, known pairs, pair recall.

Decoding the sources lives in ``sources.py``; the splits in ``splits.py``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def group_near_duplicates(embeddings: np.ndarray, threshold: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Union-find over pairs whose cosine similarity reaches ``threshold``.

    ``embeddings`` should already be L2-normalised and orientation-invariant (see ``model.embed``).
    Returns a group id per photo and the linked pairs.
    """
    n = len(embeddings)
    pairs: list[tuple[int, int]] = []
    for start in range(0, n, 512):
        sims = embeddings[start : start + 512] @ embeddings.T
        rows, cols = np.nonzero(sims >= threshold)
        pairs += [(start + r, c) for r, c in zip(rows.tolist(), cols.tolist(), strict=True) if start + r < c]
    return union_groups(n, pairs), pairs


def union_groups(n: int, pairs: list[tuple[int, int]]) -> np.ndarray:
    """Connected components of ``pairs`` over ``n`` items (union-find), as 0-based group ids."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[find(a)] = find(b)
    _, ids = np.unique([find(i) for i in range(n)], return_inverse=True)
    return ids.astype(np.int64)


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


def write_json(path: Path, payload: object) -> None:
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))
