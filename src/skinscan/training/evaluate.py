"""``evaluate(model, data, reports)``: the shipped ONNX file on every held-out photo set -> reports/.

Runs the ONNX file itself (the bytes users get), with the serving session settings, and applies the
card's decision (quality checks, gate, threshold) exactly as the server does. Held-out sets:

- ``kaggle``: the Kaggle test split; ``derm7pt``: all of it (external, never trained on);
- ``pad-ufes-20`` and ``ham10000``: the test patients / lesions of the model's split manifest;
- ``not-skin``: the everyday photos held out from the gate's training (the rest is reported apart).

Writes ``metrics.json``, ``report.md`` and ``figures/*.png`` and stores the test metrics in the
card. Test photos are touched here and nowhere in training.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from skinscan.card import card_path_for, write_card
from skinscan.predictor import Answer, Predictor, quality_reasons
from skinscan.predictor import decide as decide_photo
from skinscan.training import quality
from skinscan.training.metrics import metrics_with_intervals, point_metrics
from skinscan.training.prepare import read_manifest2
from skinscan.training.sources import (
    DERM7PT,
    HAM,
    KAGGLE,
    NOT_SKIN,
    PAD,
    Entry,
    csv_entries,
    data_root,
    kaggle_entries,
    load_pool,
    not_skin_entries,
)

log = logging.getLogger(__name__)
LESION_SETS = (KAGGLE, DERM7PT, PAD, HAM)


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


def held_out_sets(root: Path, size: int, manifest: dict[str, tuple[str, int]] | None) -> dict[str, HeldOut]:
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


@dataclass
class Decision:
    """The serving decision (``predictor.decide``) for a batch of photos, with the numbers behind it."""

    p: np.ndarray
    p_lesion: np.ndarray
    quality_refused: np.ndarray
    """The photo-quality checks alone refuse it."""
    gate_refused: np.ndarray
    """The gate alone refuses it (p_lesion below the card's threshold)."""
    accepted: np.ndarray
    """The server would answer it (``decide`` returns an Answer)."""


def decide(predictor: Predictor, images: np.ndarray, batch_size: int = 32) -> Decision:
    """Run the model file and apply the card's decision exactly as the server does, photo by photo."""
    card = predictor.card
    p, p_lesion, quality_refused, accepted = [], [], [], []
    for start in range(0, len(images), batch_size):
        outputs = predictor.run_arrays(images[start : start + batch_size])
        for i in range(len(outputs)):
            photo = outputs.photo(i)
            p.append(photo.p_malignant)
            p_lesion.append(1.0 if photo.p_lesion is None else photo.p_lesion)
            quality_refused.append(bool(quality_reasons(photo, card, None)))
            accepted.append(isinstance(decide_photo(photo, card, None), Answer))
    gate = card.gate.threshold if card.gate is not None else 0.0
    lesion = np.array(p_lesion, np.float32)
    return Decision(
        p=np.array(p, np.float32),
        p_lesion=lesion,
        quality_refused=np.array(quality_refused, bool),
        gate_refused=lesion < gate,
        accepted=np.array(accepted, bool),
    )


def lesion_metrics(d: Decision, labels: np.ndarray, threshold: float) -> dict[str, Any]:
    result = metrics_with_intervals(d.p, labels, threshold)
    result["accepted"] = float(d.accepted.mean())
    result["gate_accepted"] = float((~d.gate_refused).mean())
    result["quality_accepted"] = float((~d.quality_refused).mean())
    if d.accepted.sum() > 10 and 0 < labels[d.accepted].sum() < d.accepted.sum():
        kept = point_metrics(d.p[d.accepted], labels[d.accepted], threshold)
        result["on_accepted"] = {
            k: round(v, 6) for k, v in kept.items() if k in ("roc_auc", "sensitivity", "specificity")
        }
    return result


def jpeg(quality_level: int) -> quality.Degrade:
    def fn(a: np.ndarray) -> np.ndarray:
        buffer = io.BytesIO()
        Image.fromarray(a).save(buffer, "JPEG", quality=quality_level)
        return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.uint8)

    return fn


ROBUSTNESS: dict[str, quality.Degrade] = {
    "horizontal_flip": lambda a: np.ascontiguousarray(a[:, ::-1]),
    "rotate_90": lambda a: np.ascontiguousarray(np.rot90(a)),
    "brightness_+20%": quality.exposure(1.2),
    "brightness_-20%": quality.exposure(0.8),
    "blur_radius_1": lambda a: np.asarray(Image.fromarray(a).filter(ImageFilter.GaussianBlur(1)), dtype=np.uint8),
    "jpeg_quality_30": jpeg(30),
}


def robustness(predictor: Predictor, sets: dict[str, HeldOut], base: dict[str, Decision]) -> dict[str, Any]:
    """Per set: how often the decision at the threshold flips under everyday photo changes."""
    table: dict[str, Any] = {}
    for name in LESION_SETS:
        if name not in sets:
            continue
        table[name] = {}
        for change, fn in ROBUSTNESS.items():
            d = decide(predictor, quality.apply(sets[name].images, fn))
            threshold = predictor.card.threshold
            flips = (d.p >= threshold) != (base[name].p >= threshold)
            table[name][change] = {
                "decision_flip_rate": float(flips.mean()),
                "mean_abs_dp": float(np.abs(d.p - base[name].p).mean()),
            }
    return table


def unusable(predictor: Predictor, sets: dict[str, HeldOut]) -> dict[str, Any]:
    """Strong and mild degradations of held-out lesion photos: share refused / accepted."""
    names = [n for n in (KAGGLE, PAD, HAM) if n in sets]
    images = np.concatenate([sets[n].images for n in names])
    table: dict[str, Any] = {"photos": len(images), "from": names}
    for kind, levels in quality.DEGRADATIONS.items():
        for level, (description, _) in levels.items():
            d = decide(predictor, quality.apply(images, quality.degrader(kind, level)))
            table[f"{kind}_{level}"] = {
                "level": description,
                "refused": float((~d.accepted).mean()),
                "refused_by_quality": float(d.quality_refused.mean()),
            }
    return table


def _metadata(held: HeldOut, column: str) -> np.ndarray:
    """One labels.csv column for every photo of a held-out set ("unknown" where it is empty)."""
    return np.array([e.get(column, "") or "unknown" for e in held.extra])


def by_skin_type(d: Decision, held: HeldOut, threshold: float) -> dict[str, Any]:
    """PAD-UFES-20 test photos by Fitzpatrick skin type (where the metadata gives one)."""
    types = _metadata(held, "fitspatrick")
    table = {}
    for t in sorted(set(types.tolist())):
        mask = types == t
        y = held.labels[mask]
        row: dict[str, Any] = {"photos": int(mask.sum()), "malignant": int(y.sum())}
        if mask.sum() >= 10 and 0 < y.sum() < mask.sum():
            row |= {
                k: round(v, 3)
                for k, v in point_metrics(d.p[mask], y, threshold).items()
                if k in ("roc_auc", "sensitivity", "specificity")
            }
        table[t] = row
    return table


DIAGNOSIS_COLUMN = {DERM7PT: "diagnosis", PAD: "diagnostic", HAM: "dx"}
"""The column of each set's labels.csv that names the diagnosis (the Kaggle set has none)."""


def by_diagnosis(d: Decision, held: HeldOut, threshold: float) -> dict[str, Any]:
    """Per diagnosis: photos, the binary label, and the share the card's threshold calls malignant.

    For a malignant diagnosis that share is its sensitivity; for a benign one, its false-alarm rate.
    """
    names = _metadata(held, DIAGNOSIS_COLUMN[held.name])
    values, counts = np.unique(names, return_counts=True)
    table = {}
    for name, _ in sorted(zip(values.tolist(), counts.tolist(), strict=True), key=lambda vc: (-vc[1], vc[0])):
        mask = names == name
        y = held.labels[mask]
        label = "malignant" if y.all() else "benign" if not y.any() else "mixed"
        table[name] = {
            "photos": int(mask.sum()),
            "label": label,
            "called_malignant": round(float((d.p[mask] >= threshold).mean()), 3),
            "median_p": round(float(np.median(d.p[mask])), 3),
        }
    return table


def evaluate(model: Path, data: Path, reports: Path, update_card: bool = True) -> dict[str, Any]:
    from skinscan.training.report import write_report

    card_file = card_path_for(model)
    predictor = Predictor(model)
    card = predictor.card.data
    manifest_path = model.with_suffix(".split.csv")
    manifest = read_manifest2(manifest_path) if manifest_path.is_file() else None
    sets = held_out_sets(data_root(data), int(card["input"]["size"]), manifest)
    decisions = {name: decide(predictor, held.images) for name, held in sets.items()}
    threshold = float(card["threshold"])
    test = {n: lesion_metrics(decisions[n], sets[n].labels, threshold) for n in LESION_SETS if n in sets}
    result: dict[str, Any] = {
        "model": {"name": card["name"], "version": card["version"], "sha256": card["onnx_sha256"]},
        "threshold": threshold,
        "test": test,
    }
    if NOT_SKIN in sets:
        result["not_skin_refused"] = {
            "held_out": float((~decisions[NOT_SKIN].accepted).mean()),
            "held_out_n": len(sets[NOT_SKIN].labels),
            "all_500_incl_training": float((~decisions["not-skin-all"].accepted).mean()),
        }
    if "ham10000-akiec" in decisions:
        d = decisions["ham10000-akiec"]
        result["ham_akiec"] = {
            "photos": len(d.p),
            "called_malignant": float((d.p >= threshold).mean()),
            "median_p": float(np.median(d.p)),
        }
    if PAD in sets:
        result["pad_by_skin_type"] = by_skin_type(decisions[PAD], sets[PAD], threshold)
    result["by_diagnosis"] = {
        name: by_diagnosis(decisions[name], sets[name], threshold) for name in DIAGNOSIS_COLUMN if name in sets
    }
    result["unusable"] = unusable(predictor, sets)
    result["robustness"] = robustness(predictor, sets, decisions)
    write_report(result, card, sets, decisions, reports)
    if update_card:
        card = dict(card)
        card["metrics"] = dict(card.get("metrics") or {}) | {"test": result["test"]}
        card["held_out"] = {k: result[k] for k in ("not_skin_refused", "ham_akiec", "unusable") if k in result}
        write_card(card_file, card)
    log.info(
        "test: %s",
        {n: (m["roc_auc"]["value"], m["sensitivity"]["value"], m["specificity"]["value"]) for n, m in test.items()},
    )
    (reports / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
