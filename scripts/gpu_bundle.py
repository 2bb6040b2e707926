"""Pack a run's training and validation photos for training on a lent GPU machine (``scripts/gpu_train.py``).

The device machine cannot read the data folder, and what travels there is capped (64 MiB with the code), so
the photos go as they reach the network: the training photos at the store size (224 px) and the validation
photos at the model's input size, decoded, cropped and resized by ``skinscan.training`` exactly as on a CPU
run, then encoded once (WebP, ``--quality``). The split is read from a manifest (model 2.0's by default), so
no grouping is recomputed. Usage: ``python scripts/gpu_bundle.py --data DATA --out .gpu/bundle.npz``.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
from PIL import Image

from skinscan.evaluation.manifest import read_manifest
from skinscan.training.prepare import rebuild


def encode(images: np.ndarray, quality: int) -> tuple[np.ndarray, np.ndarray]:
    blobs = []
    for a in images:
        buffer = io.BytesIO()
        Image.fromarray(a).save(buffer, "WEBP", quality=quality, method=4)
        blobs.append(buffer.getvalue())
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    return np.frombuffer(b"".join(blobs), np.uint8), offsets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, default=Path("models/skinscan.split.csv"))
    parser.add_argument("--size", type=int, default=192)
    parser.add_argument("--quality", type=int, default=90)
    parser.add_argument("--out", type=Path, default=Path(".gpu/bundle.npz"))
    args = parser.parse_args()
    prepared = rebuild(args.data, args.size, read_manifest(args.manifest))
    pool = prepared.pool
    train, val = pool.where("train"), pool.where("val")
    train_bytes, train_offsets = encode(pool.images[train], args.quality)
    val_bytes, val_offsets = encode(prepared.eval_images[val], args.quality)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        args.out,
        train_bytes=train_bytes,
        train_offsets=train_offsets,
        val_bytes=val_bytes,
        val_offsets=val_offsets,
        rows=np.concatenate([train, val]),
        label=pool.label,
        source=pool.source,
        split=pool.split,
        group=pool.group,
        rel=np.array(pool.rel),
        size=np.array(args.size),
        manifest_sha256=np.array(__import__("hashlib").sha256(args.manifest.read_bytes()).hexdigest()),
    )


if __name__ == "__main__":
    main()
