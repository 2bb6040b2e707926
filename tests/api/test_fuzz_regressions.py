"""The atheris harnesses' seeds and every crash they ever found, replayed on each test run.

``make fuzz`` (run by .ci/run) fuzzes for a bounded time; an input that crashes a harness is left
in ``fuzz/crashes/<harness>/`` and then committed to ``fuzz/corpus/<harness>/``, so that it is
checked here forever after, without atheris' instrumentation.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
HARNESSES = ("image_headers", "multipart")

pytest.importorskip("atheris", reason="atheris (the dev extra) runs the harnesses")


def _harness(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fuzz_{name}", FUZZ / f"fuzz_{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _inputs() -> list[tuple[str, Path]]:
    return [
        (name, path)
        for name in HARNESSES
        for folder in (FUZZ / "corpus" / name, FUZZ / "crashes" / name)
        if folder.is_dir()
        for path in sorted(folder.iterdir())
    ]


def test_every_harness_has_a_seed_corpus() -> None:
    for name in HARNESSES:
        assert len(list((FUZZ / "corpus" / name).iterdir())) >= 5


@pytest.mark.parametrize(("name", "path"), _inputs(), ids=[f"{n}/{p.name}" for n, p in _inputs()])
def test_the_harness_accepts_its_input(name: str, path: Path) -> None:
    _harness(name).test_one_input(path.read_bytes())
