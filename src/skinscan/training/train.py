"""``train(config, data, out)``: the readable training loop, top to bottom.

1. ``prepare``: decode every source, same-lesion groups, drop HAM10000 twins of Kaggle test photos,
   split train / validation / test per source (lesions and patients kept whole);
2. fine-tune EfficientNet-Lite (frozen stem + first blocks) with three heads: malignancy (lesion
   photos only, class-balanced within each source), the gate (lesion photos vs everyday photos) and
   the modality (dermoscopic vs phone photo), on source-balanced batches, colour constancy inside the
   network input, low resolution first; validation AUCs are logged every epoch (``fit_epochs``: the
   whole loop, step by step, in one place);
3. keep the final epoch's EMA weights (``last.pt``; ``best.pt`` too, for comparison only).
Calibration, threshold, bands, gate and quality thresholds are fitted at export (``export.py``), on
the exported graph's 8-view mean logits. Everything lands in the run folder: config, split manifest,
TensorBoard logs, history, last.pt, best.pt, summary.json.
"""

from __future__ import annotations

import copy
import logging
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch.nn import functional as F
from tqdm import tqdm

from skinscan.datasets import DERMOSCOPIC, HAM, KAGGLE, LESION_SOURCES, NOT_SKIN, PAD, Pool
from skinscan.evaluation.manifest import manifest_in_run, write_manifest
from skinscan.predictor import default_threads
from skinscan.training.augment import AugmentConfig, augment_batch
from skinscan.training.data import write_json
from skinscan.training.model import LesionNet, save_checkpoint
from skinscan.training.prepare import Prepared, prepare
from skinscan.training.splits import SplitConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    arch: str = "efficientnet-lite0"
    frozen_blocks: int = 6
    input_size: int = 192
    """The model's input side S (the card's ``input.size``)."""
    low_size: int = 160
    """Early epochs run at this cheaper size; the last ``full_size_epochs`` at ``input_size``."""
    epochs: int = 18
    full_size_epochs: int = 3
    steps_per_epoch: int = 170
    batch_mix: tuple[tuple[str, int], ...] = ((KAGGLE, 11), (HAM, 13), (PAD, 4), (NOT_SKIN, 4))
    """Photos of each source in every batch: small sources are not drowned by large ones."""
    lr: float = 4e-4
    head_lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup_epochs: float = 0.5
    dropout: float = 0.3
    ema_decay: float = 0.99
    gate_loss_weight: float = 0.5
    modality_loss_weight: float = 0.2
    colour_constancy: bool = True
    """Shades-of-grey colour constancy on the network input (inside the exported graph too)."""
    seed: int = 20261127
    limit: int | None = None
    """Use only about this many photos (smoke tests)."""
    device: str = "cpu"
    split: SplitConfig = field(default_factory=SplitConfig)
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


class SourceBatches:
    """Source-balanced batches: each source's training photos in a fresh random order, cycled."""

    def __init__(self, prepared: Prepared, mix: tuple[tuple[str, int], ...], rng: np.random.Generator) -> None:
        self.rng = rng
        self.mix = [(s, n) for s, n in mix if len(prepared.pool.where("train", s))]
        self.pools = {s: prepared.pool.where("train", s) for s, _ in self.mix}
        self.orders = {s: self.rng.permutation(idx) for s, idx in self.pools.items()}
        self.cursor = dict.fromkeys(self.pools, 0)

    def next(self) -> np.ndarray:
        picks = []
        for source, count in self.mix:
            for _ in range(count):
                if self.cursor[source] >= len(self.orders[source]):
                    self.orders[source] = self.rng.permutation(self.pools[source])
                    self.cursor[source] = 0
                picks.append(self.orders[source][self.cursor[source]])
                self.cursor[source] += 1
        return np.array(picks)


def class_weights(prepared: Prepared) -> dict[str, tuple[float, float]]:
    """(benign, malignant) loss weights per source: each class weighs half of its source."""
    weights = {}
    for source in LESION_SOURCES:
        labels = prepared.pool.label[prepared.pool.where("train", source)]
        if len(labels) == 0:
            continue
        frac = float(np.clip((labels == 1).mean(), 0.1, 0.9))
        weights[source] = (0.5 / (1 - frac), 0.5 / frac)
    return weights


def build_optimizer(net: LesionNet, config: TrainConfig) -> torch.optim.Optimizer:
    # The modality head is not in the head group: it trains at the body's lr. The group predates the head
    # (added in 78971d8), and models 2 and 3 were trained so; moving it here changes the recipe.
    heads = [*net.classifier.parameters(), *net.gate.parameters()]
    head_ids = {id(p) for p in heads}
    body = [p for p in net.parameters() if p.requires_grad and id(p) not in head_ids]
    return torch.optim.AdamW(
        [
            {"params": body, "lr": config.lr, "base": config.lr},
            {"params": heads, "lr": config.head_lr, "base": config.head_lr},
        ],
        weight_decay=config.weight_decay,
    )


class Ema:
    """Exponential moving average of the weights and BatchNorm statistics."""

    def __init__(self, net: LesionNet, decay: float) -> None:
        self.model = copy.deepcopy(net).eval()
        self.decay = decay
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, net: LesionNet) -> None:
        for e, p in zip(self.model.state_dict().values(), net.state_dict().values(), strict=True):
            if e.dtype.is_floating_point:
                e.mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)
            else:
                e.copy_(p)


def targets(
    pool: Pool, idx: np.ndarray, weights_of: dict[str, tuple[float, float]]
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch's labels (-1: not a lesion) and malignancy loss weights (``class_weights`` of its source)."""
    labels = torch.from_numpy(pool.label[idx])
    weights = torch.tensor(
        [
            weights_of.get(str(s), (1.0, 1.0))[max(0, int(y))]
            for s, y in zip(pool.source[idx], pool.label[idx], strict=True)
        ]
    )
    return labels, weights


def head_losses(
    net: LesionNet, x01: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor, dermoscopic: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Malignancy BCE on lesion photos (weighted), gate BCE on every photo, modality BCE on lesion photos."""
    x, log_illuminant = net.prepare(x01)
    logit, gate_logit, modality_logit = net.heads(x.contiguous(memory_format=torch.channels_last), log_illuminant)
    lesion = labels >= 0
    malignant_loss = F.binary_cross_entropy_with_logits(
        logit[lesion], labels[lesion].float(), weight=weights[lesion], reduction="sum"
    ) / weights[lesion].sum().clamp_min(1e-6)
    gate_loss = F.binary_cross_entropy_with_logits(gate_logit, lesion.float())
    modality_loss = F.binary_cross_entropy_with_logits(modality_logit[lesion], dermoscopic[lesion].float())
    return malignant_loss, gate_loss, modality_loss


@torch.no_grad()
def predict_logits(net: LesionNet, images: np.ndarray, batch_size: int = 64) -> dict[str, np.ndarray]:
    """Logits of every head ("malignant", "lesion", "dermoscopic") for uint8 NHWC photos, no augmentation."""
    net.eval()
    device = next(net.parameters()).device
    parts: dict[str, list[np.ndarray]] = {"malignant": [], "lesion": [], "dermoscopic": []}
    for start in range(0, len(images), batch_size):
        x01 = torch.from_numpy(images[start : start + batch_size]).to(device).permute(0, 3, 1, 2).float() / 255.0
        x, log_illuminant = net.prepare(x01)
        for key, value in zip(
            parts, net.heads(x.contiguous(memory_format=torch.channels_last), log_illuminant), strict=True
        ):
            parts[key].append(value.cpu().numpy())
    return {k: np.concatenate(v) if v else np.zeros(0, np.float32) for k, v in parts.items()}


def _safe_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    return float(roc_auc_score(labels, scores)) if len(np.unique(labels)) == 2 else float("nan")


def validate(net: LesionNet, prepared: Prepared) -> dict[str, float]:
    """Per-source validation ROC AUC, their mean (the selection score), and the gate's ROC AUC."""
    pool = prepared.pool
    val = pool.where("val")
    logits = predict_logits(net, prepared.eval_images[val])
    record: dict[str, float] = {}
    for source, mask in pool.source_masks("val", LESION_SOURCES):
        record[f"auc_{source}"] = _safe_auc(pool.label[val][mask], logits["malignant"][mask])
    aucs = [v for k, v in record.items() if k.startswith("auc_") and not math.isnan(v)]
    record["score"] = float(np.mean(aucs)) if aucs else float("nan")
    record["gate_auc"] = _safe_auc((pool.label[val] >= 0).astype(int), logits["lesion"])
    lesion = pool.label[val] >= 0
    record["modality_auc"] = _safe_auc(
        np.isin(pool.source[val][lesion], DERMOSCOPIC).astype(int), logits["dermoscopic"][lesion]
    )
    return record


def train(config: TrainConfig, data: Path, out: Path) -> Path:
    """Prepare and train; returns the final EMA checkpoint (calibration is fitted at export)."""
    started = time.time()
    out.mkdir(parents=True, exist_ok=True)
    generator = seed_everything(config.seed)
    if config.device == "cpu":
        torch.set_num_threads(default_threads())
    write_json(out / "config.json", asdict(config))

    prepared = prepare(data, config.input_size, config.split, config.limit, cache=out / "embeddings.npz")
    manifest_sha = write_manifest(manifest_in_run(out), prepared.pool)
    history = fit_epochs(config, prepared, out, generator)
    summary = {
        "data": prepared.record | {"manifest_sha256": manifest_sha},
        "train_seconds": round(time.time() - started, 1),
        "history": history,
        "device": config.device,
    }
    write_json(out / "summary.json", summary)
    log.info("done in %.1f min; last epoch: %s", (time.time() - started) / 60, history[-1] if history else None)
    return out / "last.pt"


def fit_epochs(
    config: TrainConfig, prepared: Prepared, out: Path, generator: torch.Generator
) -> list[dict[str, float]]:
    """The training loop: every step, then every epoch's validation and checkpoints, in one place."""
    from torch.utils.tensorboard import SummaryWriter

    net = LesionNet(
        config.arch,
        frozen_blocks=config.frozen_blocks,
        dropout=config.dropout,
        colour_constancy=config.colour_constancy,
    ).to(config.device, memory_format=torch.channels_last)  # type: ignore[call-overload]
    ema = Ema(net, config.ema_decay)
    optimizer = build_optimizer(net, config)
    batches = SourceBatches(prepared, config.batch_mix, np.random.default_rng(config.seed))
    pool, weights_of = prepared.pool, class_weights(prepared)
    total_steps = config.steps_per_epoch * config.epochs
    warmup_steps = int(config.warmup_epochs * config.steps_per_epoch)
    writer = SummaryWriter(str(out / "tensorboard"))
    history: list[dict[str, float]] = []
    step = 0
    for epoch in range(config.epochs):
        size = config.input_size if epoch >= config.epochs - config.full_size_epochs else config.low_size
        net.train()
        running = 0.0
        bar = tqdm(range(config.steps_per_epoch), desc=f"@{size}px", unit="step", leave=False)
        for _ in bar:
            # a source-balanced batch; augmentation draws from the CPU generator (same photos on any device)
            idx = batches.next()
            labels, weights = targets(pool, idx, weights_of)
            x01 = augment_batch(torch.from_numpy(pool.images[idx]), size, config.augment, generator)
            dermoscopic = torch.from_numpy(np.isin(pool.source[idx], DERMOSCOPIC))
            for group in optimizer.param_groups:
                group["lr"] = group["base"] * lr_factor(step, total_steps, warmup_steps)
            on_device = (t.to(config.device) for t in (x01, labels, weights, dermoscopic))
            malignant_loss, gate_loss, modality_loss = head_losses(net, *on_device)
            loss = malignant_loss + config.gate_loss_weight * gate_loss + config.modality_loss_weight * modality_loss

            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            ema.update(net)
            running += loss.item()
            step += 1
            bar.set_postfix(loss=f"{running / (bar.n + 1):.4f}")

        record = {"epoch": epoch + 1, "size": size, "train_loss": running / config.steps_per_epoch}
        record |= validate(ema.model, prepared)
        for key, value in record.items():
            writer.add_scalar(f"val/{key}", value, epoch + 1)
        log.info("epoch %d: %s", epoch + 1, {k: round(float(v), 4) for k, v in record.items()})
        if not history or record["score"] > max(r["score"] for r in history):
            save_checkpoint(out / "best.pt", ema.model, config, epoch + 1, record["score"])
        # Model 3 ships the final EMA weights (no epoch selection: PAD-UFES-20's 48 validation photos made
        # the best-epoch choice noisier than the differences between epochs); best.pt stays for comparison.
        save_checkpoint(out / "last.pt", ema.model, config, epoch + 1, record["score"])
        history.append(record)
        write_json(out / "history.json", history)
    writer.close()
    return history
