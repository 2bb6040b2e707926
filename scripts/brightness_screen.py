"""How brightness constancy would steady a model without it, on validation photos only (model 3.1's choice).

Feeds the model file the validation lesion photos of its split (Kaggle, HAM10000, PAD-UFES-20) as they are,
20% brighter and 20% darker, each scaled first so that a brightness statistic sits at the photos' median
(``none``: not scaled; ``p6``: the shades-of-grey illuminant, what 3.1 ships; ``median``: the median luma
of 4x4-pixel means). Scaling the uint8 photo before the graph is the same as scaling it inside, after the
colour constancy, up to the 0.5-2 gain limits. Prints each source's ROC AUC and the share of answers
that change at p = 0.16, and the mean |dp|; ``--jpeg`` re-encodes every copy as JPEG q92 first (as the
report's steadiness table does). Run it on a model without constancy (3.0 is in the git history)::

    mkdir -p /tmp/m3 && for f in onnx json split.csv; do git show bf26ef5:models/skinscan.$f > /tmp/m3/skinscan.$f; done
    .venv/bin/python scripts/brightness_screen.py --model /tmp/m3/skinscan.onnx --data $SKINSCAN_DATA [--jpeg]
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from skinscan.datasets import HAM, KAGGLE, PAD, csv_entries, data_root, kaggle_entries, load_pool
from skinscan.evaluation import degradations
from skinscan.evaluation.manifest import read_manifest
from skinscan.predictor import Predictor

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
SOURCES = (KAGGLE, HAM, PAD)


def level(photos: np.ndarray, kind: str) -> np.ndarray:
    x01 = np.clip(photos.astype(np.float32) / 255, 1e-3, 1)
    if kind == "p6":
        return ((x01**6).mean(axis=(1, 2)) ** (1 / 6)).mean(axis=1)
    luma = x01 @ LUMA
    n, side, _ = luma.shape
    cells = luma[:, : side - side % 4, : side - side % 4].reshape(n, side // 4, 4, side // 4, 4).mean(axis=(2, 4))
    return np.median(cells.reshape(n, -1), axis=1)


def scaled(photos: np.ndarray, gain: np.ndarray) -> np.ndarray:
    return np.clip(photos.astype(np.float32) * gain.reshape(-1, 1, 1, 1), 0, 255).round().astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--jpeg", action="store_true")
    parser.add_argument("--kinds", default="none,p6,median")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    predictor = Predictor(args.model)
    manifest = read_manifest(args.model.with_suffix(".split.csv"))
    root = data_root(args.data)
    entries = []
    for source in SOURCES:
        listed = kaggle_entries(root, "train") if source == KAGGLE else csv_entries(root, source)
        entries += [e for e in listed if manifest.get(f"{e.source}/{e.rel}", ("",))[0] == "val"]
    pool, arrays = load_pool(entries, root, (predictor.size,))
    photos, labels, sources = arrays[0], pool.label, pool.source
    copies = {f: scaled(photos, np.full(len(photos), f, np.float32)) for f in (1.0, 1.2, 0.8)}
    if args.jpeg:
        copies = {f: degradations.apply(x, degradations.jpeg(92)) for f, x in copies.items()}
    for kind in args.kinds.split(","):
        target = float(np.median(level(photos, kind))) if kind != "none" else 1.0
        p = {}
        for f, x in copies.items():
            gain = np.clip(target / level(x, kind), 0.5, 2.0) if kind != "none" else np.ones(len(x), np.float32)
            fed = scaled(x, gain)
            p[f] = np.concatenate([predictor.predict_arrays(fed[i : i + 16]) for i in range(0, len(fed), 16)])
        aucs = [f"{s} {roc_auc_score(labels[sources == s], p[1.0][sources == s]):.4f}" for s in SOURCES]
        line = [f"{kind}: ROC AUC " + ", ".join(aucs)]
        for f in (1.2, 0.8):
            flips = [np.mean((p[1.0][sources == s] >= 0.16) != (p[f][sources == s] >= 0.16)) for s in SOURCES]
            changed = " / ".join(f"{100 * v:.1f}%" for v in flips)
            line.append(f"x{f}: answers changed {changed}, mean |dp| {np.mean(np.abs(p[f] - p[1.0])):.4f}")
        logging.info("; ".join(line))


if __name__ == "__main__":
    main()
