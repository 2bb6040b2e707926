"""Headers, CORS, rate limit, the page and the model files, health, settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.conftest import MakeClient
from api.helpers import assert_error, post_image
from skinscan.api.settings import Settings
from skinscan.api.static import precompress


def test_security_headers_on_page_api_and_errors(client: TestClient, photo: bytes) -> None:
    for response in (client.get("/"), post_image(client, photo), client.get("/api/v1/nope")):
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "'wasm-unsafe-eval'" in csp and "worker-src 'self' blob:" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "camera=(self)" in response.headers["permissions-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert len(response.headers["x-request-id"]) == 16
    assert "x-robots-tag" not in client.get("/").headers


def test_health_reports_the_model(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    card = client.get("/api/v1/model").json()
    assert body == {
        "status": "ok",
        "model": {"name": card["name"], "version": card["version"]},
        "onnx_sha256": card["onnx_sha256"],
    }
    assert card["labels"] == ["benign", "malignant"] and "risk_bands" in card


def test_openapi_has_stable_operation_ids(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    ids = {path: {m: op["operationId"] for m, op in ops.items()} for path, ops in schema["paths"].items()}
    assert ids == {
        "/api/v1/predict": {"post": "predict"},
        "/api/v1/model": {"get": "getModel"},
        "/api/v1/health": {"get": "getHealth"},
        "/api/v1/ready": {"get": "getReady"},
    }
    body = schema["paths"]["/api/v1/predict"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["required"] == ["image"]
    assert client.get("/docs").status_code == 200


def test_cors_only_for_configured_origins(make_client: MakeClient, photo: bytes) -> None:
    allowed, other = "https://skinscan.web.app", "https://evil.example"
    with make_client(cors_origins=[allowed]) as client:
        ok = client.post("/api/v1/predict", files={"image": ("a.jpg", photo)}, headers={"Origin": allowed})
        assert ok.headers["access-control-allow-origin"] == allowed
        refused = client.post("/api/v1/predict", files={"image": ("a.jpg", photo)}, headers={"Origin": other})
        assert "access-control-allow-origin" not in refused.headers
        preflight = client.options(
            "/api/v1/predict",
            headers={"Origin": allowed, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
        bad_preflight = client.options(
            "/api/v1/predict", headers={"Origin": other, "Access-Control-Request-Method": "POST"}
        )
        assert bad_preflight.status_code == 400
    with make_client() as client:  # no origins configured: no CORS headers at all
        response = client.get("/api/v1/health", headers={"Origin": allowed})
        assert "access-control-allow-origin" not in response.headers


def test_rate_limit_per_client(make_client: MakeClient, photo: bytes) -> None:
    with make_client(rate_limit=3) as client:
        statuses = [post_image(client, photo).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        limited = post_image(client, photo)
        assert_error(limited, 429, "rate_limited")
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/api/v1/health").status_code == 200  # health is never limited
    with make_client(rate_limit=0) as client:
        assert {post_image(client, photo).status_code for _ in range(8)} == {200}


def test_upload_limit_is_configurable(make_client: MakeClient, photo: bytes) -> None:
    with make_client(max_upload_mb=0.01) as client:  # about 10 KB
        assert_error(post_image(client, photo + b"\0" * 20_000), 413, "upload_too_large")


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>skinscan</title><div id=root></div>")
    (root / "assets" / "index-abc123.js").write_text("console.log('skinscan');\n" * 400)
    (root / "assets" / "ort-wasm-simd.wasm").write_bytes(b"\0asm\x01\0\0\0")
    precompress(root)  # what `make web` does after the build
    return root


def test_page_spa_fallback_and_caching(make_client: MakeClient, web_dir: Path) -> None:
    with make_client(web_dir=web_dir) as client:
        index = client.get("/")
        assert index.status_code == 200 and "<title>skinscan</title>" in index.text
        assert index.headers["cache-control"] == "public, max-age=0, must-revalidate"
        assert client.get("/history/42").text == index.text  # client-side route
        asset = client.get("/assets/index-abc123.js")
        assert "immutable" in asset.headers["cache-control"]
        assert asset.headers["content-type"].startswith("text/javascript")
        assert asset.headers["content-encoding"] in ("br", "gzip") and asset.text.count("skinscan") == 400
        assert asset.headers["vary"] == "Accept-Encoding"
        assert int(asset.headers["content-length"]) < 1000  # 9.6 KB of script, compressed
        gzipped = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
        assert gzipped.headers["content-encoding"] == "gzip" and gzipped.text == asset.text
        assert_error(client.get("/assets/index-abc123.js.gz"), 404, "not_found")  # only in place of its original
        plain = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.text == asset.text
        assert plain.headers["etag"] != asset.headers["etag"]
        assert client.get("/assets/ort-wasm-simd.wasm").headers["content-type"] == "application/wasm"
        assert_error(client.get("/assets/missing.js"), 404, "not_found")
        assert_error(client.get("/api/v1/missing"), 404, "not_found")
        # Only listed files are ever served: a path out of the folder is just a client-side route.
        escape = client.get("/../../etc/passwd")
        assert (escape.status_code, escape.text) == (200, index.text) and "root:" not in escape.text


def test_without_a_built_page_the_api_still_works(client: TestClient, photo: bytes) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "make web" in page.text
    assert post_image(client, photo).status_code == 200


def test_model_files_with_etag_and_mime(client: TestClient, tiny_model: Path) -> None:
    response = client.get("/models/skinscan.onnx")
    assert response.status_code == 200
    assert response.content == tiny_model.read_bytes()
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["etag"] == f'"{hashlib.sha256(tiny_model.read_bytes()).hexdigest()}"'
    assert "must-revalidate" in response.headers["cache-control"]
    again = client.get("/models/skinscan.onnx", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    card = client.get("/models/skinscan.json")
    assert card.headers["content-type"].startswith("application/json") and card.json()["labels"]
    assert_error(client.get("/models/../pyproject.toml"), 404, "not_found")
    assert_error(client.get("/models/secret.txt"), 404, "not_found")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "5123")
    monkeypatch.setenv("SKINSCAN_CORS_ORIGINS", "https://a.web.app, https://b.example/")
    monkeypatch.setenv("SKINSCAN_MAX_UPLOAD_MB", "2")
    monkeypatch.setenv("SKINSCAN_RATE_LIMIT", "0")
    settings = Settings()
    assert settings.port == 5123
    assert settings.cors_origins == ["https://a.web.app", "https://b.example"]
    assert settings.max_upload_bytes == 2 * 1024 * 1024 and settings.rate_limit == 0
    monkeypatch.setenv("SKINSCAN_PORT", "6000")
    assert Settings().port == 6000  # the explicit setting wins over the platform's PORT
    assert Settings().model == Path("models/skinscan.onnx") and Settings().web_dir == Path("web/dist")
