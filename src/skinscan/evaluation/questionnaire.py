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
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import rankdata
from sklearn.model_selection import StratifiedGroupKFold

from skinscan import questionnaire as q
from skinscan.card import card_path_for, load_card, write_card
from skinscan.datasets import PAD, csv_entries, data_root, load_pool
from skinscan.evaluation.manifest import manifest_for_model, read_manifest
from skinscan.predictor import Answer, Predictor, decide

log = logging.getLogger(__name__)

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
PENALTIES = (0.1, 0.3, 1.0, 3.0)
"""scikit-learn's C (inverse ridge strength) tried."""
FOLDS = 5
REPEATS = 10
SEED = 18
MIN_GAIN = 0.002
"""A question joins only if it lowers the out-of-fold log loss by at least this much per photo."""
BOOTSTRAP = 2000


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


# --- the answers' score: ridge logistic regression on the answers alone, patient-level CV ------------------


def design(
    answers: list[q.Answers], questions: tuple[str, ...], centre: float, ages: tuple[float, float]
) -> np.ndarray:
    """Columns: age in decades (centred, clipped), then yes and no indicators per question (unknown: both 0)."""
    low, high = ages
    cols = [[0.0 if a.age is None else (min(max(a.age, low), high) - centre) / 10.0 for a in answers]]
    for name in questions:
        cols.append([1.0 if a.questions.get(name) == "yes" else 0.0 for a in answers])
        cols.append([1.0 if a.questions.get(name) == "no" else 0.0 for a in answers])
    return np.array(cols, np.float64).T


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count half); equals sklearn's roc_auc_score, faster."""
    ranks = rankdata(score)
    positives = y == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def log_loss(z: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


@dataclass(frozen=True)
class Candidate:
    questions: tuple[str, ...]
    c: float
    """scikit-learn's inverse ridge strength."""


@dataclass
class Dev:
    """The train + validation patients' rows with their answers' design matrix."""

    rows: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    answers: list[q.Answers]
    centre: float
    ages: tuple[float, float]
    folds: list[list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=list)
    """Per repeat, the (train, held) row indices of each fold: the same folds for every candidate."""

    def __post_init__(self) -> None:
        if not self.folds:
            x = np.zeros((len(self.y), 1))
            self.folds = [
                list(
                    StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED + r).split(
                        x, self.y, self.groups
                    )
                )
                for r in range(REPEATS)
            ]

    def x(self, questions: tuple[str, ...]) -> np.ndarray:
        return design(self.answers, questions, self.centre, self.ages)


@dataclass(frozen=True)
class Logistic:
    """A fitted ridge logistic regression: ``intercept + x @ coef``."""

    intercept: float
    coef: np.ndarray

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.intercept + x @ self.coef)


def answers_model(x: np.ndarray, y: np.ndarray, c: float) -> Logistic:
    """Ridge logistic regression with scikit-learn's objective (0.5 |coef|^2 + C * log loss; free intercept).

    Newton's method on these few columns: thousands of fits per selection take a second, where
    scikit-learn's general solver took minutes on a busy machine. Same optimum (a test compares them).
    """
    n, k = x.shape
    a = np.hstack([np.ones((n, 1)), x])
    ridge = np.full(k + 1, 1.0 / c)
    ridge[0] = 0.0
    theta = np.zeros(k + 1)
    for _ in range(100):
        z = a @ theta
        p = 1.0 / (1.0 + np.exp(-z))
        grad = a.T @ (p - y) + ridge * theta
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(ridge) + 1e-9 * np.eye(k + 1)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return Logistic(float(theta[0]), theta[1:].copy())


def cv_score(dev: Dev, cand: Candidate) -> dict[str, float]:
    losses, aucs = [], []
    x = dev.x(cand.questions)
    for folds in dev.folds:
        z = np.zeros(len(dev.y))
        for train, held in folds:
            model = answers_model(x[train], dev.y[train], cand.c)
            z[held] = model.decision_function(x[held])
        losses.append(log_loss(z, dev.y))
        aucs.append(float(auc(dev.y, z)))
    return {"log_loss": round(float(np.mean(losses)), 5), "roc_auc": round(float(np.mean(aucs)), 4)}


def select(dev: Dev) -> tuple[Candidate, list[dict[str, Any]]]:
    """Forward selection of questions (age always in) per ridge strength; the lowest out-of-fold log loss."""
    trail: list[dict[str, Any]] = []
    best: tuple[float, Candidate] | None = None
    for c in PENALTIES:
        chosen: tuple[str, ...] = ()
        score = cv_score(dev, Candidate(chosen, c))
        trail.append({"questions": ["age"], "C": c, **score})
        while len(chosen) < len(q.QUESTIONS):
            trials = []
            for name in q.QUESTIONS:
                if name not in chosen:
                    s = cv_score(dev, Candidate((*chosen, name), c))
                    trail.append({"questions": ["age", *chosen, name], "C": c, **s})
                    trials.append((s["log_loss"], name, s))
            loss, name, s = min(trials)
            if score["log_loss"] - loss < MIN_GAIN:
                break
            chosen, score = (*chosen, name), s
        candidate = Candidate(tuple(n for n in q.QUESTIONS if n in chosen), c)
        log.info("questionnaire CV: %s -> %s", candidate, score)
        if best is None or score["log_loss"] < best[0]:
            best = (score["log_loss"], candidate)
    assert best is not None
    return best[1], trail


def centred_terms(model: Logistic, dev: Dev, questions: tuple[str, ...]) -> tuple[float, dict[str, dict[str, float]]]:
    """(per year, question -> {yes, no}) with each question's terms centred on the patients who answered it.

    So an answer moves the estimate relative to the average person who answered, and "unknown" (0) means
    "like the average": the combination needs no intercept, and no answer leaves the photo's estimate.
    """
    beta = model.coef
    terms: dict[str, dict[str, float]] = {}
    for i, name in enumerate(questions):
        yes, no = float(beta[1 + 2 * i]), float(beta[2 + 2 * i])
        given = [a.questions.get(name) for a in dev.answers if a.questions.get(name) in ("yes", "no")]
        share_yes = sum(v == "yes" for v in given) / max(1, len(given))
        mean = share_yes * yes + (1 - share_yes) * no
        terms[name] = {"yes": yes - mean, "no": no - mean}
    return float(beta[0]) / 10.0, terms


# --- the scale of the answers' score against the photo, on photos the model never trained on ---------------


def scale_on_validation(
    photo_logit: np.ndarray, score: np.ndarray, y: np.ndarray, groups: np.ndarray
) -> dict[str, Any]:
    """Maximum-likelihood b in logit(p) = logit(p_photo) + b * score, with a bootstrap over patients.

    Only the PAD validation patients have photo estimates the model did not learn (on its PAD training
    photos ROC AUC is ~1), and they are few; ``b`` = 1 (the answers as independent evidence) is kept unless
    their bootstrap interval excludes it.
    """

    def best(sel: np.ndarray) -> float:
        res = minimize_scalar(
            lambda b: log_loss(photo_logit[sel] + b * score[sel], y[sel]), bounds=(0.0, 3.0), method="bounded"
        )
        return float(res.x)

    ids = np.unique(groups)
    index = {g: np.flatnonzero(groups == g) for g in ids}
    rng = np.random.default_rng(SEED)
    draws = []
    for _ in range(BOOTSTRAP // 4):
        sel = np.concatenate([index[g] for g in rng.choice(ids, len(ids))])
        if y[sel].min() != y[sel].max():
            draws.append(best(sel))
    estimate = best(np.arange(len(y)))
    low, high = (float(np.percentile(draws, p)) for p in (2.5, 97.5))
    chosen = 1.0 if low <= 1.0 <= high else estimate
    return {"estimate": round(estimate, 4), "ci95": [round(low, 4), round(high, 4)], "chosen": chosen}


def patient_bootstrap(
    y: np.ndarray, groups: np.ndarray, p_photo: np.ndarray, p_with: np.ndarray, threshold: float
) -> dict[str, Any]:
    """Point figures and 95 % intervals at ``threshold``, resampling whole patients."""
    ids = np.unique(groups)
    index = {g: np.flatnonzero(groups == g) for g in ids}

    def figures(sel: np.ndarray) -> dict[str, float]:
        yy, a, b = y[sel], p_photo[sel], p_with[sel]
        auc_photo = float(auc(yy, a))
        auc_with = float(auc(yy, b))
        return {
            "roc_auc_photo": auc_photo,
            "roc_auc_with_answers": auc_with,
            "roc_auc_gain": auc_with - auc_photo,
            "sensitivity_photo": float(np.mean(a[yy == 1] >= threshold)),
            "specificity_photo": float(np.mean(a[yy == 0] < threshold)),
            "sensitivity_with_answers": float(np.mean(b[yy == 1] >= threshold)),
            "specificity_with_answers": float(np.mean(b[yy == 0] < threshold)),
        }

    point = figures(np.arange(len(y)))
    rng = np.random.default_rng(SEED)
    draws: dict[str, list[float]] = {k: [] for k in point}
    for _ in range(BOOTSTRAP):
        sel = np.concatenate([index[g] for g in rng.choice(ids, len(ids))])
        if y[sel].min() == y[sel].max():
            continue
        for k, v in figures(sel).items():
            draws[k].append(v)
    out: dict[str, Any] = {
        k: {"value": round(v, 4), "ci95": [round(float(np.percentile(draws[k], p)), 4) for p in (2.5, 97.5)]}
        for k, v in point.items()
    }
    out["n"] = {"photos": len(y), "patients": len(ids), "malignant": int(y.sum())}
    return out


def section(data: PadData, threshold: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the card's questionnaire section, the full report): fitted on PAD train+val; test only reported."""
    keep = data.label >= 0
    dev_rows = np.flatnonzero(np.isin(data.split, ["train", "val"]) & keep)
    test = np.flatnonzero((data.split == "test") & keep)
    ages = [data.answers[i].age for i in dev_rows if data.answers[i].age is not None]
    dev = Dev(
        rows=dev_rows,
        y=data.label[dev_rows],
        groups=data.patient[dev_rows],
        answers=[data.answers[i] for i in dev_rows],
        centre=float(round(float(np.mean([a for a in ages if a is not None])))),
        ages=(float(min(a for a in ages if a is not None)), float(max(a for a in ages if a is not None))),
    )
    chosen, trail = select(dev)
    model = answers_model(dev.x(chosen.questions), dev.y, chosen.c)
    per_year, terms = centred_terms(model, dev, chosen.questions)

    def block_for(b: float) -> dict[str, Any]:
        return {
            "photo_weight": 1.0,
            "questions": {
                n: {"column": COLUMNS[n], "yes": round(b * t["yes"], 6), "no": round(b * t["no"], 6)}
                for n, t in terms.items()
            },
            "age": {"per_year": round(b * per_year, 6), "centre": dev.centre, "low": dev.ages[0], "high": dev.ages[1]},
        }

    def combined(rows: np.ndarray, block: dict[str, Any]) -> np.ndarray:
        spec = q.spec_from_card({"questionnaire": block})
        return np.array([q.combine(float(data.p_photo[i]), data.answers[i], spec) for i in rows])

    # the scale b, on the validation patients, with their answers scored out of fold
    val_in_dev = np.flatnonzero(data.split[dev_rows] == "val")
    unit = spec_unit = block_for(1.0)
    oof = np.mean([_oof_terms(dev, chosen, folds, unit) for folds in dev.folds], axis=0)
    photo = np.array([q.logit(float(v)) for v in data.p_photo])
    scale = scale_on_validation(photo[dev_rows][val_in_dev], oof[val_in_dev], dev.y[val_in_dev], dev.groups[val_in_dev])
    block = block_for(scale["chosen"])
    del spec_unit

    val_rows = dev_rows[val_in_dev]
    p_val = 1.0 / (1.0 + np.exp(-(photo[val_rows] + scale["chosen"] * oof[val_in_dev])))
    validation = patient_bootstrap(
        data.label[val_rows], data.patient[val_rows], data.p_photo[val_rows], p_val, threshold
    )
    held = patient_bootstrap(data.label[test], data.patient[test], data.p_photo[test], combined(test, block), threshold)
    block |= {
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


def fit_questionnaire(model: Path, data: Path, reports: Path | None = Path("reports")) -> dict[str, Any]:
    """Fit on the model's PAD train+val patients, write the card's section (and reports/questionnaire.*)."""
    card_file = card_path_for(model)
    card = load_card(card_file, model_path=model)
    pad = load_pad(model, data)
    block, report = section(pad, card.threshold)
    document = dict(card.data)
    document["questionnaire"] = block
    write_card(card_file, document)
    if reports is not None:
        reports.mkdir(parents=True, exist_ok=True)
        report["model"] = {"name": card.name, "version": card.version, "sha256": card.onnx_sha256}
        report["section"] = block
        (reports / "questionnaire.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (reports / "questionnaire.md").write_text(markdown(report), encoding="utf-8")
    log.info("questionnaire: %s; test %s", report["chosen"], report["test_patients"])
    return block
