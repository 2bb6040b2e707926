"""Files short enough to read: no file over 400 lines, no function over 60, in src/ and web/src."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "size_check.py"


def test_no_file_or_function_is_too_long() -> None:
    spec = importlib.util.spec_from_file_location("size_check", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.problems() == []
