"""The optional questionnaire: what the camera cannot see, combined with the photo's estimate.

Pure and small on purpose (no numpy, no onnxruntime): the server, the fitting code and the page's
TypeScript twin (web/src/questions/combine.ts) compute the same number from the card's
``questionnaire`` section. The combination, on the log-odds scale:

    logit(p) = photo_weight * logit(p_photo) + sum over the answered questions of coefficient[answer]
               + age_per_year * (clip(age) - age_centre)          (when the age is given)

A question answered ``unknown`` or not answered adds nothing. With no answer at all the result *is*
``p_photo`` (returned as it is, never through a logit round trip), so an answer without questions is
bit-identical to the photo-only answer. ``training/questionnaire.py`` fits the coefficients.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

QUESTIONS = ("grown", "changed", "bleeds", "itches", "hurts", "raised")
"""The yes/no questions, in the order the API and the page list them."""
AGE = "age"
FIELDS = (AGE, *QUESTIONS)
CHOICES = ("yes", "no", "unknown")
AGE_MIN, AGE_MAX = 1, 120
MAX_VALUE_CHARS = 16
"""Longer values are refused without being looked at (and never echoed)."""
P_EPS = 1e-7
"""p_photo is clipped to [P_EPS, 1 - P_EPS] before its logit, so 0 and 1 stay finite."""


class InvalidAnswers(ValueError):
    """Some answers are not acceptable; ``fields`` names them (values are never repeated back)."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields = sorted(set(fields), key=lambda f: FIELDS.index(f) if f in FIELDS else len(FIELDS))
        super().__init__("invalid answers: " + ", ".join(self.fields))


@dataclass(frozen=True)
class Answers:
    """Validated answers: ``age`` in whole years or None, each question yes | no | unknown when given."""

    age: int | None = None
    questions: Mapping[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing that could move the estimate: no age and no yes/no answer."""
        return self.age is None and all(v == "unknown" for v in self.questions.values())

    def as_dict(self) -> dict[str, int | str]:
        """What was received, in ``FIELDS`` order (for the API's ``answers``)."""
        out: dict[str, int | str] = {}
        if self.age is not None:
            out[AGE] = self.age
        for name in QUESTIONS:
            if name in self.questions:
                out[name] = self.questions[name]
        return out


def parse_answers(raw: Mapping[str, list[str]]) -> Answers:
    """Form values by field name (every value sent, in order) -> :class:`Answers`.

    Unknown field names are ignored. A field sent twice, an age that is not a whole number of years
    in [1, 120], a question answered other than yes/no/unknown, or an over-long value is invalid;
    all invalid fields are reported together.
    """
    bad: list[str] = []
    age: int | None = None
    questions: dict[str, str] = {}
    for name in FIELDS:
        values = raw.get(name)
        if not values:
            continue
        if len(values) != 1 or len(values[0]) > MAX_VALUE_CHARS:
            bad.append(name)
            continue
        value = values[0].strip()
        if name == AGE:
            if not (value.isascii() and value.isdigit()) or not AGE_MIN <= int(value) <= AGE_MAX:
                bad.append(name)
            else:
                age = int(value)
        elif value.lower() in CHOICES:
            questions[name] = value.lower()
        else:
            bad.append(name)
    if bad:
        raise InvalidAnswers(bad)
    return Answers(age=age, questions=questions)


@dataclass(frozen=True)
class AgeTerm:
    per_year: float
    centre: float
    low: float
    high: float
    """Ages are clipped to [low, high], the range the term was fitted on: no extrapolation."""

    def value(self, age: int) -> float:
        return self.per_year * (min(max(float(age), self.low), self.high) - self.centre)


@dataclass(frozen=True)
class QuestionnaireSpec:
    """The card's ``questionnaire`` section, typed: the coefficients on the log-odds scale."""

    photo_weight: float
    terms: Mapping[str, Mapping[str, float]]
    """question -> {"yes": coefficient, "no": coefficient}; the questions the combination uses."""
    age: AgeTerm | None

    @property
    def asked(self) -> tuple[str, ...]:
        """The questions that move the estimate (age first when it does), in ``FIELDS`` order."""
        return tuple(f for f in FIELDS if (f == AGE and self.age is not None) or f in self.terms)


class QuestionnaireError(ValueError):
    """The card's questionnaire section is malformed."""


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise QuestionnaireError(f"questionnaire.{where} must be a finite number, got {value!r}")
    return float(value)


def spec_from_card(card: Mapping[str, Any]) -> QuestionnaireSpec | None:
    """The questionnaire of a card (its JSON document), or None when the card has none."""
    block = card.get("questionnaire")
    if block is None:
        return None
    if not isinstance(block, dict):
        raise QuestionnaireError("questionnaire must be an object")
    weight = _number(block.get("photo_weight"), "photo_weight")
    if weight <= 0:
        raise QuestionnaireError(f"questionnaire.photo_weight must be > 0, got {weight}")
    questions = block.get("questions")
    if not isinstance(questions, dict):
        raise QuestionnaireError("questionnaire.questions must be an object")
    terms: dict[str, dict[str, float]] = {}
    for name, entry in questions.items():
        if name not in QUESTIONS:
            raise QuestionnaireError(f"questionnaire.questions.{name}: not one of {list(QUESTIONS)}")
        if not isinstance(entry, dict):
            raise QuestionnaireError(f"questionnaire.questions.{name} must be an object")
        terms[name] = {c: _number(entry.get(c), f"questions.{name}.{c}") for c in ("yes", "no")}
    age_block = block.get("age")
    age: AgeTerm | None = None
    if age_block is not None:
        if not isinstance(age_block, dict):
            raise QuestionnaireError("questionnaire.age must be an object")
        age = AgeTerm(
            per_year=_number(age_block.get("per_year"), "age.per_year"),
            centre=_number(age_block.get("centre"), "age.centre"),
            low=_number(age_block.get("low"), "age.low"),
            high=_number(age_block.get("high"), "age.high"),
        )
        if not age.low <= age.centre <= age.high:
            raise QuestionnaireError("questionnaire.age needs low <= centre <= high")
    return QuestionnaireSpec(photo_weight=weight, terms=terms, age=age)


def logit(p: float) -> float:
    p = min(max(p, P_EPS), 1.0 - P_EPS)
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def contributions(answers: Answers, spec: QuestionnaireSpec) -> dict[str, float]:
    """Each answer's term on the log-odds scale (only answers that the combination uses)."""
    out: dict[str, float] = {}
    if answers.age is not None and spec.age is not None:
        out[AGE] = spec.age.value(answers.age)
    for name in QUESTIONS:
        choice = answers.questions.get(name)
        if choice in ("yes", "no") and name in spec.terms:
            out[name] = spec.terms[name][choice]
    return out


def combine(p_photo: float, answers: Answers, spec: QuestionnaireSpec | None) -> float:
    """The estimate with the answers; exactly ``p_photo`` when no answer can move it."""
    if spec is None:
        return p_photo
    terms = contributions(answers, spec)
    if not terms:
        return p_photo
    z = spec.photo_weight * logit(p_photo)
    for name in FIELDS:  # a fixed order, so Python and TypeScript add in the same order
        if name in terms:
            z += terms[name]
    return sigmoid(z)
