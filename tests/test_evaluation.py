"""``skinscan evaluate`` on the tiny stand-in model and the synthetic data set, in a Python without torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tiny_model import write_tiny_model

# A meta-path finder that refuses torch: the evaluation package and `skinscan evaluate` must not need it.
NO_TORCH = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ImportError(f"torch is blocked in this test ({name})")
            return None

    sys.meta_path.insert(0, NoTorch())
    """
)


def _run_without_torch(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", NO_TORCH + textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_blocker_blocks_torch(tmp_path: Path) -> None:
    done = _run_without_torch("import torch\n", tmp_path)
    assert done.returncode != 0 and "torch is blocked" in done.stderr


def test_evaluation_imports_and_skinscan_evaluate_runs_without_torch(synthetic_data: Path, tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "models")
    card = model.with_suffix(".json")
    exported = card.read_bytes()
    reports = tmp_path / "reports"
    done = _run_without_torch(
        f"""
        import importlib, pkgutil
        import skinscan.evaluation
        for module in pkgutil.iter_modules(skinscan.evaluation.__path__):
            importlib.import_module(f"skinscan.evaluation.{{module.name}}")
        assert "torch" not in sys.modules
        from skinscan.cli import main
        code = main(["evaluate", "--data", {str(synthetic_data)!r}, "--model", {str(model)!r},
                     "--reports", {str(reports)!r}])
        assert "torch" not in sys.modules
        sys.exit(code)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads((reports / "metrics.json").read_text())
    assert metrics["test"]["kaggle"]["n"]["photos"] == 12
    assert metrics["test"]["derm7pt"]["n"]["photos"] == 8
    assert (reports / "report.md").is_file() and (reports / "figures" / "roc.png").is_file()
    assert card.read_bytes() == exported, "evaluate changed the model card"
