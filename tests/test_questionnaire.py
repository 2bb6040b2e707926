"""skinscan.questionnaire: parsing answers and the combination with the photo (issue 18)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from skinscan import questionnaire as q
from skinscan.card import CardError, load_card, validate_card
from tiny_model import tiny_card

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "web" / "src" / "questions" / "parity.fixture.json"
SECTION: dict[str, Any] = {
    "photo_weight": 1.0,
    "questions": {"grown": {"yes": 0.9, "no": -0.6}, "bleeds": {"yes": 1.1, "no": -0.3}},
    "age": {"per_year": 0.03, "centre": 60.0, "low": 14.0, "high": 91.0},
}
SPEC = q.spec_from_card({"questionnaire": SECTION})


def answers(**fields: str) -> q.Answers:
    return q.parse_answers({k: [v] for k, v in fields.items()})


@pytest.mark.parametrize("p", [0.0, 1e-9, 0.01, 0.2267, 0.5, 0.7312345678901234, 0.999, 1.0])
def test_no_answer_returns_the_photo_estimate_itself(p: float) -> None:
    for none in (q.Answers(), answers(grown="unknown", bleeds="unknown", itches="unknown"), answers(hurts="yes")):
        assert q.combine(p, none, SPEC) is p or q.combine(p, none, SPEC) == p
        assert math.copysign(1, q.combine(p, none, SPEC)) == math.copysign(1, p)
    assert q.combine(p, answers(grown="yes"), None) == p  # a card without a questionnaire


def test_the_combination_is_the_documented_formula() -> None:
    p = 0.3
    got = q.combine(p, answers(age="80", grown="yes", bleeds="no", changed="yes"), SPEC)
    z = math.log(p / (1 - p)) + 0.9 - 0.3 + 0.03 * (80 - 60)  # changed: not in the card, adds nothing
    assert got == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-15)
    assert q.combine(p, answers(age="120"), SPEC) == q.combine(p, answers(age="91"), SPEC)  # clipped
    assert q.combine(p, answers(age="60"), SPEC) == pytest.approx(p, abs=1e-15)  # at the centre: ~ the photo


def test_extreme_photo_estimates_stay_finite() -> None:
    for p in (0.0, 1.0):
        value = q.combine(p, answers(grown="yes"), SPEC)
        assert 0.0 < value < 1.0 and math.isfinite(value)


@pytest.mark.parametrize(
    ("raw", "bad"),
    [
        ({"age": ["-3"]}, ["age"]),
        ({"age": ["old"]}, ["age"]),
        ({"age": ["1000"]}, ["age"]),
        ({"age": ["121"]}, ["age"]),
        ({"age": ["٣٣"]}, ["age"]),  # other scripts' digits are not accepted
        ({"grown": ["maybe"]}, ["grown"]),
        ({"grown": ["x" * 5000]}, ["grown"]),
        ({"grown": ["yes", "yes"]}, ["grown"]),
        ({"raised": ["yes"], "hurts": ["nope"], "age": [""]}, ["age", "hurts"]),
    ],
)
def test_bad_answers_are_named(raw: dict[str, list[str]], bad: list[str]) -> None:
    with pytest.raises(q.InvalidAnswers) as caught:
        q.parse_answers(raw)
    assert caught.value.fields == bad
    assert "x" * 20 not in str(caught.value)


def test_good_answers_parse() -> None:
    parsed = q.parse_answers({"age": ["1"], "grown": ["Yes"], "hurts": ["unknown"], "colour": ["red"]})
    assert parsed.as_dict() == {"age": 1, "grown": "yes", "hurts": "unknown"}
    assert not parsed.empty and q.parse_answers({"hurts": ["unknown"]}).empty
    assert q.parse_answers({"age": ["120"]}).age == 120


def test_a_malformed_section_is_a_card_error() -> None:
    card = tiny_card("0" * 64)
    validate_card(card | {"questionnaire": SECTION})
    for broken in (
        {**SECTION, "photo_weight": 0},
        {**SECTION, "questions": {"weight": {"yes": 1, "no": 0}}},
        {**SECTION, "questions": {"grown": {"yes": "high", "no": 0}}},
        {**SECTION, "age": {"per_year": 0.1, "centre": 200, "low": 1, "high": 90}},
    ):
        with pytest.raises(CardError):
            validate_card(card | {"questionnaire": broken})


def test_the_shipped_card_has_a_valid_section() -> None:
    card = load_card(REPO / "models" / "skinscan.json")
    assert card.questionnaire is not None
    section = card.data["questionnaire"]
    assert section["validated_on"]["source"] == "pad-ufes-20"
    assert "age" in card.questionnaire.asked


def test_the_parity_fixture_matches_this_module() -> None:
    """The web's parity test checks its TypeScript twin against this file; it must be today's numbers."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    spec = q.spec_from_card({"questionnaire": fixture["questionnaire"]})
    assert len(fixture["cases"]) >= 20
    for case in fixture["cases"]:
        parsed = q.parse_answers({k: [str(v)] for k, v in case["answers"].items()})
        assert q.combine(case["p_photo"], parsed, spec) == pytest.approx(case["p"], abs=1e-12)


def test_only_export_writes_the_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`skinscan questionnaire fit` re-fits and reports, and leaves the card byte-identical (issue 21: the
    card is written once, at export); export's call (``into_card``) writes the fitted section."""
    import shutil

    from skinscan.evaluation import questionnaire as fit

    model = tmp_path / "skinscan.onnx"
    shutil.copyfile(REPO / "models" / "skinscan.onnx", model)
    shutil.copyfile(REPO / "models" / "skinscan.json", tmp_path / "skinscan.json")
    before = (tmp_path / "skinscan.json").read_bytes()
    fitted = dict(SECTION, fitted=True)
    monkeypatch.setattr(fit, "load_pad", lambda model, data: None)
    monkeypatch.setattr(fit, "section", lambda pad, threshold: (fitted, {"chosen": [], "test_patients": {}}))
    monkeypatch.setattr(fit, "markdown", lambda report: "report\n")

    assert fit.fit_questionnaire(model, tmp_path, reports=tmp_path / "reports") == fitted
    assert (tmp_path / "skinscan.json").read_bytes() == before
    assert json.loads((tmp_path / "reports" / "questionnaire.json").read_text())["section"] == fitted

    fit.fit_questionnaire(model, tmp_path, reports=None, into_card=True)
    assert json.loads((tmp_path / "skinscan.json").read_text())["questionnaire"] == fitted
