"""Every error code the server can send has a text for people in every language (issue 22, item 8).

The codes are collected from the source itself (every ``ImageRejected`` / ``ApiError`` /
``error_response`` / protocol refusal, and the status -> code tables), so a new code without a
Chinese text fails here rather than in front of a user.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from skinscan import messages

SOURCE = Path(__file__).resolve().parents[2] / "src" / "skinscan"
RAISERS = {"ImageRejected", "ApiError", "error_response", "_error_response", "_refuse", "_stop", "_bounded"}
CODE = re.compile(r"^[a-z][a-z_]+$")
TABLES = {"_ERROR_CODES", "_CODES_BY_STATUS"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def codes_in_source() -> set[str]:
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "training" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and _name(node.func) in RAISERS:
                first = next(
                    (a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)), None
                )
                if first is not None and CODE.match(first):
                    codes.add(first)
            if isinstance(node, ast.Assign) and any(_name(t) in TABLES for t in node.targets):
                assert isinstance(node.value, ast.Dict)
                codes.update(v.value for v in node.value.values if isinstance(v, ast.Constant))
    return codes


def test_the_collector_finds_the_codes_it_should() -> None:
    codes = codes_in_source()
    # One of each kind: decoder, upload parser, HTTP edge, status table, decode pool, memory.
    expected = {"too_many_scans", "too_many_parts", "trailers_too_large", "method_not_allowed", "decode_too_slow"}
    assert expected | {"decoder_busy", "server_busy", "body_not_allowed"} <= codes
    assert len(codes) > 30


@pytest.mark.parametrize("language", sorted(set(messages.CATALOGUES) - {messages.DEFAULT_LANGUAGE}))
def test_every_code_has_a_translated_text(language: str) -> None:
    english = messages.CATALOGUES[messages.DEFAULT_LANGUAGE]
    other = messages.CATALOGUES[language]
    missing = sorted(code for code in codes_in_source() if f"error.{code}" not in other)
    assert not missing, f"no {language} text for: {missing}"
    untranslated = sorted(key for key in english if key in other and other[key] == english[key])
    assert not untranslated
