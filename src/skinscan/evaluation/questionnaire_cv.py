"""The questionnaire fit's statistics: the answers-only ridge logistic regression (Newton), its patient-level
cross-validation and forward selection, the answers' scale against the photo, and the patient bootstrap.

Split out of skinscan.evaluation.questionnaire (which re-exports every name here); see there for the method.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import rankdata
from sklearn.model_selection import StratifiedGroupKFold

from skinscan import questionnaire as q

log = logging.getLogger("skinscan.evaluation.questionnaire")
"""The fit's logger, as before the split."""

PENALTIES = (0.1, 0.3, 1.0, 3.0)
"""scikit-learn's C (inverse ridge strength) tried."""
FOLDS = 5
REPEATS = 10
SEED = 18
MIN_GAIN = 0.002
"""A question joins only if it lowers the out-of-fold log loss by at least this much per photo."""
BOOTSTRAP = 2000


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
