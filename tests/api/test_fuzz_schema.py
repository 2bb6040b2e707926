"""schemathesis (the field's own fuzzer) against the committed ``docs/openapi.json`` and the real
running server (``skinscan serve``, loopback): every operation the document lists, generated
valid and invalid requests (questionnaire fields included once the document has them). Checks:
no 5xx, documented status codes and content types, and every answer matches its schema.

Run through schemathesis' own CLI, bounded by ``--max-examples`` and a seed; its JUnit report
says which operations ran. The in-process variant (tests/api/test_schema.py) checks the app's
live schema; this one checks what clients are given.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from skinscan.bench import launch

REPO = Path(__file__).resolve().parents[2]
OPENAPI = REPO / "docs" / "openapi.json"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def documented_operations() -> set[str]:
    paths = json.loads(OPENAPI.read_text())["paths"]
    return {f"{method.upper()} {path}" for path, item in paths.items() for method in item if method in METHODS}


@pytest.mark.slow
def test_schemathesis_finds_nothing_against_the_running_server(tiny_model: Path, tmp_path: Path) -> None:
    env = {"SKINSCAN_WEB_DIR": str(tmp_path / "none"), "SKINSCAN_MAX_BATCH": "2"}
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(OPENAPI),
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "15",
        "--seed",
        "22",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path / "report"),
    ]
    with launch.running(tiny_model, env=env) as server:
        result = subprocess.run(
            [*command, "--url", server.origin], capture_output=True, text=True, timeout=600, cwd=tmp_path
        )
        assert server.process.poll() is None  # still up
    output = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, output
    junit = ElementTree.parse(next((tmp_path / "report").glob("*.xml")))
    ran = {case.get("name", "") for case in junit.iter("testcase")}
    assert documented_operations() <= ran, (sorted(ran), output)
