"""A lesion photo turning slowly in front of the camera, for the live browser test (issue 17).

``python turning_video.py OUT_DIR``: lists the candidate photos (prints JSON ``{"candidates":
[{"name", "file"}]}``, each written to OUT_DIR as an upright PNG), in a fixed order: the held-out
(test split) malignant PAD-UFES-20 phone photos of models/skinscan.split.csv, then the Kaggle
test malignant photos, from the data next to ``SKINSCAN_DATA``; without data, the project's
synthetic malignant lesion. The test asks the server about them and takes the first it answers.

``python turning_video.py OUT_DIR --render FILE``: writes ``OUT_DIR/turning.y4m``: FILE's centred
square, 800 x 800, turning a full turn every ``TURN_SECONDS`` about its centre, seen by a 640 x 480
camera at ``FPS`` frames a second (the frame's corners stay inside the turning photo at every
angle, so there is never an empty corner); one turn, which Chromium's fake camera loops seamlessly.
Nothing is committed: the video (40 MB) is made at test time.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e_photos import write_y4m  # noqa: E402 - the one Y4M writer of the browser tests

REPO = Path(__file__).resolve().parents[2]
TURN_SECONDS = 6
FPS = 15
FRAME = (640, 480)
STAGE = 800  # sqrt(320^2 + 240^2) = 400: the frame's corners stay on the turning photo
MAX_CANDIDATES = 6


def _data_root() -> Path | None:
    data = os.environ.get("SKINSCAN_DATA")
    return Path(data) if data and Path(data).is_dir() else None


def candidates() -> list[tuple[str, Image.Image]]:
    root = _data_root()
    found: list[tuple[str, Image.Image]] = []
    if root is not None:
        pad = root.parent / "pad-ufes-20"
        split = REPO / "models" / "skinscan.split.csv"
        if pad.is_dir() and split.is_file():
            with split.open(newline="", encoding="utf-8") as handle:
                rows = [r for r in csv.DictReader(handle) if r["source"] == "pad-ufes-20"]
            held_out = sorted(r["path"] for r in rows if r["split"] == "test" and r["label"] == "1")
            for rel in held_out:
                path = root.parent / rel
                if path.is_file():
                    found.append((f"pad-{path.stem}", Image.open(path).convert("RGB")))
        kaggle = sorted((root / "test" / "malignant").glob("*.jpg"), key=lambda p: p.name)
        found += [(f"kaggle-test-malignant-{p.stem}", Image.open(p).convert("RGB")) for p in kaggle]
    if not found:
        from skinscan.bench.synthetic import lesion_photo

        found.append(("synthetic-malignant", lesion_photo(480, 480, seed=17, malignant=True)))
    return found[:MAX_CANDIDATES]


def render(photo: Image.Image, out: Path) -> Path:
    side = min(photo.size)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    stage = photo.crop((left, top, left + side, top + side)).resize((STAGE, STAGE), Image.Resampling.BICUBIC)
    count = FPS * TURN_SECONDS
    w, h = FRAME
    box = ((STAGE - w) // 2, (STAGE - h) // 2, (STAGE + w) // 2, (STAGE + h) // 2)
    frames = [
        np.asarray(stage.rotate(360 * i / count, resample=Image.Resampling.BILINEAR).crop(box)) for i in range(count)
    ]
    path = out / "turning.y4m"
    write_y4m(frames, path, FPS)
    return path


def main(argv: list[str]) -> None:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    if len(argv) >= 3 and argv[1] == "--render":
        path = render(Image.open(argv[2]).convert("RGB"), out)
        result = {"video": str(path), "width": FRAME[0], "height": FRAME[1], "fps": FPS, "turn_seconds": TURN_SECONDS}
    else:
        listed = []
        for name, image in candidates():
            file = out / f"turn-{name}.png"
            image.save(file)
            listed.append({"name": name, "file": str(file)})
        result = {"candidates": listed, "from_data_set": _data_root() is not None}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
