"""Write Pillow-made fixtures for web/src/inference/preprocess.test.ts.

Run from the repository root: ``.venv/bin/python web/scripts/make_fixtures.py``.
Inputs are synthetic RGBA images that the TypeScript test regenerates with the same formula
(`synthetic()` below and `syntheticRgba()` in the test); the expected 224x224 RGB outputs come
from the server's own ``skinscan.images.square_crop_resize``: the full 224x224 output as a
sha256 (exact match) and a small 48x48 output stored gzipped (to report pixel differences).
``frames.json`` does the same for ``prepareFrame`` against ``skinscan.images.prepare`` of the
frame stored as a (lossless) PNG: early box reduction, crop and resize, at several input sizes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from skinscan.images import prepare, reduction_factor, square_crop_resize

OUT = Path(__file__).resolve().parents[1] / "src" / "inference" / "__fixtures__"
# (width, height): landscape and portrait shrinks, odd excess, exact side, an upscale,
# a large phone-like frame and a tiny photo.
FULL = 224  # the full-size output whose sha256 the test checks (any size works; the card's is not needed)
SIZES = [(640, 480), (480, 640), (301, 257), (224, 300), (100, 90), (1280, 720), (33, 40)]
SMALL = 48
# Frames for prepareFrame (the whole server path from a lossless PNG: early box reduction, crop,
# resize): the camera sizes of issue 17 and odd sizes whose reduction has partial edge blocks.
# Each at the card's size (192 today), 224 and 48 (48: large reduction factors, 7 to 31).
FRAMES = [(1280, 720), (1024, 768), (1920, 1080), (1440, 1080), (1081, 1543), (3001, 2003)]
FRAME_SIZES = [192, 224]


def synthetic(width: int, height: int) -> np.ndarray:
    """Smooth gradients, stripes and hashed noise; uint8 [H, W, 4] with alpha 255."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    planes = []
    for c in range(3):
        noise = ((x * 73856093) ^ (y * 19349663) ^ (c * 83492791)) & 0xFFFFFFFF
        value = x * (3 + c) + y * (5 - c) + ((x * y) >> 4) + (noise % 41) + ((x // 7) % 2) * 60
        planes.append(value & 255)
    planes.append(np.full_like(x, 255))
    return np.stack(planes, axis=-1).astype(np.uint8)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    index = []
    for width, height in SIZES:
        rgba = synthetic(width, height)
        rgb = Image.fromarray(rgba, "RGBA").convert("RGB")
        expected = square_crop_resize(rgb, FULL)
        small = square_crop_resize(rgb, SMALL)
        name = f"synthetic_{width}x{height}_{SMALL}.rgb.gz"
        (OUT / name).write_bytes(gzip.compress(small.tobytes(), mtime=0))
        index.append(
            {
                "small_file": name,
                "small_size": SMALL,
                "width": width,
                "height": height,
                "input_sha256": hashlib.sha256(rgba.tobytes()).hexdigest(),
                "size": FULL,
                "sha256": hashlib.sha256(expected.tobytes()).hexdigest(),
            }
        )
    (OUT / "index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")

    frames = []
    for width, height in FRAMES:
        rgba = synthetic(width, height)
        buffer = io.BytesIO()
        Image.fromarray(rgba[..., :3], "RGB").save(buffer, "PNG", compress_level=1)
        png = buffer.getvalue()
        name = f"frame_{width}x{height}_{SMALL}.rgb.gz"
        small = prepare(png, SMALL).pixels
        (OUT / name).write_bytes(gzip.compress(small.tobytes(), mtime=0))
        frames.append(
            {
                "width": width,
                "height": height,
                "input_sha256": hashlib.sha256(rgba.tobytes()).hexdigest(),
                "small_file": name,
                "small_size": SMALL,
                "small_factor": reduction_factor(width, height, SMALL),
                "sha256": {
                    str(size): hashlib.sha256(prepare(png, size).pixels.tobytes()).hexdigest() for size in FRAME_SIZES
                },
                "factor": {str(size): reduction_factor(width, height, size) for size in FRAME_SIZES},
            }
        )
    (OUT / "frames.json").write_text(json.dumps(frames, indent=2) + "\n", encoding="utf-8")
    write_views_models()


def write_views_models() -> None:
    """Two tiny ONNX files for views.test.ts: ``y = x + sum(views)``, once with ``views`` an
    optional input whose default (0..7) is an initializer (as model 3 declares it), once without
    the input (as model 2.0)."""
    import onnx  # the train/dev extras have it; serving does not need this script
    from onnx import TensorProto, helper, numpy_helper

    def model(with_views: bool) -> onnx.ModelProto:
        inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"])]
        inits = []
        nodes = [helper.make_node("Identity", ["x"], ["y"])]
        if with_views:
            inputs.append(helper.make_tensor_value_info("views", TensorProto.INT64, ["V"]))
            inits.append(numpy_helper.from_array(np.arange(8, dtype=np.int64), "views"))
            nodes = [
                helper.make_node("Cast", ["views"], ["views_f"], to=TensorProto.FLOAT),
                helper.make_node("ReduceSum", ["views_f"], ["total"], keepdims=0),
                helper.make_node("Add", ["x", "total"], ["y"]),
            ]
        graph = helper.make_graph(
            nodes, "views_test", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N"])], inits
        )
        made = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        made.ir_version = 8
        onnx.checker.check_model(made, full_check=True)
        return made

    (OUT / "views_model.onnx").write_bytes(model(True).SerializeToString())
    (OUT / "no_views_model.onnx").write_bytes(model(False).SerializeToString())


if __name__ == "__main__":
    main()
