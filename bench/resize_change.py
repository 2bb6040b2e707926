"""How much the crop/resize change of issue 17 alters what the model sees, on the data photos.

``python bench/resize_change.py [--data DIR] [--size S] [--before REV]``: runs the preparation
of every data photo (``images.prepare`` at the card's input size) with the current
``skinscan.images`` and with the one at git revision ``--before`` (default ``main``), and
counts photos whose S x S model input changed and by how many levels. Prints JSON; writes
nothing. Only photos that can be affected are decoded twice (short side >= 2 * S after EXIF:
the reduction; or an EXIF orientation; or an alpha channel); the rest are counted as unchanged
by construction and listed as such (every 20th of those is compared as well: ``spot_checked``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import json as _json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from skinscan.images import prepare

REPO = Path(__file__).resolve().parents[1]


def _old_images(rev: str):  # noqa: ANN202 - a module loaded from git
    source = subprocess.run(
        ["git", "show", f"{rev}:src/skinscan/images.py"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "images_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("images_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["images_before"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--size", type=int, default=None, help="default: models/skinscan.json input.size")
    parser.add_argument("--before", default="main")
    args = parser.parse_args()
    size = args.size or int(_json.loads((REPO / "models" / "skinscan.json").read_text())["input"]["size"])
    old = _old_images(args.before)
    root = Path(args.data)
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp"})
    per_source: dict[str, Counter[str]] = {}
    worst: dict[str, int] = {}
    examples: list[dict[str, object]] = []
    for path in files:
        source = path.relative_to(root).parts[0]
        counts = per_source.setdefault(source, Counter())
        counts["photos"] += 1
        with Image.open(path) as probe:
            width, height = probe.size
            orientation = probe.getexif().get(0x0112, 1)
            alpha = probe.mode in ("RGBA", "LA", "PA", "P")
        if min(width, height) < 2 * size and orientation in (1, None) and not alpha:
            counts["unchanged_by_construction"] += 1
            if counts["unchanged_by_construction"] % 20:
                continue
            counts["spot_checked"] += 1  # every 20th of them is compared anyway
        else:
            counts["compared"] += 1
        data = path.read_bytes()
        after = prepare(data, size).pixels.astype(np.int16)
        before = old.prepare(data, size).pixels.astype(np.int16)
        diff = int(np.abs(after - before).max())
        if diff:
            counts["changed"] += 1
            counts["changed_values"] += int(np.count_nonzero(after != before))
            worst[source] = max(worst.get(source, 0), diff)
            if len(examples) < 10:
                examples.append(
                    {
                        "file": str(path.relative_to(root)),
                        "size": [width, height],
                        "exif_orientation": orientation,
                        "max_levels": diff,
                    }
                )
    print(  # noqa: T201 - the script's output
        json.dumps(
            {
                "input_size": size,
                "before": args.before,
                "per_source": {k: dict(v) | {"max_levels": worst.get(k, 0)} for k, v in per_source.items()},
                "examples": examples,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
