"""Issue 18: the questionnaire's fields on POST /api/v1/predict (stand-in model + a hand-made section)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.conftest import MakeClient
from api.helpers import ANSWER_FIELDS, PREDICT
from skinscan import questionnaire as q
from skinscan.card import card_path_for, file_sha256, write_card
from tiny_model import tiny_card, write_tiny_model

SECTION: dict[str, Any] = {
    "photo_weight": 1.0,
    "questions": {
        "grown": {"yes": 0.9, "no": -0.6},
        "changed": {"yes": 0.7, "no": -0.2},
        "bleeds": {"yes": 1.1, "no": -0.3},
        "itches": {"yes": -0.4, "no": 0.3},
    },
    "age": {"per_year": 0.03, "centre": 60.0, "low": 14.0, "high": 91.0},
}


@pytest.fixture(scope="module")
def model_with_answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tiny-questionnaire")
    model = write_tiny_model(directory)
    write_card(card_path_for(model), tiny_card(file_sha256(model)) | {"questionnaire": SECTION})
    return model


@pytest.fixture
def qclient(make_client: MakeClient, model_with_answers: Path) -> Iterator[TestClient]:
    with make_client(model=model_with_answers) as client:
        yield client


def post(
    client: TestClient, photo: bytes, fields: dict[str, str] | list[tuple[str, str]], **headers: str
) -> httpx.Response:
    data: dict[str, list[str]] = {}
    for name, value in fields.items() if isinstance(fields, dict) else fields:
        data.setdefault(name, []).append(value)
    return client.post(PREDICT, files={"image": ("photo.jpg", photo, "image/jpeg")}, data=data, headers=headers)


def test_no_answers_leaves_the_photo_estimate_bit_identical(qclient: TestClient, photo: bytes) -> None:
    plain = post(qclient, photo, {})
    assert plain.status_code == 200, plain.text
    body = plain.json()
    assert set(body) == ANSWER_FIELDS
    assert body["answers"] == {} or all(v is None for v in body["answers"].values())
    assert body["p_malignant"] == body["p_malignant_photo"]
    all_unknown = {name: "unknown" for name in q.QUESTIONS}
    again = post(qclient, photo, all_unknown).json()
    assert again["p_malignant"] == body["p_malignant"]  # == on floats: bit-identical, not close
    assert again["p_malignant_photo"] == body["p_malignant"]
    assert again["answers"]["grown"] == "unknown"
    # a question the card does not use ("hurts", "raised") moves nothing either
    unused = post(qclient, photo, {"hurts": "yes", "raised": "no"}).json()
    assert unused["p_malignant"] == body["p_malignant"]


def test_answers_move_the_estimate_as_the_card_says(qclient: TestClient, photo: bytes) -> None:
    base = post(qclient, photo, {}).json()
    fields = {"age": "72", "grown": "yes", "changed": "no", "bleeds": "yes", "itches": "unknown"}
    body = post(qclient, photo, fields).json()
    spec = q.spec_from_card({"questionnaire": SECTION})
    answers = q.parse_answers({k: [v] for k, v in fields.items()})
    expected = q.combine(base["p_malignant"], answers, spec)
    assert body["p_malignant_photo"] == base["p_malignant"]
    assert body["p_malignant"] == pytest.approx(expected, abs=1e-12)
    assert body["p_malignant"] > body["p_malignant_photo"]  # grown and bleeds raise it
    assert body["answers"]["age"] == 72 and body["answers"]["grown"] == "yes" and body["answers"]["itches"] == "unknown"
    # label, risk and threshold follow the combined estimate
    assert body["label"] == ("malignant" if body["p_malignant"] >= body["threshold"] else "benign")


def test_answers_that_lower_it_lower_the_band(qclient: TestClient, photo: bytes) -> None:
    base = post(qclient, photo, {}).json()
    low = post(qclient, photo, {"grown": "no", "bleeds": "no", "changed": "no", "itches": "yes", "age": "20"}).json()
    assert low["p_malignant"] < base["p_malignant"]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"age": "-3"}, ["age"]),
        ({"age": "old"}, ["age"]),
        ({"age": "1000"}, ["age"]),
        ({"age": "0"}, ["age"]),
        ({"age": "45.5"}, ["age"]),
        ({"grown": "maybe"}, ["grown"]),
        ({"bleeds": "x" * 5000}, ["bleeds"]),
        ({"raised": "是" * 5000}, ["raised"]),
        ([("itches", "yes"), ("itches", "no")], ["itches"]),
        ([("age", "40"), ("age", "40")], ["age"]),
        ({"age": "old", "hurts": "sometimes", "grown": "yes"}, ["age", "hurts"]),
    ],
)
def test_bad_answers_get_invalid_answers_and_no_probability(
    qclient: TestClient, photo: bytes, fields: Any, bad: list[str]
) -> None:
    response = post(qclient, photo, fields)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid_answers"
    assert body["fields"] == bad
    assert set(body) == {"detail", "code", "fields"}
    assert "p_malignant" not in response.text and "x" * 50 not in response.text


def test_invalid_answers_detail_follows_the_language(qclient: TestClient, photo: bytes) -> None:
    zh = post(qclient, photo, {"grown": "maybe"}, **{"Accept-Language": "zh-CN"})
    assert zh.status_code == 422 and zh.json()["code"] == "invalid_answers" and "回答" in zh.json()["detail"]


def test_unknown_extra_fields_are_ignored(qclient: TestClient, photo: bytes) -> None:
    base = post(qclient, photo, {}).json()
    body = post(qclient, photo, {"colour": "purple", "notes": "y" * 5000, "Age": "old"}).json()
    assert body["p_malignant"] == base["p_malignant"] and body["p_malignant_photo"] == base["p_malignant"]


def test_answers_are_case_and_space_tolerant(qclient: TestClient, photo: bytes) -> None:
    a = post(qclient, photo, {"grown": "YES", "age": " 50 "}).json()
    b = post(qclient, photo, {"grown": "yes", "age": "50"}).json()
    assert a["p_malignant"] == b["p_malignant"] and a["answers"] == b["answers"]


def test_answers_cannot_unrefuse_a_photo(qclient: TestClient) -> None:
    from PIL import Image

    from skinscan.bench.synthetic import encode

    grey = encode(Image.new("RGB", (320, 320), (128, 128, 128)), "JPEG")
    plain = post(qclient, grey, {})
    assert plain.status_code == 422 and plain.json()["code"] in ("photo_unusable", "not_a_lesion")
    answered = post(qclient, grey, {"grown": "yes", "bleeds": "yes", "age": "80", "changed": "yes"})
    assert answered.status_code == 422 and answered.json()["code"] == plain.json()["code"]
    assert "p_malignant" not in answered.text


def test_a_model_without_a_questionnaire_accepts_and_ignores_answers(client: TestClient, photo: bytes) -> None:
    base = client.post(PREDICT, files={"image": ("p.jpg", photo, "image/jpeg")}).json()
    body = client.post(PREDICT, files={"image": ("p.jpg", photo, "image/jpeg")}, data={"grown": "yes"}).json()
    assert body["p_malignant"] == base["p_malignant"] == body["p_malignant_photo"]
    bad = client.post(PREDICT, files={"image": ("p.jpg", photo, "image/jpeg")}, data={"grown": "maybe"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_answers"


def test_answers_never_reach_the_logs(
    qclient: TestClient, photo: bytes, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    good = post(qclient, photo, {"age": "87", "grown": "yes", "bleeds": "no", "itches": "unknown"})
    bad = post(qclient, photo, {"grown": "ANSWER-MARKER-4c1d", "age": "ANSWER-AGE-77e2"})
    assert good.status_code == 200 and bad.status_code == 422
    assert "ANSWER-MARKER" not in bad.text  # not echoed either
    access = [r.getMessage() for r in caplog.records if r.name == "skinscan.access"]
    assert len(access) >= 2  # the access log did see both requests
    out, err = capfd.readouterr()
    everything = "\n".join([caplog.text, out, err])
    for needle in ("ANSWER-MARKER", "ANSWER-AGE", "grown", "bleeds", "itches", '"87"', "age=87"):
        assert needle not in everything, needle


def test_the_openapi_document_lists_the_fields(qclient: TestClient) -> None:
    spec = qclient.get("/openapi.json").json()
    body = spec["paths"][PREDICT]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(q.FIELDS) <= set(body["properties"]) and body["required"] == ["image"]
    assert body["properties"]["grown"]["enum"] == ["yes", "no", "unknown"]
    out = json.dumps(spec["components"]["schemas"]["PredictionOut"])
    assert "p_malignant_photo" in out and "answers" in out
