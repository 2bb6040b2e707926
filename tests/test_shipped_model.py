"""The shipped model: its file honours contract 2, its card is the exported artefact, and its figures hold.

With SKINSCAN_DATA set (CI sets it), every held-out figure is re-derived from the data through the
serving decision and must stay above the floors in tests/shipped_floors.py (the one place to update
when a new model ships), and the committed report (reports/metrics.json, which the README quotes)
must be what the code gives. No test reads figures from the card: it holds none.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import shipped_floors as floors
from contract import assert_follows_contract
from skinscan.card import load_card
from skinscan.predictor import Predictor

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "skinscan.onnx"
CARD = ROOT / "models" / "skinscan.json"
REPORT = ROOT / "reports" / "metrics.json"
LESION_SETS = ("kaggle", "derm7pt", "pad-ufes-20", "ham10000")
FIGURES = ("roc_auc", "accuracy_at_0.5", "sensitivity", "specificity", "ece")


def test_card_matches_model_file_and_contract() -> None:
    card = load_card(CARD, model_path=MODEL)
    assert card.contract == 2
    assert_follows_contract(MODEL, card.data)
    assert card.risk_bands["medium"] == pytest.approx(card.threshold)
    assert MODEL.stat().st_size <= 30e6
    assert "non-commercial" in card.data["training"]["weights_licence"].lower()
    for source, metrics in card.data["training"]["validation"].items():
        for key in ("roc_auc", "sensitivity", "specificity"):
            if key in metrics and metrics[key]["ci95"]:
                low, high = metrics[key]["ci95"]
                assert low <= metrics[key]["value"] <= high, (source, key)


def test_card_is_the_exported_artefact() -> None:
    """Written by `skinscan export`, changed by nothing after (evaluate writes reports/ only)."""
    assert hashlib.sha256(CARD.read_bytes()).hexdigest() == floors.CARD_SHA256, (
        "models/skinscan.json changed: only `skinscan export` writes it; a new model updates tests/shipped_floors.py"
    )
    assert not {"metrics", "held_out"} & set(load_card(CARD).data)


def test_batch_and_single_predictions_agree() -> None:
    predictor = Predictor(MODEL)
    size = predictor.card.input_size
    batch = np.random.default_rng(0).integers(0, 256, size=(4, size, size, 3), dtype=np.uint8)
    together = predictor.predict_arrays(batch)
    alone = np.concatenate([predictor.predict_arrays(batch[i : i + 1]) for i in range(4)])
    assert together.shape == (4,)
    np.testing.assert_allclose(together, alone, atol=1e-5)


@pytest.fixture(scope="module")
def measured(real_data: Path) -> dict[str, Any]:
    """Every held-out set through the serving decision (Kaggle test and Derm7pt from the data alone;
    PAD-UFES-20, HAM10000 and the everyday photos from the shares named in models/skinscan.split.csv)."""
    from skinscan.datasets import data_root
    from skinscan.evaluation.decisions import decide
    from skinscan.evaluation.heldout import held_out_sets
    from skinscan.evaluation.manifest import manifest_for_model, read_manifest
    from skinscan.evaluation.metrics import point_metrics

    predictor = Predictor(MODEL)
    sets = held_out_sets(data_root(real_data), predictor.card.input_size, read_manifest(manifest_for_model(MODEL)))
    assert {*LESION_SETS, "not-skin"} <= set(sets), sorted(sets)
    figures: dict[str, dict[str, float]] = {}
    for name in LESION_SETS:
        decision = decide(predictor, sets[name].images)
        figures[name] = point_metrics(decision.p, sets[name].labels, predictor.card.threshold)
        figures[name] |= {"accepted": float(decision.accepted.mean()), "photos": len(decision.p)}
    refused = float((~decide(predictor, sets["not-skin"].images).accepted).mean())
    return {"predictor": predictor, "sets": sets, "figures": figures, "not_skin_refused": refused}


@pytest.mark.slow
def test_held_out_figures_stay_above_the_floors(measured: dict[str, Any]) -> None:
    figures = measured["figures"]
    below = [
        (name, key, round(figures[name][key], 4), floor)
        for name, set_floors in floors.FLOORS.items()
        for key, floor in set_floors.items()
        if not figures[name][key] >= floor
    ]
    below += [
        (name, "ece", round(figures[name]["ece"], 4), ceiling)
        for name, ceiling in floors.ECE_CEILINGS.items()
        if not figures[name]["ece"] <= ceiling
    ]
    assert not below, f"(set, figure, measured, floor or ECE ceiling): {below}"
    assert measured["not_skin_refused"] >= floors.NOT_SKIN_REFUSED


@pytest.mark.slow
def test_the_committed_report_is_what_the_model_gives(measured: dict[str, Any]) -> None:
    """reports/metrics.json (the README's figures) measures this model file and is reproduced."""
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    assert report["model"]["sha256"] == measured["predictor"].card.onnx_sha256, "stale report: run `make evaluate`"
    for name in LESION_SETS:
        recorded, figures = report["test"][name], measured["figures"][name]
        assert recorded["n"]["photos"] == figures["photos"], name
        for key in FIGURES:
            assert figures[key] == pytest.approx(recorded[key]["value"], abs=0.002), (name, key)
        assert figures["accepted"] == pytest.approx(recorded["accepted"], abs=0.002), name
    assert measured["not_skin_refused"] == pytest.approx(report["not_skin_refused"]["held_out"], abs=0.002)


@pytest.mark.slow
def test_unusable_photos_are_refused_and_everyday_ones_answered(measured: dict[str, Any]) -> None:
    """Strong and mild degradations of held-out lesion photos (evaluation's own table, on a fixed share)."""
    from skinscan.evaluation.evaluate import unusable
    from skinscan.evaluation.heldout import HeldOut

    every = floors.UNUSABLE_EVERY
    share = {
        name: HeldOut(name, held.images[::every], held.labels[::every], held.rel[::every])
        for name, held in measured["sets"].items()
    }
    table = unusable(measured["predictor"], share)
    assert table["photos"] == sum(len(share[n].labels) for n in ("kaggle", "pad-ufes-20", "ham10000"))
    for kind, floor in floors.UNUSABLE_STRONG_REFUSED.items():
        assert table[f"{kind}_strong"]["refused"] >= floor, (kind, table[f"{kind}_strong"])
    for kind, ceiling in floors.UNUSABLE_MILD_REFUSED.items():
        assert table[f"{kind}_mild"]["refused"] <= ceiling, (kind, table[f"{kind}_mild"])


@pytest.mark.slow
def test_the_questionnaire_report_is_what_the_card_gives(real_data: Path) -> None:
    """reports/questionnaire.json's held-out test patients (the README's questionnaire table) are re-derived:
    the PAD-UFES-20 test photos through the model file, combined with their answers by the card's section."""
    from skinscan.datasets import PAD, csv_entries, data_root, load_pool
    from skinscan.evaluation.manifest import manifest_for_model, read_manifest
    from skinscan.evaluation.questionnaire_cv import patient_bootstrap
    from skinscan.evaluation.questionnaire_section import pad_answers
    from skinscan.questionnaire import combine, spec_from_card

    report = json.loads((ROOT / "reports" / "questionnaire.json").read_text(encoding="utf-8"))
    predictor = Predictor(MODEL)
    card = predictor.card
    assert report["model"]["sha256"] == card.onnx_sha256, "stale report: run `skinscan questionnaire fit`"
    assert report["section"] == card.data["questionnaire"], "the card's section is not the reported one"
    spec = spec_from_card(card.data)
    assert spec is not None

    root, manifest = data_root(real_data), read_manifest(manifest_for_model(MODEL))
    entries = [e for e in csv_entries(root, PAD) if manifest.get(f"{e.source}/{e.rel}", ("",))[0] == "test"]
    pool, (images,) = load_pool(entries, root, (predictor.size,))
    p_photo = np.concatenate([predictor.run_arrays(images[i : i + 32]).p_malignant for i in range(0, len(images), 32)])
    p_photo = p_photo.astype(np.float64)
    p_with = np.array([combine(float(p), pad_answers(e), spec) for p, e in zip(p_photo, pool.extra, strict=True)])
    patients = np.array([e["patient_id"] for e in pool.extra])
    held = patient_bootstrap(pool.label.astype(np.int64), patients, p_photo, p_with, card.threshold)

    recorded = report["test_patients"]
    assert held["n"] == recorded["n"]
    for key, figure in recorded.items():
        if key != "n":
            assert held[key]["value"] == pytest.approx(figure["value"], abs=0.002), key
