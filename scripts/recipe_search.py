"""Compare training recipes on the validation split: run several TrainConfigs side by side.

Used once on a lent GPU machine (16 cores, one H100) to choose the recipe that `make train` runs
on the CPU; its results are in reports/recipe_search.json. Every run uses the same seed and so the
same group-aware validation split; the test split is never read.

    python scripts/recipe_search.py --data DIR --configs scripts/recipe_search.json --device cuda
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger("recipe_search")
WORKER = (
    "import json, sys, logging, torch; torch.set_num_threads(2); logging.basicConfig(level=logging.INFO);"
    "from pathlib import Path; from skinscan.training.train import TrainConfig, train;"
    "from skinscan.training.augment import AugmentConfig;"
    "c = json.loads(sys.argv[1]); a = c.pop('augment', None);"
    "train(TrainConfig(**c, **({'augment': AugmentConfig(**a)} if a else {})), Path(sys.argv[2]), Path(sys.argv[3]))"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--configs", required=True, help="JSON: {name: {TrainConfig overrides}}")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--runs", default="runs/search")
    parser.add_argument("--out", default="reports/recipe_search.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    configs = json.loads(Path(args.configs).read_text())
    started = time.time()
    procs = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                json.dumps(dict(cfg, device=args.device)),
                args.data,
                f"{args.runs}/{name}",
            ],
            stdout=open(f"{args.runs}-{name}.log", "w"),  # noqa: SIM115 - the child owns it
            stderr=subprocess.STDOUT,
        )
        for name, cfg in configs.items()
    }
    for name, proc in procs.items():
        log.info("%s finished with %d after %.0f s", name, proc.wait(), time.time() - started)
    results = {}
    for name, cfg in configs.items():
        summary = json.loads((Path(args.runs) / name / "calibration.json").read_text())
        best = max(summary["history"], key=lambda r: r["val_auc"])
        results[name] = {
            "config": cfg,
            "best_epoch": best["epoch"],
            "best_val_auc": best["val_auc"],
            "history": summary["history"],
            "grouping": summary["grouping"],
        }
        log.info("%-12s best epoch %2d  val ROC AUC %.4f", name, best["epoch"], best["val_auc"])
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
