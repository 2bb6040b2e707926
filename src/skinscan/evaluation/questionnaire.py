"""Fit the questionnaire's coefficients (the card's ``questionnaire`` section) on PAD-UFES-20.

PAD-UFES-20 asked every patient whether the lesion itches, grew, hurts, changed, bleeds and is
raised (True / False / UNK) and their age. This module turns the exported model's calibrated
``p_malignant`` on those photos plus the answers into the combination that skinscan.questionnaire
applies (see there for the formula):

1. Score every PAD photo with the ONNX file (serving's session and decision; no torch).
2. On the *train + validation* patients of the model's split manifest only: an answers-only ridge
   logistic regression, its questions chosen by forward selection on the out-of-fold log loss of
   repeated patient-level cross-validation (StratifiedGroupKFold over patient ids; age always kept),
   each question's terms centred on the patients who answered it (so "unknown" adds 0).
3. The photo weight is fixed at 1: the model was trained on the PAD training photos (its ROC AUC
   there is ~1), so a weight fitted on them would be meaningless. The answers' scale ``b`` is 1
   (independent evidence) unless the validation patients, the only PAD photos with honest photo
   estimates, reject it; their answers are scored out of fold.
4. Report on the *test* patients (never used above): ROC AUC of the photo alone and with answers,
   sensitivity and specificity at the card's threshold, 95 % intervals from a bootstrap over patients.

The statistics live in ``questionnaire_cv``, the section and report in ``questionnaire_section``; every
name is re-exported here.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from skinscan.card import card_path_for, load_card, write_card
from skinscan.datasets import PAD, csv_entries, data_root, load_pool
from skinscan.evaluation.manifest import manifest_for_model, read_manifest
from skinscan.evaluation.questionnaire_cv import (
    BOOTSTRAP,
    FOLDS,
    MIN_GAIN,
    PENALTIES,
    REPEATS,
    SEED,
    Candidate,
    Dev,
    Logistic,
    answers_model,
    auc,
    centred_terms,
    cv_score,
    design,
    log_loss,
    patient_bootstrap,
    scale_on_validation,
    select,
)
from skinscan.evaluation.questionnaire_section import (
    CODING,
    COLUMNS,
    PadData,
    ablation,
    markdown,
    pad_answers,
    section,
)
from skinscan.predictor import Answer, Predictor, decide

__all__ = [
    "BOOTSTRAP",
    "CODING",
    "COLUMNS",
    "FOLDS",
    "MIN_GAIN",
    "PENALTIES",
    "REPEATS",
    "SEED",
    "Candidate",
    "Dev",
    "Logistic",
    "PadData",
    "ablation",
    "answers_model",
    "auc",
    "centred_terms",
    "cv_score",
    "design",
    "fit_questionnaire",
    "load_pad",
    "log_loss",
    "markdown",
    "pad_answers",
    "patient_bootstrap",
    "scale_on_validation",
    "section",
    "select",
]

log = logging.getLogger(__name__)


def load_pad(model: Path, data: Path) -> PadData:
    """Every PAD photo of the model's split manifest, scored by the ONNX file as the server does."""
    predictor = Predictor(model)
    manifest = read_manifest(manifest_for_model(model))
    pool, (images,) = load_pool(csv_entries(data_root(data), PAD), data_root(data), (predictor.size,))
    p, accepted = [], []
    for start in range(0, len(images), 32):
        outputs = predictor.run_arrays(images[start : start + 32])
        for i in range(len(outputs)):
            photo = outputs.photo(i)
            p.append(photo.p_malignant)
            accepted.append(isinstance(decide(photo, predictor.card, None), Answer))
    return PadData(
        p_photo=np.array(p, np.float64),
        accepted=np.array(accepted, bool),
        label=pool.label.astype(np.int64),
        patient=np.array([e["patient_id"] for e in pool.extra]),
        split=np.array([manifest.get(rel, ("missing", -1))[0] for rel in pool.rel]),
        answers=[pad_answers(e) for e in pool.extra],
    )


def fit_questionnaire(
    model: Path, data: Path, reports: Path | None = Path("reports"), *, into_card: bool = False
) -> dict[str, Any]:
    """Fit on the model's PAD train+val patients; write reports/questionnaire.* (and the card's section).

    Only ``skinscan export`` passes ``into_card``: the card is written once, at export (issue 21). Run on
    its own (``skinscan questionnaire fit``) it re-fits and reports, says whether the fit still gives the
    card's section, and leaves the card as it is.
    """
    card_file = card_path_for(model)
    card = load_card(card_file, model_path=model)
    pad = load_pad(model, data)
    block, report = section(pad, card.threshold)
    if into_card:
        document = dict(card.data)
        document["questionnaire"] = block
        write_card(card_file, document)
    elif block != card.data.get("questionnaire"):
        log.warning("the fit no longer gives the card's questionnaire section: re-export the model to ship it")
    if reports is not None:
        reports.mkdir(parents=True, exist_ok=True)
        report["model"] = {"name": card.name, "version": card.version, "sha256": card.onnx_sha256}
        report["section"] = block
        (reports / "questionnaire.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (reports / "questionnaire.md").write_text(markdown(report), encoding="utf-8")
    log.info("questionnaire: %s; test %s", report["chosen"], report["test_patients"])
    return block
