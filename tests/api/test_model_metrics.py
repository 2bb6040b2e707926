"""The model's measurements (reports/metrics.json) under /models/, only when they are of the loaded model file."""

from __future__ import annotations

import json
from pathlib import Path

from api.conftest import MakeClient
from skinscan.card import load_card

URL = "/models/skinscan.metrics.json"


def _metrics(path: Path, sha256: str) -> Path:
    path.write_text(json.dumps({"model": {"name": "tiny", "sha256": sha256}, "test": {"kaggle": {}}}))
    return path


def test_measurements_of_the_loaded_model_are_served(make_client: MakeClient, tiny_model: Path, tmp_path: Path) -> None:
    sha = load_card(tiny_model.with_suffix(".json")).onnx_sha256
    metrics = _metrics(tmp_path / "metrics.json", sha)
    with make_client(model_metrics=metrics) as client:
        response = client.get(URL)
        assert response.status_code == 200
        assert response.json() == json.loads(metrics.read_text())
        assert response.headers["content-type"].startswith("application/json")
        again = client.get(URL, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304


def test_measurements_of_another_model_are_not_served(make_client: MakeClient, tmp_path: Path) -> None:
    metrics = _metrics(tmp_path / "metrics.json", "0" * 64)
    with make_client(model_metrics=metrics) as client:
        response = client.get(URL)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_no_measurements_no_file(make_client: MakeClient, tmp_path: Path) -> None:
    with make_client(model_metrics=tmp_path / "absent.json") as client:
        assert client.get(URL).status_code == 404
    (tmp_path / "broken.json").write_text("{not json")
    with make_client(model_metrics=tmp_path / "broken.json") as client:
        assert client.get(URL).status_code == 404
