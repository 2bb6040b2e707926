"""Recall of the same-lesion detector on all 198 pairs of NEAR_DUPLICATES.csv (train and test).

`skinscan train` only sees train/, so the card records recall on the train-only pairs; this script
runs the same detector (skinscan.training.model.embed + group_near_duplicates, same threshold) over
train/ and test/ together. About 5 minutes on 2 CPU cores.

    python scripts/duplicate_recall.py --data "$SKINSCAN_DATA"
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from skinscan.training.data import group_near_duplicates, known_pairs, load_split, pair_recall
from skinscan.training.model import LesionNet, embed
from skinscan.training.train import TrainConfig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--thresholds", default=None, help="comma-separated; default: the training threshold")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = Path(args.data)
    splits = [load_split(data, name) for name in ("train", "test")]
    images = np.concatenate([s.images for s in splits])
    rels = [sample.rel for s in splits for sample in s.samples]
    embeddings = embed(LesionNet(frozen_blocks=16), images)
    pairs = known_pairs(data)
    default = TrainConfig().duplicate_threshold
    thresholds = [float(t) for t in args.thresholds.split(",")] if args.thresholds else [default]
    results = {}
    for threshold in thresholds:
        groups, linked = group_near_duplicates(embeddings, threshold)
        found, total = pair_recall(pairs, dict(zip(rels, groups.tolist(), strict=True)))
        results[threshold] = {
            "found": found,
            "total": total,
            "recall": round(found / total, 4),
            "linked_pairs": len(linked),
            "largest_group": int(np.bincount(groups).max()),
        }
    sys.stdout.write(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
