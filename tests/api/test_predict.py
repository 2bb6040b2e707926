"""The answer: every field, agreement with the model file, upright photos, no torch."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.conftest import MakeClient
from api.helpers import ANSWER_FIELDS, STORE_ROTATED, post_image
from skinscan.bench.synthetic import encode, lesion_photo
from skinscan.card import card_path_for, load_card
from skinscan.images import load_model_input
from skinscan.messages import en


def _run_model_file(model: Path, data: bytes) -> float:
    """p_malignant from the ONNX file directly, bypassing skinscan.predictor."""
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    (p,) = session.run(["p_malignant"], {"image": load_model_input(data)[None]})
    return float(p[0])


def test_answer_has_every_field(make_client: MakeClient, any_model: Path, photo: bytes) -> None:
    card = load_card(card_path_for(any_model))
    with make_client(model=any_model) as client:
        response = post_image(client, photo)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == ANSWER_FIELDS
    assert 0.0 <= body["p_malignant"] <= 1.0
    assert body["threshold"] == card.threshold
    assert body["label"] == ("malignant" if body["p_malignant"] >= card.threshold else "benign")
    assert body["risk"] == card.risk(body["p_malignant"])
    assert body["advice"] == en.MESSAGES[f"advice.{body['risk']}"]
    assert body["disclaimer"] == en.MESSAGES["disclaimer"] and "not a diagnosis" in body["disclaimer"]
    assert body["model"] == {"name": card.name, "version": card.version}
    assert set(body["timing_ms"]) == {"read", "decode", "queue", "model", "batch", "total"}
    assert body["timing_ms"]["total"] >= body["timing_ms"]["model"] > 0


def test_probability_equals_running_the_model_file(make_client: MakeClient, any_model: Path, photo: bytes) -> None:
    photos = [
        photo,
        encode(lesion_photo(640, 480, seed=3), "PNG"),
        encode(lesion_photo(80, 300, seed=4), "WEBP"),
    ]
    with make_client(model=any_model) as client:
        answers = [post_image(client, data).json()["p_malignant"] for data in photos]
    expected = [_run_model_file(any_model, data) for data in photos]
    assert answers == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert len(set(np.round(answers, 6))) == len(photos)  # different photos, different answers


def _with_orientation(upright: Image.Image, orientation: int, fmt: str) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored = upright.transpose(STORE_ROTATED[orientation])
    if fmt == "JPEG":
        return encode(stored, "JPEG", quality=100, subsampling=0, exif=exif)
    return encode(stored, fmt, exif=exif)


@pytest.mark.parametrize("orientation", sorted(STORE_ROTATED))
def test_exif_rotated_photo_gets_the_upright_answer(client: TestClient, orientation: int) -> None:
    upright = lesion_photo(360, 240, seed=11)
    expected = post_image(client, encode(upright, "PNG"), "u.png").json()["p_malignant"]
    rotated = _with_orientation(upright, orientation, "PNG")
    assert post_image(client, rotated, "r.png").json()["p_malignant"] == pytest.approx(expected, abs=1e-6)
    # The same stored pixels without the tag give another answer: the test can tell.
    stored_only = encode(Image.open(io.BytesIO(rotated)).copy(), "PNG")
    assert post_image(client, stored_only, "s.png").json()["p_malignant"] != pytest.approx(expected, abs=1e-4)


def test_exif_rotated_phone_jpeg_gets_the_upright_answer(client: TestClient) -> None:
    upright = lesion_photo(480, 320, seed=12)
    expected = post_image(client, encode(upright, "JPEG", quality=100, subsampling=0)).json()["p_malignant"]
    got = post_image(client, _with_orientation(upright, 6, "JPEG")).json()["p_malignant"]
    assert got == pytest.approx(expected, abs=2e-3)  # JPEG re-encoding of rotated blocks differs slightly


def test_gps_exif_is_neither_kept_nor_echoed(client: TestClient) -> None:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 29.76)
    gps[3], gps[4] = "E", (2.0, 17.0, 40.2)
    exif[0x010F] = "SecretPhoneMaker"
    response = post_image(client, encode(lesion_photo(300, 300, seed=5), "JPEG", exif=exif))
    assert response.status_code == 200
    assert set(response.json()) == ANSWER_FIELDS
    assert "SecretPhoneMaker" not in response.text and "GPS" not in response.text


def test_importing_and_building_the_app_leaves_torch_out(tiny_model: Path) -> None:
    code = (
        "import sys\n"
        "from skinscan.api.app import create_app\n"
        "from skinscan.api.settings import Settings\n"
        f"create_app(Settings(model={str(tiny_model)!r}, max_batch=1))\n"
        "assert 'skinscan.api.routes' in sys.modules\n"
        "heavy = sorted(m for m in ('torch', 'torchvision', 'onnx', 'sklearn') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
