"""The held-out photo sets: read only by evaluation, never by training's selection or calibration.

- ``kaggle``: the Kaggle test split; ``derm7pt``: all of it (external, never trained on);
- ``pad-ufes-20`` and ``ham10000``: the test patients / lesions of the model's split manifest;
- ``not-skin``: the everyday photos held out from the gate's training (``not-skin-all``: all of them);
- ``ham10000-akiec``: the HAM10000 diagnosis left out of training, reported apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skinscan.datasets import (
    DERM7PT,
    HAM,
    KAGGLE,
    NOT_SKIN,
    PAD,
    Entry,
    csv_entries,
    kaggle_entries,
    load_pool,
    not_skin_entries,
)
from skinscan.evaluation.manifest import Manifest

LESION_SETS = (KAGGLE, DERM7PT, PAD, HAM)
"""The held-out sets with a benign/malignant label for every photo."""


@dataclass
class HeldOut:
    name: str
    images: np.ndarray
    labels: np.ndarray
    rel: list[str]
    extra: list[dict[str, str]] = field(default_factory=list)


def _load(name: str, root: Path, entries: list[Entry], size: int) -> HeldOut:
    pool, arrays = load_pool(entries, root, (size,))
    return HeldOut(name, arrays[0], pool.label, pool.rel, pool.extra)


def held_out_sets(root: Path, size: int, manifest: Manifest | None) -> dict[str, HeldOut]:
    """Every held-out set that the data root holds (Kaggle test is required; the others if present)."""
    sets = {KAGGLE: _load(KAGGLE, root, kaggle_entries(root, "test"), size)}
    if (root / "derm7pt" / "labels.csv").is_file():
        sets[DERM7PT] = _load(DERM7PT, root, csv_entries(root, DERM7PT), size)
    if manifest is None:
        return sets

    def test_of(entries: list[Entry]) -> list[Entry]:
        return [e for e in entries if manifest.get(f"{e.source}/{e.rel}", ("",))[0] == "test"]

    for source in (PAD, HAM, NOT_SKIN):
        try:
            chosen = test_of(not_skin_entries(root) if source == NOT_SKIN else csv_entries(root, source))
        except FileNotFoundError:
            continue
        if chosen:
            sets[source] = _load(source, root, chosen, size)
    if NOT_SKIN in sets:
        sets["not-skin-all"] = _load("not-skin-all", root, not_skin_entries(root), size)
    if (root / "ham10000" / "labels.csv").is_file():
        akiec = [e for e in csv_entries(root, HAM) if e.extra.get("dx") == "akiec"]
        sets["ham10000-akiec"] = _load("ham10000-akiec", root, akiec, size)
    return {name: held for name, held in sets.items() if len(held.labels)}
