"""Refusing what the model cannot judge, through the API: codes, reasons, hints, languages, evidence.

Expected values come from the tiny model's definition (tests/tiny_model.py: p_lesion from mean red
minus mean blue, quality by the contract's formulas), from the catalogues and from the card, never
from skinscan.predictor itself.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFilter

from api.conftest import MakeClient
from api.helpers import ANSWER_FIELDS, PREDICT, post_image
from skinscan.bench.synthetic import encode, lesion_photo
from skinscan.card import card_path_for, load_card
from skinscan.images import load_rgb, square_crop_resize
from skinscan.messages import en, zh
from skinscan.predictor import Predictor
from tiny_model import write_tiny_model

REFUSAL_FIELDS = {"detail", "code", "hint", "reasons"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _png(image: Image.Image) -> bytes:
    return encode(image, "PNG")


def blue_photo() -> bytes:
    """A sharp, well-lit lesion photo with red and blue swapped: usable, but blue, so not skin."""
    pixels = np.asarray(lesion_photo(400, 300, seed=2))
    return _png(Image.fromarray(np.ascontiguousarray(pixels[..., ::-1])))


def black_photo() -> bytes:
    return _png(Image.new("RGB", (300, 300)))


def blurred_photo() -> bytes:
    return _png(lesion_photo(640, 480, seed=0).filter(ImageFilter.GaussianBlur(8)))


def small_photo() -> bytes:
    return _png(lesion_photo(200, 48, seed=3))  # shorter side 48 < the tiny card's min_side 64


def _refusal(response: object) -> dict[str, object]:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert set(body) == REFUSAL_FIELDS
    assert "p_malignant" not in response.text  # type: ignore[attr-defined]  # never a probability
    return body


def test_a_blue_photo_is_not_a_lesion(client: TestClient) -> None:
    body = _refusal(post_image(client, blue_photo(), "blue.png", "image/png"))
    assert body["code"] == "not_a_lesion" and body["reasons"] == ["not_a_lesion"]
    assert body["detail"] == en.MESSAGES["refusal.not_a_lesion"]
    assert body["hint"] == en.MESSAGES["hint.not_a_lesion"]


def test_a_black_photo_is_unusable_because_too_dark(client: TestClient) -> None:
    body = _refusal(post_image(client, black_photo(), "black.png", "image/png"))
    assert body["code"] == "photo_unusable"
    assert "too_dark" in body["reasons"]  # type: ignore[operator]
    # Flat black also fails sharpness and contrast, but the one thing to fix first is the light.
    assert body["hint"] == en.MESSAGES["hint.too_dark"]
    assert body["detail"] == en.MESSAGES["refusal.photo_unusable"]


def test_a_blurred_photo_is_unusable_because_out_of_focus(client: TestClient) -> None:
    body = _refusal(post_image(client, blurred_photo(), "blur.png", "image/png"))
    assert body["code"] == "photo_unusable" and body["reasons"] == ["out_of_focus"]
    assert body["hint"] == en.MESSAGES["hint.out_of_focus"]


def test_a_small_photo_is_unusable_because_too_small(client: TestClient) -> None:
    body = _refusal(post_image(client, small_photo(), "small.png", "image/png"))
    assert body["code"] == "photo_unusable" and "too_small" in body["reasons"]  # type: ignore[operator]


def test_an_unusable_photo_is_refused_before_the_gate(client: TestClient) -> None:
    dark_blue = _png(Image.new("RGB", (300, 300), (0, 0, 20)))  # blue (gate fails) and too dark
    body = _refusal(post_image(client, dark_blue, "d.png", "image/png"))
    assert body["code"] == "photo_unusable" and "not_a_lesion" not in body["reasons"]  # type: ignore[operator]


@pytest.mark.parametrize("header", ["zh-CN", "zh", "zh-Hans-CN,zh;q=0.9,en;q=0.8", "en;q=0.5, zh-TW;q=0.9"])
def test_chinese_texts_same_codes(client: TestClient, header: str) -> None:
    for photo, code, reason in (
        (blue_photo(), "not_a_lesion", "not_a_lesion"),
        (blurred_photo(), "photo_unusable", "out_of_focus"),
    ):
        response = client.post(
            PREDICT, files={"image": ("p.png", photo, "image/png")}, headers={"Accept-Language": header}
        )
        body = _refusal(response)
        assert body["code"] == code and body["reasons"] == [reason]
        assert body["detail"] == zh.MESSAGES[f"refusal.{code}"] and CJK.search(str(body["detail"]))
        assert body["hint"] == zh.MESSAGES[f"hint.{reason}"]
        assert response.headers["content-language"] == "zh-CN"
        assert "accept-language" in response.headers["vary"].lower()


@pytest.mark.parametrize("header", ["", "en-GB", "fr-FR, de;q=0.8", "zh;q=0", "*", "zh;q=banana, en"])
def test_other_languages_get_english(client: TestClient, header: str) -> None:
    response = client.post(
        PREDICT, files={"image": ("p.png", blue_photo(), "image/png")}, headers={"Accept-Language": header}
    )
    body = _refusal(response)
    assert body["detail"] == en.MESSAGES["refusal.not_a_lesion"] and response.headers["content-language"] == "en"


def test_answers_and_errors_follow_the_language(client: TestClient, photo: bytes) -> None:
    zh_header = {"Accept-Language": "zh-CN"}
    answer = client.post(PREDICT, files={"image": ("p.jpg", photo, "image/jpeg")}, headers=zh_header).json()
    assert set(answer) == ANSWER_FIELDS and answer["label"] in ("benign", "malignant")
    assert answer["advice"] == zh.MESSAGES[f"advice.{answer['risk']}"]
    assert answer["disclaimer"] == zh.MESSAGES["disclaimer"]
    empty = client.post(PREDICT, files={"image": ("e.jpg", b"", "image/jpeg")}, headers=zh_header)
    assert empty.status_code == 400 and empty.json() == {
        "code": "empty_file",
        "detail": zh.MESSAGES["error.empty_file"],
    }
    english = client.post(PREDICT, files={"image": ("e.jpg", b"", "image/jpeg")})
    assert english.json()["code"] == "empty_file" and not CJK.search(english.json()["detail"])


def test_answer_has_the_evidence_grid(client: TestClient, tiny_model: Path, photo: bytes) -> None:
    card = load_card(card_path_for(tiny_model))
    side = card.data["input"]["size"] // 32
    body = post_image(client, photo).json()
    grid = np.array(body["evidence"])
    assert grid.shape == (side, side)
    assert grid.min() >= 0.0 and grid.max() <= 1.0
    assert np.array_equal(grid, np.round(grid, 3))
    session = ort.InferenceSession(str(tiny_model), providers=["CPUExecutionProvider"])
    (evidence,) = session.run(["evidence"], {"image": square_crop_resize(load_rgb(photo).image, card.input_size)[None]})
    np.testing.assert_allclose(grid, evidence[0], atol=5e-4 + 1e-6)


def test_a_contract_1_card_loads_without_gate_or_quality(
    tmp_path: Path, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    model = write_tiny_model(tmp_path / "contract1")
    card_file = card_path_for(model)
    data = json.loads(card_file.read_text())
    del data["gate"], data["quality"]
    card_file.write_text(json.dumps(data))
    with caplog.at_level(logging.WARNING, logger="skinscan.predictor"):
        predictor = Predictor(model, threads=1)
    assert predictor.card.gate is None and predictor.card.quality is None and predictor.card.contract == 1
    assert any("contract 1" in record.getMessage() for record in caplog.records)
    with make_client(model=model) as client:
        for photo in (blue_photo(), black_photo()):  # nothing is refused without the blocks
            response = post_image(client, photo, "p.png", "image/png")
            assert response.status_code == 200 and set(response.json()) == ANSWER_FIELDS


def test_rate_limit_message_follows_the_language(make_client: MakeClient, photo: bytes) -> None:
    with make_client(rate_limit=1) as client:
        headers = {"Accept-Language": "zh-CN,zh;q=0.9"}
        responses = [
            client.post(PREDICT, files={"image": ("p.jpg", photo, "image/jpeg")}, headers=headers) for _ in range(3)
        ]
    limited = [r for r in responses if r.status_code == 429]
    assert limited and limited[0].json() == {"code": "rate_limited", "detail": zh.MESSAGES["error.rate_limited"]}
    assert limited[0].headers["content-language"] == "zh-CN" and "retry-after" in limited[0].headers
