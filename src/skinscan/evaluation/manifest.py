"""The split manifest: which photo was train, validation, test or dropped, and its same-lesion group.

Training writes it into the run folder, export copies it beside the model file, and evaluation reads
the model's copy to find the held-out shares. One writer, one reader, one place for both paths.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from skinscan.datasets import Pool

RUN_MANIFEST = "split.csv"
"""The manifest's name inside a run folder."""

Manifest = dict[str, tuple[str, int]]
"""``source/rel`` path -> (split, group)."""


def manifest_for_model(model: Path) -> Path:
    """``models/skinscan.onnx`` -> ``models/skinscan.split.csv``."""
    return model.with_suffix(".split.csv")


def manifest_in_run(run: Path) -> Path:
    return run / RUN_MANIFEST


def write_manifest(path: Path, pool: Pool) -> str:
    """CSV manifest (path, source, label, group, split); returns its sha256."""
    lines = ["path,source,label,group,split"]
    for i, rel in enumerate(pool.rel):
        lines.append(f"{rel},{pool.source[i]},{int(pool.label[i])},{int(pool.group[i])},{pool.split[i]}")
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


def read_manifest(path: Path) -> Manifest:
    with path.open(newline="") as handle:
        return {row["path"]: (row["split"], int(row["group"])) for row in csv.DictReader(handle)}
