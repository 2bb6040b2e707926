"""A tiny stand-in model that honours the model contract (for fast API and page tests).

It is not trained: a fixed random 3x3 convolution, global pooling and a logistic output, so its
p_malignant depends on the pixels (different photos give different answers, and a rotated photo
gives a different answer unless it is turned upright first), which is all the API tests need.
Run as a script to write ``DIR/skinscan.onnx`` + ``DIR/skinscan.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from skinscan.card import INPUT_CONTRACT, LABELS, file_sha256, write_card


def build_tiny_model(seed: int = 0) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    conv_w = rng.normal(0, 0.5, size=(8, 3, 3, 3)).astype(np.float32)
    conv_b = np.zeros(8, dtype=np.float32)
    fc_w = rng.normal(0, 1.0, size=(8, 1)).astype(np.float32)
    fc_b = np.zeros(1, dtype=np.float32)
    inits = [
        numpy_helper.from_array(conv_w, "conv_w"),
        numpy_helper.from_array(conv_b, "conv_b"),
        numpy_helper.from_array(fc_w, "fc_w"),
        numpy_helper.from_array(fc_b, "fc_b"),
        numpy_helper.from_array(np.array(255.0, dtype=np.float32), "scale"),
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat"),
    ]
    nodes = [
        helper.make_node("Cast", ["image"], ["x_f"], to=TensorProto.FLOAT),
        helper.make_node("Transpose", ["x_f"], ["x_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Div", ["x_nchw", "scale"], ["x01"]),
        helper.make_node("Sub", ["x01", "half"], ["xc"]),
        # stride 2 and an off-centre pad make the response orientation-dependent
        helper.make_node("Conv", ["xc", "conv_w", "conv_b"], ["c"], strides=[2, 2], pads=[0, 0, 2, 2]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["p2d"]),
        helper.make_node("Reshape", ["p2d", "flat"], ["p_malignant"]),
    ]
    graph = helper.make_graph(
        nodes,
        "skinscan_tiny",
        [helper.make_tensor_value_info("image", TensorProto.UINT8, ["N", 224, 224, 3])],
        [helper.make_tensor_value_info("p_malignant", TensorProto.FLOAT, ["N"])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_tiny_model(directory: str | Path) -> Path:
    """Write ``skinscan.onnx`` and a valid card into ``directory``; return the ONNX path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "skinscan.onnx"
    onnx.save(build_tiny_model(), str(path))
    write_card(
        directory / "skinscan.json",
        {
            "name": "skinscan-tiny-test",
            "version": "0.0.0-test",
            "created": "2026-01-01T00:00:00Z",
            "onnx_sha256": file_sha256(path),
            "architecture": "tiny random conv (test fixture, not a real model)",
            "input": dict(INPUT_CONTRACT),
            "labels": list(LABELS),
            "threshold": 0.5,
            "risk_bands": {"low": 0.0, "medium": 0.5, "high": 0.8},
        },
    )
    return path


if __name__ == "__main__":
    print(write_tiny_model(sys.argv[1] if len(sys.argv) > 1 else "build/tiny-model"))  # noqa: T201
