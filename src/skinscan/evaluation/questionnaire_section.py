"""The card's questionnaire section and reports/questionnaire.md from scored PAD-UFES-20 photos.

Split out of skinscan.evaluation.questionnaire (which re-exports every name here); see there for the method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skinscan import questionnaire as q
from skinscan.evaluation.questionnaire_cv import (
    FOLDS,
    MIN_GAIN,
    PENALTIES,
    REPEATS,
    Candidate,
    Dev,
    answers_model,
    auc,
    centred_terms,
    cv_score,
    patient_bootstrap,
    scale_on_validation,
    select,
)

COLUMNS = {
    "grown": "grew",
    "changed": "changed",
    "bleeds": "bleed",
    "itches": "itch",
    "hurts": "hurt",
    "raised": "elevation",
}
"""API question -> PAD-UFES-20 labels.csv column (True / False / UNK)."""
CODING = {"True": "yes", "False": "no", "UNK": "unknown", "": "unknown"}


@dataclass
class PadData:
    p_photo: np.ndarray
    accepted: np.ndarray
    """The server would answer the photo (quality checks and gate pass)."""
    label: np.ndarray
    patient: np.ndarray
    split: np.ndarray
    answers: list[q.Answers]


def pad_answers(row: dict[str, str]) -> q.Answers:
    age = row.get("age", "").strip()
    return q.Answers(
        age=int(float(age)) if age else None,
        questions={name: CODING[row.get(column, "").strip()] for name, column in COLUMNS.items()},
    )


def _dev(data: PadData) -> Dev:
    """The train + validation patients with a known label, their answers and the age centre and range."""
    keep = data.label >= 0
    dev_rows = np.flatnonzero(np.isin(data.split, ["train", "val"]) & keep)
    ages = [data.answers[i].age for i in dev_rows if data.answers[i].age is not None]
    return Dev(
        rows=dev_rows,
        y=data.label[dev_rows],
        groups=data.patient[dev_rows],
        answers=[data.answers[i] for i in dev_rows],
        centre=float(round(float(np.mean([a for a in ages if a is not None])))),
        ages=(float(min(a for a in ages if a is not None)), float(max(a for a in ages if a is not None))),
    )


def _block_for(b: float, terms: dict[str, dict[str, float]], per_year: float, dev: Dev) -> dict[str, Any]:
    """The section's coefficients with the answers' terms scaled by ``b``."""
    return {
        "photo_weight": 1.0,
        "questions": {
            n: {"column": COLUMNS[n], "yes": round(b * t["yes"], 6), "no": round(b * t["no"], 6)}
            for n, t in terms.items()
        },
        "age": {"per_year": round(b * per_year, 6), "centre": dev.centre, "low": dev.ages[0], "high": dev.ages[1]},
    }


def _combined(data: PadData, rows: np.ndarray, block: dict[str, Any]) -> np.ndarray:
    spec = q.spec_from_card({"questionnaire": block})
    return np.array([q.combine(float(data.p_photo[i]), data.answers[i], spec) for i in rows])


def _described(
    chosen: Candidate, scale: dict[str, Any], validation: dict[str, Any], held: dict[str, Any]
) -> dict[str, Any]:
    """The section's text fields and its validation figures."""
    return {
        "formula": "logit(p) = photo_weight * logit(p_photo) + the answered questions' coefficients "
        "+ age.per_year * (clip(age, low, high) - centre); 'unknown' or no answer adds 0; with no answer "
        "that moves it, p = p_photo exactly",
        "not_asked": [n for n in q.QUESTIONS if n not in chosen.questions],
        "coding": {"yes": "PAD-UFES-20 True", "no": "PAD-UFES-20 False", "unknown": "UNK, or not answered: adds 0"},
        "threshold": "the card's threshold and risk bands apply to the combined estimate",
        "method": (
            f"answers-only ridge logistic regression on PAD-UFES-20 train+val patients; questions chosen by forward "
            f"selection on out-of-fold log loss ({REPEATS}x{FOLDS}-fold StratifiedGroupKFold over patients; a question "
            f"joins if it lowers it by >= {MIN_GAIN}; age always kept; C in {list(PENALTIES)}: {chosen.c}); each "
            "question's terms centred on those who answered it; photo weight fixed at 1 (the photo estimate is "
            "calibrated on validation photos, and on PAD training photos the model's ROC AUC is ~1, so a weight "
            "fitted there would be meaningless); the answers' scale b = 1 (independent evidence) unless the PAD "
            f"validation patients' bootstrap interval excludes it: estimate {scale['estimate']}, 95% "
            f"{scale['ci95']}, used {round(scale['chosen'], 4)}"
        ),
        "validated_on": {
            "source": "pad-ufes-20",
            "population": "PAD-UFES-20: patients of a dermatology programme in Espirito Santo, Brazil; smartphone "
            "photos; its diagnosis mix (basal cell carcinoma, actinic keratosis, naevi, seborrhoeic keratosis, "
            "melanoma, squamous cell carcinoma)",
            "validation_patients": validation,
            "test_patients": held,
        },
        "limitations": [
            "Fitted and validated on PAD-UFES-20 only (Brazil, smartphone photos, mostly older patients, many basal "
            "cell carcinomas and actinic keratoses): elsewhere the answers may move the estimate too much or too "
            "little.",
            "Answers never make a photo acceptable: a photo that the gate or the quality checks refuse stays refused.",
        ],
    }


def section(data: PadData, threshold: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the card's questionnaire section, the full report): fitted on PAD train+val; test only reported."""
    test = np.flatnonzero((data.split == "test") & (data.label >= 0))
    dev = _dev(data)
    dev_rows = dev.rows
    chosen, trail = select(dev)
    model = answers_model(dev.x(chosen.questions), dev.y, chosen.c)
    per_year, terms = centred_terms(model, dev, chosen.questions)

    # the scale b, on the validation patients, with their answers scored out of fold
    val_in_dev = np.flatnonzero(data.split[dev_rows] == "val")
    unit = _block_for(1.0, terms, per_year, dev)
    oof = np.mean([_oof_terms(dev, chosen, folds, unit) for folds in dev.folds], axis=0)
    photo = np.array([q.logit(float(v)) for v in data.p_photo])
    scale = scale_on_validation(photo[dev_rows][val_in_dev], oof[val_in_dev], dev.y[val_in_dev], dev.groups[val_in_dev])
    block = _block_for(scale["chosen"], terms, per_year, dev)

    val_rows = dev_rows[val_in_dev]
    p_val = 1.0 / (1.0 + np.exp(-(photo[val_rows] + scale["chosen"] * oof[val_in_dev])))
    validation = patient_bootstrap(
        data.label[val_rows], data.patient[val_rows], data.p_photo[val_rows], p_val, threshold
    )
    held = patient_bootstrap(
        data.label[test], data.patient[test], data.p_photo[test], _combined(data, test, block), threshold
    )
    block |= _described(chosen, scale, validation, held)
    spec = q.spec_from_card({"questionnaire": block})
    assert spec is not None
    report = {
        "chosen": {"questions": list(chosen.questions), "C": chosen.c, "scale": scale},
        "trail": trail,
        "cv_answers_only": cv_score(dev, chosen),
        "validation_patients": validation,
        "test_patients": held,
        "test_accepted_share": round(float(data.accepted[test].mean()), 4),
        "ablation_test_auc": ablation(data, test, spec),
    }
    return block, report


def _oof_terms(
    dev: Dev, cand: Candidate, folds: list[tuple[np.ndarray, np.ndarray]], unit: dict[str, Any]
) -> np.ndarray:
    """Each dev row's answer terms (scale 1) from a model fitted without its patient's fold."""
    x = dev.x(cand.questions)
    z = np.zeros(len(dev.y))
    for train, held in folds:
        fold = Dev(
            dev.rows[train],
            dev.y[train],
            dev.groups[train],
            [dev.answers[i] for i in train],
            dev.centre,
            dev.ages,
            [[]],
        )
        per_year, terms = centred_terms(answers_model(x[train], dev.y[train], cand.c), fold, cand.questions)
        block = {
            **unit,
            "questions": {n: dict(t) for n, t in terms.items()},
            "age": {**unit["age"], "per_year": per_year},
        }
        spec = q.spec_from_card({"questionnaire": block})
        assert spec is not None
        z[held] = [sum(q.contributions(dev.answers[i], spec).values()) for i in held]
    return z


def ablation(data: PadData, rows: np.ndarray, spec: q.QuestionnaireSpec) -> dict[str, float]:
    """Test ROC AUC when one field is left unanswered (the rest answered), and age only / questions only."""
    y = data.label[rows]

    def auc_with(keep: set[str]) -> float:
        p = [
            q.combine(
                float(data.p_photo[i]),
                q.Answers(
                    age=data.answers[i].age if q.AGE in keep else None,
                    questions={k: v for k, v in data.answers[i].questions.items() if k in keep},
                ),
                spec,
            )
            for i in rows
        ]
        return round(auc(y, np.array(p)), 4)

    everything = set(q.FIELDS)
    table = {f"without_{name}": auc_with(everything - {name}) for name in spec.asked}
    table["age_only"] = auc_with({q.AGE})
    table["questions_only"] = auc_with(everything - {q.AGE})
    return table


def _figure(entry: dict[str, Any]) -> str:
    low, high = entry["ci95"]
    return f"{entry['value']:.3f} [{low:.3f}, {high:.3f}]"


def markdown(report: dict[str, Any]) -> str:
    """reports/questionnaire.md: what was chosen and how it did on held-out patients."""
    section = report["section"]
    lines = [
        "# The questionnaire combined with the photo (PAD-UFES-20)",
        "",
        f"Model: {report['model']['name']} {report['model']['version']}. Reproduce: "
        "`skinscan questionnaire fit --model models/skinscan.onnx --data $SKINSCAN_DATA`.",
        "",
        f"Method: {section['method']}.",
        "",
        f"Questions used: {', '.join(section['questions'])} and age; not asked (no gain in cross-validation): "
        f"{', '.join(section['not_asked']) or 'none'}.",
        "",
        "| term | log-odds |",
        "|---|---|",
        *(f"| {n} = yes / no | {t['yes']:+.3f} / {t['no']:+.3f} |" for n, t in section["questions"].items()),
        f"| age, per year from {section['age']['centre']:g} (clipped to {section['age']['low']:g}-"
        f"{section['age']['high']:g}) | {section['age']['per_year']:+.4f} |",
        "",
        f"Answers-only cross-validation on train+val patients: {report['cv_answers_only']}.",
        "",
        "Figures at the card's threshold, 95 % intervals from a bootstrap over patients:",
        "",
        "| patients | photos (malignant) | ROC AUC photo | ROC AUC with answers | gain | sensitivity photo / "
        "with answers | specificity photo / with answers |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("validation_patients", "test_patients"):
        m = report[name]
        lines.append(
            f"| {name.split('_')[0]} ({m['n']['patients']}) | {m['n']['photos']} ({m['n']['malignant']}) | "
            f"{_figure(m['roc_auc_photo'])} | {_figure(m['roc_auc_with_answers'])} | {_figure(m['roc_auc_gain'])} | "
            f"{_figure(m['sensitivity_photo'])} / {_figure(m['sensitivity_with_answers'])} | "
            f"{_figure(m['specificity_photo'])} / {_figure(m['specificity_with_answers'])} |"
        )
    test = report["test_patients"]
    targets = {
        "ROC AUC with answers >= 0.90": test["roc_auc_with_answers"]["value"] >= 0.90,
        "gain >= 0.04": test["roc_auc_gain"]["value"] >= 0.04,
        "sensitivity with answers >= 0.85": test["sensitivity_with_answers"]["value"] >= 0.85,
        "specificity with answers >= 0.60": test["specificity_with_answers"]["value"] >= 0.60,
    }
    lines += [
        "",
        "Issue 18's targets on the test patients: "
        + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in targets.items())
        + ".",
    ]
    lines += [
        "",
        "Validation: the answers' terms there come from models fitted without that patient (out of fold). "
        "Test: the final coefficients; these patients were used for nothing else.",
        "",
        f"Test ROC AUC with one field left unanswered, or only some: {report['ablation_test_auc']}.",
        "",
        "Limits: " + " ".join(section["limitations"]),
        "",
    ]
    return "\n".join(lines)
