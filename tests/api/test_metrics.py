"""``GET /metrics`` (Prometheus), ``/api/v1/ready``, ``X-Served-By`` and the log format (api/metrics.py)."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.conftest import MakeClient
from api.helpers import PREDICT, assert_error, post_image
from api.test_refusals import black_photo
from skinscan.api.server import log_config


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_duration_histogram_count_grows_with_requests(client: TestClient, photo: bytes) -> None:
    before = samples(client)
    for _ in range(3):
        assert post_image(client, photo).status_code == 200
    after = samples(client)
    route = "/api/v1/predict"
    count = "skinscan_http_request_duration_seconds_count"
    assert value(after, count, route=route) - value(before, count, route=route) == 3
    assert (
        value(after, "skinscan_http_requests_total", route=route, method="POST", status="200")
        - value(before, "skinscan_http_requests_total", route=route, method="POST", status="200")
        == 3
    )
    # Model calls: at least one (requests may share a batch), never more than one per photo.
    calls = value(after, "skinscan_model_seconds_count") - value(before, "skinscan_model_seconds_count")
    photos = value(after, "skinscan_batch_size_sum") - value(before, "skinscan_batch_size_sum")
    assert 1 <= calls <= 3 and photos == 3
    assert value(after, "skinscan_model_seconds_sum") > value(before, "skinscan_model_seconds_sum")
    bucket = value(after, "skinscan_http_request_duration_seconds_bucket", route=route, le="+Inf")
    assert bucket == value(after, count, route=route)


def test_refusals_are_counted_by_code(client: TestClient) -> None:
    before = samples(client)
    response = post_image(client, black_photo(), "black.png", "image/png")
    assert response.status_code == 422 and response.json()["code"] == "photo_unusable"
    after = samples(client)
    name = "skinscan_refusals_total"
    assert value(after, name, code="photo_unusable") - value(before, name, code="photo_unusable") == 1
    counted = value(after, "skinscan_http_requests_total", route=PREDICT, method="POST", status="422")
    assert counted == value(before, "skinscan_http_requests_total", route=PREDICT, method="POST", status="422") + 1


def test_labels_are_templates_never_what_the_client_sent(client: TestClient, photo: bytes) -> None:
    secret = "patient-jane-doe-1970"
    client.post(PREDICT, files={"image": (f"{secret}.jpg", photo, "image/jpeg")})
    client.get(f"/models/{secret}.onnx?name={secret}")
    client.get(f"/api/v1/{secret}")
    client.request("BREW", f"/{secret}")
    text = client.get("/metrics").text
    assert secret not in text
    routes = {labels[1] for (name, labels_), _ in samples(client).items() for labels in labels_ if labels[0] == "route"}
    assert routes <= {"/api/v1/predict", "/metrics", "static", "other"}, routes
    assert "other" in routes and "static" in routes
    assert 'method="other"' in text and "BREW" not in text


def test_metrics_off_is_a_json_404_not_the_page(make_client: MakeClient) -> None:
    with make_client(metrics=False) as client:
        assert_error(client.get("/metrics"), 404, "not_found")
        assert client.get("/api/v1/health").status_code == 200


def test_ready_and_served_by(make_client: MakeClient) -> None:
    with make_client(replica_id="r7") as client:
        response = client.get("/api/v1/ready")
        assert response.status_code == 200 and response.json() == {"status": "ready"}
        assert response.headers["x-served-by"] == "r7"
        assert client.get("/api/v1/health").headers["x-served-by"] == "r7"
        assert client.get("/no-such-page").headers["x-served-by"] == "r7"


def test_replica_id_defaults_to_an_opaque_token(client: TestClient) -> None:
    served_by = client.get("/api/v1/health").headers["x-served-by"]
    assert len(served_by) == 8 and int(served_by, 16) >= 0
    assert client.get("/api/v1/model").headers["x-served-by"] == served_by


def test_ready_is_503_while_draining(client: TestClient) -> None:
    client.app.state.serving.lifecycle.draining = True  # what SIGTERM does (tests/api/test_server.py)
    response = client.get("/api/v1/ready")
    assert_error(response, 503, "shutting_down")
    assert response.headers["retry-after"] == "1"
    assert client.get("/api/v1/health").status_code == 200  # liveness is another question


def test_json_log_format_turns_every_line_into_json() -> None:
    config = log_config("json")
    formatter = config["formatters"][config["handlers"]["stderr"]["formatter"]]["()"]()
    record = logging.LogRecord("skinscan.api", logging.WARNING, __file__, 1, "no page in %s", ("x",), None)
    line = json.loads(formatter.format(record))
    assert line["message"] == "no page in x" and line["level"] == "WARNING" and line["logger"] == "skinscan.api"
    assert log_config("text")["handlers"]["stderr"]["formatter"] == "plain"
