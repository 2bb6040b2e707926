"""The answer: every field, agreement with the model file, upright photos, no torch."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageOps

from api.conftest import MakeClient
from api.helpers import ANSWER_FIELDS, STORE_ROTATED, post_image
from skinscan.bench.synthetic import encode, lesion_photo
from skinscan.messages import en
from tiny_model import write_tiny_model


def _independent_pixels(data: bytes, size: int) -> np.ndarray:
    """The contract's input written out with Pillow alone: upright, largest centred square, bilinear."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    square = image.crop((left, top, left + side, top + side)).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(square, dtype=np.uint8)


def _run_model_file(model: Path, data: bytes, output: str = "p_malignant") -> float:
    """An output for one photo from the ONNX file directly, bypassing skinscan's decoder and predictor."""
    card = json.loads(model.with_suffix(".json").read_text())
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    (value,) = session.run([output], {"image": _independent_pixels(data, card["input"]["size"])[None]})
    return float(value[0])


def _expected_risk(card: dict[str, Any], p: float) -> str:
    """README, design notes: low below the threshold (the medium cut), high from the high cut."""
    if p < card["risk_bands"]["medium"]:
        return "low"
    return "high" if p >= card["risk_bands"]["high"] else "medium"


def test_answer_has_every_field(make_client: MakeClient, any_model: Path, photo: bytes) -> None:
    card = json.loads(any_model.with_suffix(".json").read_text())
    with make_client(model=any_model) as client:
        response = post_image(client, photo)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == ANSWER_FIELDS
    p = _run_model_file(any_model, photo)
    assert body["p_malignant"] == pytest.approx(p, rel=1e-5, abs=1e-6)
    assert body["threshold"] == card["threshold"]
    assert body["label"] == ("malignant" if p >= card["threshold"] else "benign")
    assert body["risk"] == _expected_risk(card, p)
    assert body["advice"] == en.MESSAGES[f"advice.{body['risk']}"]
    assert body["disclaimer"] == en.MESSAGES["disclaimer"] and "not a diagnosis" in body["disclaimer"]
    assert body["model"] == {"name": card["name"], "version": card["version"]}
    assert set(body["timing_ms"]) == {"read", "decode", "queue", "model", "batch", "total"}
    assert body["timing_ms"]["total"] >= body["timing_ms"]["model"] > 0


def test_label_and_band_follow_the_card_on_either_side_of_the_cuts(make_client: MakeClient, tmp_path: Path) -> None:
    """The same photo, cards with cut-points just below and above its probability (fixtures, not card.py)."""
    photo = encode(lesion_photo(320, 240, seed=7), "PNG")
    with make_client() as client:
        p = post_image(client, photo).json()["p_malignant"]
    # (threshold = the medium cut, the high cut) around p -> the label and band the card implies
    cases = [(p - 1e-4, p + 1e-4, "malignant", "medium"), (p + 1e-4, p + 2e-4, "benign", "low")]
    cases.append((p - 2e-4, p - 1e-4, "malignant", "high"))
    for i, (threshold, high, label, risk) in enumerate(cases):
        patch = {"threshold": threshold, "risk_bands": {"low": 0.0, "medium": threshold, "high": high}}
        model = _copy_model_with_card(tmp_path / str(i), patch)
        with make_client(model=model) as client:
            body = post_image(client, photo).json()
        assert (body["label"], body["risk"], body["threshold"]) == (label, risk, threshold)


def _copy_model_with_card(directory: Path, patch: dict[str, Any]) -> Path:
    directory.mkdir()
    target = directory / "skinscan.onnx"
    write_tiny_model(directory)
    card_path = target.with_suffix(".json")
    card_path.write_text(json.dumps(json.loads(card_path.read_text()) | patch))
    return target


def test_probability_equals_running_the_model_file(make_client: MakeClient, any_model: Path, photo: bytes) -> None:
    photos = [
        photo,
        encode(lesion_photo(640, 480, seed=3), "PNG"),
        encode(lesion_photo(80, 300, seed=4), "WEBP"),
    ]
    with make_client(model=any_model) as client:
        bodies = [post_image(client, data).json() for data in photos]
    answered = [(body["p_malignant"], data) for body, data in zip(bodies, photos, strict=True) if "p_malignant" in body]
    assert answered, bodies
    expected = [_run_model_file(any_model, data) for _, data in answered]
    assert [p for p, _ in answered] == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert len(set(np.round(expected, 6))) == len(expected)  # different photos, different answers
    gate = json.loads(any_model.with_suffix(".json").read_text())["gate"]["threshold"]
    for body, data in zip(bodies, photos, strict=True):  # a trained gate may refuse synthetic photos
        if body.get("code") == "not_a_lesion":
            assert _run_model_file(any_model, data, "p_lesion") < gate


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
    expected = post_image(client, encode(upright, "PNG"), "u.png").json()
    rotated = _with_orientation(upright, orientation, "PNG")
    got = post_image(client, rotated, "r.png").json()
    assert got["p_malignant"] == pytest.approx(expected["p_malignant"], abs=1e-6)
    np.testing.assert_allclose(got["evidence"], expected["evidence"], atol=1e-6)
    # The same stored pixels without the tag give another heat map (the stand-in averages the 8
    # mirror/turn views, so its score no longer tells; the map is in the photo's orientation).
    stored_only = encode(Image.open(io.BytesIO(rotated)).copy(), "PNG")
    other = np.asarray(post_image(client, stored_only, "s.png").json()["evidence"])
    upright_map = np.asarray(expected["evidence"])
    assert other.shape != upright_map.shape or not np.allclose(other, upright_map, atol=1e-3)


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
