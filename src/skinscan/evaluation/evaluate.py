"""``evaluate(model, data, reports)``: the shipped ONNX file on every held-out photo set -> reports/.

Runs the ONNX file itself (the bytes users get), with the serving session settings, and applies the
card's decision (quality checks, gate, threshold) exactly as the server does, on every held-out set
(``heldout.py``). Writes ``metrics.json``, ``report.md`` and ``figures/*.png`` into ``reports``; the
model file and its card are an artefact and are only read here. Test photos are touched here and
nowhere in training. Needs the ``eval`` extra (scikit-learn, matplotlib), never torch.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from skinscan.datasets import DERM7PT, HAM, KAGGLE, NOT_SKIN, PAD, data_root
from skinscan.evaluation import degradations
from skinscan.evaluation.decisions import Decision, decide, lesion_metrics
from skinscan.evaluation.heldout import LESION_SETS, HeldOut, held_out_sets
from skinscan.evaluation.manifest import manifest_for_model, read_manifest
from skinscan.evaluation.metrics import point_metrics
from skinscan.evaluation.report import write_report
from skinscan.predictor import Predictor

log = logging.getLogger(__name__)


def robustness(predictor: Predictor, sets: dict[str, HeldOut], base: dict[str, Decision]) -> dict[str, Any]:
    """Per set: how often the decision at the threshold flips under everyday photo changes."""
    table: dict[str, Any] = {}
    for name in LESION_SETS:
        if name not in sets:
            continue
        table[name] = {}
        for change, fn in degradations.ROBUSTNESS.items():
            d = decide(predictor, degradations.apply(sets[name].images, fn))
            threshold = predictor.card.threshold
            flips = (d.p >= threshold) != (base[name].p >= threshold)
            table[name][change] = {
                "decision_flip_rate": float(flips.mean()),
                "mean_abs_dp": float(np.abs(d.p - base[name].p).mean()),
            }
    return table


DERMOSCOPIC_SETS = (KAGGLE, HAM, DERM7PT)
"""Held-out sets of dermoscopic photos; PAD-UFES-20 is the phone-photo set."""


def wilson(k: int, n: int, z: float = 1.96) -> list[float]:
    """95% Wilson score interval of a share k/n (Wilson 1927): sound at 0, 1 and small n."""
    if n == 0:
        return [0.0, 1.0]
    share, z2 = k / n, z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return [round(float(max(0.0, centre - half)), 4), round(float(min(1.0, centre + half)), 4)]


def band_frequencies(
    card_bands: dict[str, float], sets: dict[str, HeldOut], decisions: dict[str, Decision]
) -> dict[str, Any]:
    """Per risk band: of the answered held-out photos the server put in that band, how many were malignant.

    The page's "of 100 spots that got this band in our test photos, about N were skin cancer" reads ``all``:
    a measured share, true by construction for these photos, whatever the calibration error. Also per
    kind of photo set (``dermoscopic``: Kaggle, HAM10000, Derm7pt; ``phone``: PAD-UFES-20) and per set.
    """
    order = sorted(card_bands, key=lambda b: card_bands[b])
    bounds = np.array([card_bands[b] for b in order])

    def table(names: tuple[str, ...]) -> dict[str, Any]:
        p = np.concatenate([decisions[n].p[decisions[n].accepted] for n in names])
        y = np.concatenate([sets[n].labels[decisions[n].accepted] for n in names])
        band = np.searchsorted(bounds, p, side="right") - 1
        rows: dict[str, Any] = {"sets": list(names)}
        for i, name in enumerate(order):
            k, n = int(y[band == i].sum()), int((band == i).sum())
            rows[name] = {"photos": n, "malignant": k, "share": round(k / n, 4) if n else None, "ci95": wilson(k, n)}
        return rows

    lesion = tuple(n for n in LESION_SETS if n in sets)
    result: dict[str, Any] = {"all": table(lesion)}
    dermoscopic = tuple(n for n in lesion if n in DERMOSCOPIC_SETS)
    if dermoscopic:
        result["dermoscopic"] = table(dermoscopic)
    if PAD in lesion:
        result["phone"] = table((PAD,))
    result["by_set"] = {n: table((n,)) for n in lesion}
    return result


def steadiness(predictor: Predictor, sets: dict[str, HeldOut]) -> dict[str, Any]:
    """Per set: how often the answer (benign <-> malignant at the threshold) and the risk band change when the
    photo is mirrored, turned or made 20% brighter/darker; each view and the original re-encoded as JPEG q92."""
    card = predictor.card
    table: dict[str, Any] = {}
    for name in LESION_SETS:
        if name not in sets:
            continue
        original = decide(predictor, degradations.apply(sets[name].images, degradations.then_jpeg(lambda a: a)))
        label = original.p >= card.threshold
        band = np.array([card.risk(float(p)) for p in original.p])
        rows: dict[str, Any] = {}
        for change, fn in degradations.STEADINESS.items():
            d = decide(predictor, degradations.apply(sets[name].images, fn))
            rows[change] = {
                "answer_flip_rate": float(((d.p >= card.threshold) != label).mean()),
                "band_change_rate": float((np.array([card.risk(float(p)) for p in d.p]) != band).mean()),
                "mean_abs_dp": float(np.abs(d.p - original.p).mean()),
            }
        rows["worst_answer_flip_rate"] = max(r["answer_flip_rate"] for r in rows.values())
        table[name] = rows
    return table


def blur(predictor: Predictor, sets: dict[str, HeldOut], base: dict[str, Decision]) -> dict[str, Any]:
    """Per set: clean photos accepted; photos blurred by 2% / 4% of the side refused, and blurred malignant photos
    that still got an answer of "low" (the worst answer the app can give)."""
    card = predictor.card
    table: dict[str, Any] = {}
    for name in LESION_SETS:
        if name not in sets:
            continue
        labels = sets[name].labels
        row: dict[str, Any] = {"clean_accepted": float(base[name].accepted.mean()), "photos": len(labels)}
        for level, fraction in degradations.BLUR_LEVELS.items():
            d = decide(predictor, degradations.apply(sets[name].images, degradations.blur_of_side(fraction)))
            low = d.accepted & (d.p < card.risk_bands["medium"])
            row[level] = {
                "refused": float((~d.accepted).mean()),
                "malignant": int((labels == 1).sum()),
                "malignant_answered_low": int((low & (labels == 1)).sum()),
                "answered_low": int(low.sum()),
            }
        table[name] = row
    return table


def unusable(predictor: Predictor, sets: dict[str, HeldOut]) -> dict[str, Any]:
    """Strong and mild degradations of held-out lesion photos: share refused / accepted."""
    names = [n for n in (KAGGLE, PAD, HAM) if n in sets]
    images = np.concatenate([sets[n].images for n in names])
    table: dict[str, Any] = {"photos": len(images), "from": names}
    for kind, levels in degradations.DEGRADATIONS.items():
        for level, (description, _) in levels.items():
            d = decide(predictor, degradations.apply(images, degradations.degrader(kind, level)))
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


def evaluate(model: Path, data: Path, reports: Path) -> dict[str, Any]:
    """Every held-out set through the serving decision -> ``reports/`` (metrics.json, report.md, figures)."""
    predictor = Predictor(model)
    card = predictor.card.data
    manifest_path = manifest_for_model(model)
    manifest = read_manifest(manifest_path) if manifest_path.is_file() else None
    sets = held_out_sets(data_root(data), int(card["input"]["size"]), manifest)
    decisions = {name: decide(predictor, held.images) for name, held in sets.items()}
    threshold = float(card["threshold"])
    test = {n: lesion_metrics(decisions[n], sets[n].labels, threshold) for n in LESION_SETS if n in sets}
    result: dict[str, Any] = {
        "model": {"name": card["name"], "version": card["version"], "sha256": card["onnx_sha256"]},
        "threshold": threshold,
        "test": test,
    }
    result["bands"] = band_frequencies(predictor.card.risk_bands, sets, decisions)
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
    result["steadiness"] = steadiness(predictor, sets)
    result["blur"] = blur(predictor, sets, decisions)
    write_report(result, card, sets, decisions, reports)
    log.info(
        "test: %s",
        {n: (m["roc_auc"]["value"], m["sensitivity"]["value"], m["specificity"]["value"]) for n, m in test.items()},
    )
    (reports / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
