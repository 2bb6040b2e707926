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
    bands = metrics["bands"]["all"]
    answered = sum(metrics["test"][n]["n"]["photos"] * metrics["test"][n]["accepted"] for n in bands["sets"])
    assert sum(bands[b]["photos"] for b in ("low", "medium", "high")) == round(answered)
    assert (reports / "report.md").is_file() and (reports / "figures" / "roc.png").is_file()
    assert card.read_bytes() == exported, "evaluate changed the model card"


def test_band_frequencies_count_the_answered_photos_of_each_band() -> None:
    """The page's "of 100 spots that got this band, about N were skin cancer" is a share measured here."""
    import numpy as np

    from skinscan.evaluation.decisions import Decision
    from skinscan.evaluation.evaluate import band_frequencies, wilson
    from skinscan.evaluation.heldout import HeldOut

    p = np.array([0.05, 0.1, 0.2, 0.5, 0.7, 0.85, 0.9, 0.95], np.float32)
    labels = np.array([0, 1, 0, 1, 1, 1, 0, 1])
    accepted = np.array([True] * 7 + [False])
    zeros = np.zeros(8, bool)
    decision = Decision(
        p=p, p_lesion=np.ones(8, np.float32), quality_refused=zeros, gate_refused=zeros, accepted=accepted
    )
    sets = {"kaggle": HeldOut("kaggle", np.zeros((8, 1, 1, 3), np.uint8), labels, [str(i) for i in range(8)])}
    table = band_frequencies({"low": 0.0, "medium": 0.16, "high": 0.8}, sets, {"kaggle": decision})
    rows = table["all"]
    assert rows["sets"] == ["kaggle"]
    assert (rows["low"]["photos"], rows["low"]["malignant"]) == (2, 1)
    assert (rows["medium"]["photos"], rows["medium"]["malignant"]) == (3, 2)
    assert (rows["high"]["photos"], rows["high"]["malignant"]) == (2, 1)  # the refused 0.95 is not counted
    assert rows["medium"]["share"] == round(2 / 3, 4)
    assert table["dermoscopic"] == rows and "phone" not in table
    low, high = wilson(2, 3)
    assert 0 < low < 2 / 3 < high < 1 and wilson(0, 0) == [0.0, 1.0] and wilson(5, 5)[1] == 1.0
