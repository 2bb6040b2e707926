"""The decision of docs/model-contract.md on hand-made model outputs, the card's blocks, the stand-in."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image, ImageFilter

from contract import assert_follows_contract
from skinscan.bench.synthetic import lesion_photo
from skinscan.card import CardError, ModelCard, validate_card
from skinscan.images import square_crop_resize
from skinscan.predictor import Answer, PhotoOutputs, Refusal, decide
from tiny_model import tiny_card

SIGNALS = ("brightness", "overexposed", "contrast", "sharpness")
GOOD_QUALITY = (0.5, 0.0, 0.15, 0.3)  # passes every check of the tiny card


@pytest.fixture(scope="module")
def card() -> ModelCard:
    return validate_card(tiny_card("0" * 64))


def _outputs(p: float = 0.7, p_lesion: float = 0.9, quality: tuple[float, ...] = GOOD_QUALITY) -> PhotoOutputs:
    return PhotoOutputs(p_malignant=p, p_lesion=p_lesion, quality=quality, evidence=np.full((7, 7), 0.12345))


def test_card_blocks_are_typed(card: ModelCard) -> None:
    assert card.contract == 2 and card.input_size == 224
    assert card.gate is not None and card.gate.output == "p_lesion" and card.gate.threshold == 0.5
    assert card.quality is not None and card.quality.signals == SIGNALS and card.quality.min_side == 64
    assert [c.reason for c in card.quality.checks] == ["out_of_focus", "too_dark", "overexposed", "low_contrast"]


def test_a_good_photo_is_answered(card: ModelCard) -> None:
    answer = decide(_outputs(p=0.7), card, (640, 480))
    assert isinstance(answer, Answer)
    assert (answer.label, answer.risk, answer.p_malignant, answer.threshold) == ("malignant", "medium", 0.7, 0.5)
    assert answer.evidence == [[0.123] * 7] * 7


@pytest.mark.parametrize(
    ("quality", "reasons"),
    [
        ((0.5, 0.0, 0.15, 0.01), ("out_of_focus",)),
        ((0.05, 0.0, 0.15, 0.3), ("too_dark",)),
        ((0.9, 0.8, 0.15, 0.3), ("overexposed",)),
        ((0.5, 0.0, 0.01, 0.3), ("low_contrast",)),
        ((0.0, 0.0, 0.0, 0.0), ("out_of_focus", "too_dark", "low_contrast")),
        ((0.5, 0.0, 0.15, math.nan), ("out_of_focus",)),  # a broken signal never passes
    ],
)
def test_failing_checks_refuse_as_unusable(
    card: ModelCard, quality: tuple[float, ...], reasons: tuple[str, ...]
) -> None:
    assert decide(_outputs(quality=quality), card, (640, 480)) == Refusal("photo_unusable", reasons)


def test_bounds_are_inclusive(card: ModelCard) -> None:
    # min: fails only below; max: fails only above; the gate passes at its threshold.
    at_bounds = (0.12, 0.5, 0.02, 0.05)
    assert isinstance(decide(_outputs(quality=at_bounds, p_lesion=0.5), card, (64, 64)), Answer)


def test_too_small_uses_the_shorter_side_of_the_original_photo(card: ModelCard) -> None:
    assert decide(_outputs(), card, (4000, 63)) == Refusal("photo_unusable", ("too_small",))
    assert decide(_outputs(quality=(0.05, 0.0, 0.15, 0.3)), card, (63, 4000)) == Refusal(
        "photo_unusable", ("too_dark", "too_small")
    )
    assert isinstance(decide(_outputs(), card, None), Answer)  # size unknown: not checked


def test_gate_refuses_after_quality(card: ModelCard) -> None:
    assert decide(_outputs(p_lesion=0.49), card, (640, 480)) == Refusal("not_a_lesion", ("not_a_lesion",))
    assert decide(_outputs(p_lesion=math.nan), card, (640, 480)) == Refusal("not_a_lesion", ("not_a_lesion",))
    unusable_and_not_skin = decide(_outputs(p_lesion=0.0, quality=(0.05, 0.0, 0.15, 0.3)), card, (640, 480))
    assert unusable_and_not_skin == Refusal("photo_unusable", ("too_dark",))


def test_label_band_and_threshold_never_disagree(card: ModelCard) -> None:
    for p in np.linspace(0, 1, 101):
        answer = decide(_outputs(p=float(p)), card)
        assert isinstance(answer, Answer)
        assert (answer.label == "benign") == (answer.risk == "low") == (p < 0.5)


def test_a_contract_1_card_answers_everything() -> None:
    data = tiny_card("0" * 64)
    del data["gate"], data["quality"]
    card = validate_card(data)
    assert card.contract == 1
    answer = decide(PhotoOutputs(p_malignant=0.2), card, (10, 10))
    assert isinstance(answer, Answer) and answer.evidence is None and answer.risk == "low"


def _broken(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(tiny_card("0" * 64))
    *parents, key = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[key]
    else:
        target[key] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("gate.threshold", 1.5, "gate.threshold"),
        ("gate.threshold", True, "gate.threshold"),
        ("gate.output", "", "gate.output"),
        ("quality.signals", [], "quality.signals"),
        ("quality.signals", ["a", "a"], "repeat"),
        ("quality.min_side", 0, "min_side"),
        ("quality.checks.0.signal", "colourfulness", "not one of quality.signals"),
        ("quality.checks.0.reason", "ugly", "must be one of"),
        ("quality.checks.0.max", 3.0, "exactly one of min or max"),
        ("quality.checks.0.min", KeyError, "exactly one of min or max"),
        ("quality.checks.0.min", "low", "finite number"),
        ("quality.checks", {}, "must be a list"),
        ("risk_bands.medium", 0.4, "must equal the threshold"),
        ("input.size", 200, "multiple of 32"),
    ],
)
def test_inconsistent_cards_are_refused(path: str, value: Any, message: str) -> None:
    with pytest.raises(CardError, match=message):
        validate_card(_broken(path, value))


def _contract_quality(pixels: np.ndarray) -> list[float]:
    """docs/model-contract.md's quality signals, written out independently of the ONNX graph."""
    rgb = pixels.astype(np.float64) / 255
    luma = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    laplacian = luma[:-2, 1:-1] + luma[2:, 1:-1] + luma[1:-1, :-2] + luma[1:-1, 2:] - 4 * luma[1:-1, 1:-1]
    contrast = float(luma.std())
    sharpness = float(np.sqrt(np.mean(laplacian**2))) / (contrast + 0.02)
    return [float(luma.mean()), float(np.mean(luma >= 0.97)), contrast, sharpness]


def test_the_stand_in_computes_the_contract(tiny_model: Path) -> None:
    session = ort.InferenceSession(str(tiny_model), providers=["CPUExecutionProvider"])
    photos = [
        lesion_photo(640, 480, seed=1),
        lesion_photo(300, 300, seed=2).filter(ImageFilter.GaussianBlur(6)),
        Image.new("RGB", (100, 100)),
        Image.new("RGB", (100, 100), (250, 250, 250)),
        Image.new("RGB", (100, 100), (30, 60, 200)),
    ]
    batch = np.stack([square_crop_resize(photo, 224) for photo in photos])
    p_malignant, p_lesion, evidence, quality = session.run(
        ["p_malignant", "p_lesion", "evidence", "quality"], {"image": batch}
    )
    assert_follows_contract(tiny_model, json.loads(tiny_model.with_suffix(".json").read_text()), batch)
    assert evidence.shape == (5, 7, 7)  # S/32 for the stand-in's 224 px
    for pixels, got_quality, got_gate in zip(batch, quality, p_lesion, strict=True):
        np.testing.assert_allclose(got_quality, _contract_quality(pixels), rtol=1e-3, atol=2e-4)  # float32
        mean = pixels.reshape(-1, 3).astype(np.float64).mean(axis=0) / 255
        assert got_gate == pytest.approx(1 / (1 + math.exp(-30 * (mean[0] - mean[2]))), abs=1e-5)
    assert p_lesion[0] > 0.5 > p_lesion[4]  # skin passes the gate, blue does not


def _card_with_low_needs(card: ModelCard, minimum: float) -> ModelCard:
    data = copy.deepcopy(card.data)
    data["quality"]["low_needs"] = [{"signal": "sharpness", "min": minimum, "reason": "out_of_focus"}]
    return validate_card(data)


def test_a_low_answer_needs_a_sharper_photo(card: ModelCard) -> None:
    """quality.low_needs (model 3): a photo soft enough to hide a cancer's detail is never answered "low"."""
    strict = _card_with_low_needs(card, 0.5)
    low = strict.risk_bands["medium"] / 2
    soft = (0.5, 0.0, 0.15, 0.3)  # passes quality.checks, fails low_needs (0.3 < 0.5)
    refusal = decide(_outputs(p=low, quality=soft), strict, (640, 480))
    assert isinstance(refusal, Refusal)
    assert (refusal.code, refusal.reasons) == ("photo_unusable", ("out_of_focus",))
    # the same soft photo with a higher estimate is still answered: only "low" needs the sharper photo
    assert isinstance(decide(_outputs(p=0.7, quality=soft), strict, (640, 480)), Answer)
    # and a sharp photo is answered low
    sharp = (0.5, 0.0, 0.15, 0.9)
    answer = decide(_outputs(p=low, quality=sharp), strict, (640, 480))
    assert isinstance(answer, Answer) and answer.risk == "low"


def test_low_needs_must_name_a_known_signal(card: ModelCard) -> None:
    data = copy.deepcopy(card.data)
    data["quality"]["low_needs"] = [{"signal": "nonsense", "min": 0.1, "reason": "out_of_focus"}]
    with pytest.raises(CardError, match="low_needs"):
        validate_card(data)


def test_answers_never_turn_a_refusal_into_an_answer(card: ModelCard) -> None:
    """Issue 18: the quality checks, the gate and low_needs are judged on the photo; answers cannot undo them."""
    from skinscan.questionnaire import parse_answers

    data = copy.deepcopy(_card_with_low_needs(card, 0.5).data)
    data["questionnaire"] = {
        "photo_weight": 1.0,
        "questions": {"grown": {"yes": 3.0, "no": -3.0}, "bleeds": {"yes": 3.0, "no": -3.0}},
        "age": None,
    }
    strict = validate_card(data)
    raising = parse_answers({"grown": ["yes"], "bleeds": ["yes"]})
    lowering = parse_answers({"grown": ["no"], "bleeds": ["no"]})
    soft = (0.5, 0.0, 0.15, 0.3)  # fails low_needs only
    low = strict.risk_bands["medium"] / 2
    for answers in (raising, lowering):
        # a soft photo the photo alone would answer "low": refused, whatever the answers
        assert isinstance(decide(_outputs(p=low, quality=soft), strict, (640, 480), answers), Refusal)
        # a photo refused by the gate or a quality check stays refused
        assert isinstance(decide(_outputs(p=0.7, p_lesion=0.1), strict, (640, 480), answers), Refusal)
        assert isinstance(decide(_outputs(p=0.7, quality=(0.5, 0.0, 0.15, 0.01)), strict, (640, 480), answers), Refusal)
    # answers that lower a soft photo's estimate into "low" get the refusal too, never a low answer
    assert isinstance(decide(_outputs(p=0.7, quality=soft), strict, (640, 480), lowering), Refusal)
    # and a sharp photo is answered with the combined estimate, the photo's kept beside it
    answer = decide(_outputs(p=low, quality=(0.5, 0.0, 0.15, 0.9)), strict, (640, 480), raising)
    assert isinstance(answer, Answer) and answer.p_malignant > answer.p_malignant_photo == low  # type: ignore[operator]
