"""``train(config, data, out)``: the readable training loop, top to bottom.

1. decode train/ through the one decoder; 2. find same-lesion groups (backbone embeddings);
3. carve a stratified, group-aware validation split from train (test/ is never read here);
4. fine-tune EfficientNet-Lite (frozen stem + first blocks, low resolution first, then 224 px);
5. keep the checkpoint with the best validation ROC AUC (EMA weights);
6. fit a temperature, the decision threshold and the risk bands on validation.
Everything lands in the run folder: config, split manifest, TensorBoard logs, history, best.pt,
calibration.json.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch.nn import functional as F
from tqdm import tqdm

from skinscan.training import calibration
from skinscan.training.augment import AugmentConfig, augment_batch, normalise
from skinscan.training.data import (
    group_near_duplicates,
    group_split,
    known_pairs,
    load_split,
    pair_recall,
    write_json,
    write_manifest,
)
from skinscan.training.model import LesionNet, embed, to_network_input

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    arch: str = "efficientnet-lite0"
    frozen_blocks: int = 6
    epochs: int = 11
    full_size_epochs: int = 2
    """The last epochs run at the model's 224 px; the ones before at ``low_size`` (cheaper)."""
    low_size: int = 160
    batch_size: int = 32
    lr: float = 4e-4
    head_lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup_epochs: float = 0.5
    dropout: float = 0.3
    ema_decay: float = 0.99
    val_fraction: float = 0.2
    duplicate_threshold: float = 0.92
    """Cosine similarity of orientation-invariant embeddings above which two photos count as one lesion."""
    seed: int = 20261125
    limit: int | None = None
    """Use only this many training photos (smoke tests)."""
    device: str = "cpu"
    augment: AugmentConfig = field(default_factory=AugmentConfig)


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up, then cosine decay to zero: a pure function of the step."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def seed_everything(seed: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@torch.no_grad()
def predict_logits(net: LesionNet, images: np.ndarray, device: torch.device, batch_size: int = 64) -> np.ndarray:
    """Logits for uint8 NHWC photos at full size, no augmentation."""
    net.eval()
    out = []
    for start in range(0, len(images), batch_size):
        x = to_network_input(torch.from_numpy(images[start : start + batch_size]).to(device))
        out.append(net(x.contiguous(memory_format=torch.channels_last)).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def _safe_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    return float(roc_auc_score(labels, scores)) if len(np.unique(labels)) == 2 else float("nan")


def train(config: TrainConfig, data: Path, out: Path) -> Path:
    """Train, select on validation and calibrate; returns the path of the best checkpoint."""
    started = time.time()
    out.mkdir(parents=True, exist_ok=True)
    generator = seed_everything(config.seed)
    device = torch.device(config.device)
    if device.type == "cpu":
        torch.set_num_threads(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2)
    write_json(out / "config.json", asdict(config))

    # 1. data (train split only; the test split is for the final report alone)
    loaded = load_split(data, "train", limit=config.limit, seed=config.seed)
    log.info("decoded %d training photos (%d unreadable)", len(loaded.samples), len(loaded.failures))

    # 2. same-lesion groups from the pretrained backbone
    net = LesionNet(config.arch, frozen_blocks=config.frozen_blocks, dropout=config.dropout).to(device)
    embeddings = embed(net, loaded.images, device=device)
    groups, linked = group_near_duplicates(embeddings, config.duplicate_threshold)
    rels = [s.rel for s in loaded.samples]
    found, total = pair_recall(known_pairs(data), dict(zip(rels, groups.tolist(), strict=True)))
    grouping = {
        "method": "cosine similarity of orientation-averaged EfficientNet-Lite embeddings, union-find",
        "threshold": config.duplicate_threshold,
        "linked_pairs": len(linked),
        "groups_with_repeats": int((np.bincount(groups) > 1).sum()),
        "largest_group": int(np.bincount(groups).max()),
        "known_pairs_recall": {"found": found, "total": total, "recall": found / total if total else None},
    }
    log.info("same-lesion grouping: %s", grouping)

    # 3. group-aware, stratified validation split
    train_idx, val_idx = group_split(loaded.labels, groups, config.val_fraction, config.seed)
    assert not set(groups[train_idx]) & set(groups[val_idx]), "a same-lesion group crosses the split"
    manifest_sha = write_manifest(out / "split.csv", loaded.samples, groups, val_idx)
    x_train, y_train = loaded.images[train_idx], loaded.labels[train_idx]
    x_val, y_val = loaded.images[val_idx], loaded.labels[val_idx]
    log.info("split: %d train, %d validation (manifest sha256 %s)", len(train_idx), len(val_idx), manifest_sha[:12])

    # 4. fine-tune
    net = net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    ema = copy.deepcopy(net).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    head = list(net.classifier.parameters())
    body = [p for n, p in net.named_parameters() if p.requires_grad and not n.startswith("classifier.")]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": config.lr}, {"params": head, "lr": config.head_lr}],
        weight_decay=config.weight_decay,
    )
    base_lrs = [config.lr, config.head_lr]
    steps_per_epoch = max(1, len(x_train) // config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    warmup = int(config.warmup_epochs * steps_per_epoch)
    positives = max(1, int(y_train.sum()))
    pos_weight = torch.tensor((len(y_train) - positives) / positives, device=device)

    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(out / "tensorboard"))
    history: list[dict[str, float]] = []
    best_auc, best_epoch, best_path, step = -1.0, 0, out / "best.pt", 0
    for epoch in range(config.epochs):
        size = 224 if epoch >= config.epochs - config.full_size_epochs else config.low_size
        net.train()
        order = torch.randperm(len(x_train), generator=generator).numpy()
        running, seen = 0.0, 0
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{config.epochs} @{size}px", unit="step")
        for b in bar:
            idx = order[b * config.batch_size : (b + 1) * config.batch_size]
            batch = torch.from_numpy(x_train[idx]).to(device)
            target = torch.from_numpy(y_train[idx]).float().to(device)
            x = normalise(augment_batch(batch, size, config.augment, generator_for(generator, device)))
            for group, base in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = base * lr_factor(step, total_steps, warmup)
            logits = net(x.contiguous(memory_format=torch.channels_last))
            loss = F.binary_cross_entropy_with_logits(logits, target, pos_weight=pos_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            with torch.no_grad():  # exponential moving average of weights and BN statistics
                for e, p in zip(ema.state_dict().values(), net.state_dict().values(), strict=True):
                    if e.dtype.is_floating_point:
                        e.mul_(config.ema_decay).add_(p.detach(), alpha=1 - config.ema_decay)
                    else:
                        e.copy_(p)
            running += loss.item() * len(idx)
            seen += len(idx)
            step += 1
            bar.set_postfix(loss=f"{running / seen:.4f}")
            writer.add_scalar("train/loss", loss.item(), step)
        val_logits = predict_logits(ema, x_val, device)
        val_auc = _safe_auc(y_val, val_logits)
        val_loss = float(
            F.binary_cross_entropy_with_logits(torch.from_numpy(val_logits), torch.from_numpy(y_val).float())
        )
        val_acc = float(((val_logits >= 0) == (y_val == 1)).mean())
        record = {
            "epoch": epoch + 1,
            "size": size,
            "train_loss": running / max(seen, 1),
            "val_loss": val_loss,
            "val_auc": val_auc,
            "val_accuracy": val_acc,
        }
        history.append(record)
        for key in ("val_loss", "val_auc", "val_accuracy"):
            writer.add_scalar(f"val/{key[4:]}", record[key], epoch + 1)
        log.info("epoch %d: %s", epoch + 1, {k: round(v, 4) for k, v in record.items()})
        if best_epoch == 0 or (not math.isnan(val_auc) and val_auc > best_auc):
            best_auc, best_epoch = val_auc, epoch + 1
            torch.save(
                {
                    "state_dict": ema.state_dict(),
                    "config": asdict(config),
                    "epoch": epoch + 1,
                    "val_auc": val_auc,
                    "arch": config.arch,
                    "frozen_blocks": config.frozen_blocks,
                    "dropout": config.dropout,
                },
                best_path,
            )
        write_json(out / "history.json", history)
    writer.close()

    # 6. calibrate on validation with the best checkpoint
    best = load_checkpoint(best_path, device)
    val_logits = predict_logits(best, x_val, device)
    calib = calibration.fit(val_logits, y_val)
    seconds = time.time() - started
    summary = {
        "calibration": calib,
        "grouping": grouping,
        "split": {
            "train": len(train_idx),
            "val": len(val_idx),
            "manifest_sha256": manifest_sha,
            "unreadable": loaded.failures,
        },
        "best_epoch": best_epoch,
        "train_seconds": round(seconds, 1),
        "history": history,
    }
    write_json(out / "calibration.json", summary)
    log.info(
        "done in %.1f min; best epoch %s, val AUC %.4f; T=%.3f threshold=%.4f",
        seconds / 60,
        best_epoch,
        best_auc,
        calib["temperature"],
        calib["threshold"],
    )
    return best_path


def generator_for(cpu_generator: torch.Generator, device: torch.device) -> torch.Generator:
    """Augmentation randomness stays on the CPU generator (reproducible) unless training on GPU."""
    if device.type == "cpu":
        return cpu_generator
    return torch.Generator(device=device).manual_seed(int(torch.randint(0, 2**31, (1,), generator=cpu_generator)))


def network_from(checkpoint: dict[str, Any], device: torch.device | str = "cpu") -> LesionNet:
    """Rebuild the network from a loaded self-describing checkpoint alone."""
    net = LesionNet(
        checkpoint["arch"],
        frozen_blocks=checkpoint["frozen_blocks"],
        dropout=checkpoint["dropout"],
        pretrained=False,
    )
    net.load_state_dict(checkpoint["state_dict"])
    return net.to(device).eval()


def load_checkpoint(path: Path, device: torch.device | str = "cpu") -> LesionNet:
    """Rebuild the network from a checkpoint file."""
    return network_from(torch.load(path, map_location=device, weights_only=True), device)


def read_json(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text(encoding="utf-8")))
