"""The committed API description is the app's: docs/openapi.json, and web/src/api/schema.ts made from it."""

from __future__ import annotations

import hashlib
import json
import re

from fastapi.testclient import TestClient

from api.helpers import REPO
from skinscan.api.app import openapi_json

COMMITTED = REPO / "docs" / "openapi.json"
GENERATED_TS = REPO / "web" / "src" / "api" / "schema.ts"
REGENERATE = "the API changed: run `make api-types` and commit docs/openapi.json and web/src/api/schema.ts"


def test_committed_openapi_document_is_the_apps() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_json(), REGENERATE


def test_the_served_document_is_the_committed_one(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_typescript_types_were_generated_from_the_committed_document() -> None:
    first_line = GENERATED_TS.read_text(encoding="utf-8").splitlines()[0]
    recorded = re.search(r"sha256 ([0-9a-f]{64})", first_line)
    assert recorded, f"{GENERATED_TS} has no provenance line: {REGENERATE}"
    assert recorded.group(1) == hashlib.sha256(COMMITTED.read_bytes()).hexdigest(), REGENERATE
