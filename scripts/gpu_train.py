"""Train on a lent GPU machine from a bundle made by ``scripts/gpu_bundle.py``: the same code as ``skinscan train``.

The recipe is ``TrainConfig`` (the CPU recipe, unchanged) with ``device="cuda"``; the bundle replaces the data
folder (same split, photos already decoded, cropped and resized by skinscan.training). Writes the run folder
(config.json, history.json, best.pt, last.pt, summary.json), ready for ``skinscan export --run``.
Usage on the device: ``python3 scripts/gpu_train.py --bundle .gpu/bundle.npz --out $OUT/run [--seed N]``.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from skinscan.datasets import Pool
from skinscan.training.data import write_json
from skinscan.training.prepare import Prepared
from skinscan.training.splits import split_counts
from skinscan.training.train import TrainConfig, fit_epochs, seed_everything


def decode(blob: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    raw = blob.tobytes()
    return np.stack(
        [
            np.asarray(Image.open(io.BytesIO(raw[a:b])).convert("RGB"))
            for a, b in zip(offsets[:-1], offsets[1:], strict=False)
        ]
    )


def load(bundle: Path) -> tuple[Prepared, str]:
    z = np.load(bundle)
    train_rows = np.flatnonzero(z["split"] == "train")
    val_rows = np.flatnonzero(z["split"] == "val")
    train = decode(z["train_bytes"], z["train_offsets"])
    val = decode(z["val_bytes"], z["val_offsets"])
    n, size = len(z["label"]), int(z["size"])
    images = np.zeros((n, *train.shape[1:]), np.uint8)
    images[train_rows] = train
    eval_images = np.zeros((n, size, size, 3), np.uint8)
    eval_images[val_rows] = val
    pool = Pool(images=images, label=z["label"], source=z["source"], rel=z["rel"].tolist())
    pool.split, pool.group = z["split"], z["group"]
    record = {
        "counts": split_counts(pool),
        "manifest_sha256": str(z["manifest_sha256"]),
        "grouping": "from the manifest",
    }
    return Prepared(pool, eval_images, record), str(z["manifest_sha256"])


def device_name() -> str:
    return torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--smoke", action="store_true", help="1 epoch of 2 steps: checks the script, not a model")
    parser.add_argument(
        "--threads", type=int, default=max(1, (os.cpu_count() or 2) // 2), help="CPU threads (augmentation)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    started = time.time()
    config = replace(TrainConfig(), device="cuda" if torch.cuda.is_available() else "cpu")
    if args.seed is not None:
        config = replace(config, seed=args.seed)
    if args.smoke:
        config = replace(config, epochs=1, steps_per_epoch=2, full_size_epochs=1)
    prepared, _ = load(args.bundle)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "config.json", asdict(config))
    generator = seed_everything(config.seed)
    history = fit_epochs(config, prepared, args.out, generator)
    write_json(
        args.out / "summary.json",
        {
            "data": prepared.record,
            "train_seconds": round(time.time() - started, 1),
            "history": history,
            "device": device_name(),
            "torch": torch.__version__,
            "notes": f"trained with scripts/gpu_train.py on {device_name()} (torch {torch.__version__}): the "
            "TrainConfig recipe, the bundle's split manifest, the training photos as decoded by skinscan.training "
            "and re-encoded once (WebP) for the transfer",
        },
    )


if __name__ == "__main__":
    main()
