"""Validation-only check: how much does the trained network lose if fed smaller images?

A lead for making the model cheaper (issues 3 and 4): the best checkpoint of a run is evaluated on
that run's validation photos after an antialiased resize from 224 px to each size. The test split
is not read.

    python scripts/resolution_check.py --run runs/latest --data "$SKINSCAN_DATA"
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch.nn import functional as F

from skinscan.training.data import load_split, read_manifest
from skinscan.training.model import to_network_input
from skinscan.training.train import load_checkpoint


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="runs/latest")
    parser.add_argument("--data", required=True)
    parser.add_argument("--sizes", default="224,192,160")
    args = parser.parse_args()
    run = Path(args.run)
    val = {path for path, side in read_manifest(run / "split.csv").items() if side == "val"}
    photos = load_split(Path(args.data), "train", only=val)
    net = load_checkpoint(run / "best.pt")
    temperature = json.loads((run / "calibration.json").read_text())["calibration"]["temperature"]
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        logits = []
        with torch.no_grad():
            for start in range(0, len(photos.labels), 64):
                x = to_network_input(torch.from_numpy(photos.images[start : start + 64]))
                if size != x.shape[-1]:
                    x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
                logits.append(net(x).numpy())
        p = 1 / (1 + np.exp(-np.concatenate(logits) / temperature))
        results[size] = {
            "val_roc_auc": round(float(roc_auc_score(photos.labels, p)), 4),
            "val_accuracy_at_0.5": round(float(((p >= 0.5) == (photos.labels == 1)).mean()), 4),
            "relative_compute": round((size / 224) ** 2, 2),
        }
    sys.stdout.write(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
