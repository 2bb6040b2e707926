"""A tiny stand-in model that honours the model contract (version 2 plus model 3's ``views`` input and
``p_dermoscopic`` output), for fast API and page tests.

It is not trained. Its inputs: ``image`` uint8 [N, S, S, 3] and the optional ``views`` int64 [V]
(1 <= V <= 8, values 0..7: k = 0..3 is ``np.rot90(image, k)``, 4..7 the same rotations of the
left-right mirrored image), whose default (all 8) is an initializer, so a caller may feed
``image`` alone. Its outputs (docs/model-contract.md):

- ``p_malignant``: a fixed random 3x3 convolution, global pooling and a linear logit on each
  requested view, the logits averaged over the views, then a logistic output. One view alone
  depends on the orientation (stride 2 and an off-centre pad), so a single rotated view gives a
  different answer, while the default 8-view average is the same for a photo mirrored or turned;
- ``p_lesion``: sigmoid(30 * (mean R - mean B)), R and B in 0..1, so skin- and red-toned photos pass
  the gate and blue ones are refused;
- ``evidence``: the darkness of each 32x32 block divided by the photo's darkest block (0..1);
- ``quality``: brightness, overexposed, contrast, sharpness exactly as the contract defines them;
- ``p_dermoscopic``: sigmoid(20 * (0.5 - mean luma)), a stand-in for model 3's modality head (dark,
  vignetted dermoscopy photos score high), not a trained one.

Run as a script to write ``DIR/skinscan.onnx`` + ``DIR/skinscan.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from skinscan.card import INPUT_CONTRACT, LABELS, file_sha256, write_card

SIZE = 224  # this stand-in's input size; serving reads it from the card, never from here
GRID = SIZE // 32
QUALITY_SIGNALS = ["brightness", "overexposed", "contrast", "sharpness"]
# Measured with this graph: skinscan.bench.synthetic.lesion_photo has sharpness 0.17-0.53 at 224 px and up
# (0.06-0.1 when a 64-100 px photo is enlarged), brightness about 0.45-0.55, contrast about 0.14;
# real ISIC photos 0.16 and up. A lesion photo blurred with a Gaussian of radius 4 or more falls to
# 0.03 and below (out_of_focus); an all-black photo has brightness 0 (too_dark).
QUALITY_CHECKS = [
    {"signal": "sharpness", "min": 0.05, "reason": "out_of_focus"},
    {"signal": "brightness", "min": 0.12, "reason": "too_dark"},
    {"signal": "overexposed", "max": 0.5, "reason": "overexposed"},
    {"signal": "contrast", "min": 0.02, "reason": "low_contrast"},
]


def _const(name: str, value: Any, dtype: Any = np.float32) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(value, dtype=dtype), name)


VIEWS = 8
"""The dihedral views: k = 0..3 turns by k * 90 degrees, 4..7 the same of the mirrored image."""
_BIG = 2**62


def _view_nodes() -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """x01 [N, S, S, 3] -> the requested views stacked on the batch axis: [V * N, S, S, 3] (view-major)."""
    inits = [
        _const("views", np.arange(VIEWS), np.int64),  # the default of the optional input
        _const("rev_start", [-1], np.int64),
        _const("rev_end", [-_BIG], np.int64),
        _const("rev_step", [-1], np.int64),
        _const("axis_h", [1], np.int64),
        _const("axis_w", [2], np.int64),
        _const("axis_0", [0], np.int64),
        _const("views_batch", [-1, SIZE, SIZE, 3], np.int64),
    ]
    nodes = [helper.make_node("Transpose", ["x01"], ["v_t"], perm=[0, 2, 1, 3])]

    def flip(source: str, axis: str, out: str) -> str:
        nodes.append(helper.make_node("Slice", [source, "rev_start", "rev_end", axis, "rev_step"], [out]))
        return out

    # np.rot90(m, k) on H x W: k=1 transpose then reverse rows; k=3 transpose then reverse columns.
    views = [
        "x01",
        flip("v_t", "axis_h", "v1"),
        flip(flip("x01", "axis_w", "v_w"), "axis_h", "v2"),
        flip("v_t", "axis_w", "v3"),
        "v_w",  # mirrored: img[:, ::-1]
        "v_t",  # rot90 of the mirror = the transpose
        flip("x01", "axis_h", "v6"),
        flip("v1", "axis_w", "v7"),
    ]
    for i, name in enumerate(views):
        nodes.append(helper.make_node("Unsqueeze", [name, "axis_0"], [f"view{i}"]))
    nodes += [
        helper.make_node("Concat", [f"view{i}" for i in range(VIEWS)], ["all_views"], axis=0),  # [8, N, S, S, 3]
        helper.make_node("Gather", ["all_views", "views"], ["chosen"], axis=0),  # [V, N, S, S, 3]
        helper.make_node("Reshape", ["chosen", "views_batch"], ["views_nhwc"]),
        helper.make_node("Transpose", ["views_nhwc"], ["views_nchw"], perm=[0, 3, 1, 2]),
    ]
    return nodes, inits


def _malignant_nodes(rng: np.random.Generator) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    inits = [
        _const("conv_w", rng.normal(0, 0.5, size=(8, 3, 3, 3))),
        _const("conv_b", np.zeros(8)),
        _const("fc_w", rng.normal(0, 1.0, size=(8, 1))),
        _const("fc_b", np.zeros(1)),
        _const("half", 0.5),
        _const("per_view", [-1], np.int64),
    ]
    nodes = [
        helper.make_node("Sub", ["views_nchw", "half"], ["xc"]),
        # stride 2 and an off-centre pad make the response orientation-dependent
        helper.make_node("Conv", ["xc", "conv_w", "conv_b"], ["c"], strides=[2, 2], pads=[0, 0, 2, 2]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logit_vn"]),  # [V * N, 1], view-major
        helper.make_node("Shape", ["views"], ["n_views"]),
        helper.make_node("Concat", ["n_views", "per_view"], ["logit_shape"], axis=0),
        helper.make_node("Reshape", ["logit_vn", "logit_shape"], ["logit_v"]),  # [V, N]
        helper.make_node("ReduceMean", ["logit_v"], ["logit"], axes=[0], keepdims=0),  # [N]
        helper.make_node("Sigmoid", ["logit"], ["p_malignant"]),
    ]
    return nodes, inits


def _dermoscopic_nodes() -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    inits = [_const("derm_mid", 0.5), _const("derm_gain", 20.0)]
    nodes = [
        helper.make_node("Sub", ["derm_mid", "brightness"], ["derm_dark"]),
        helper.make_node("Mul", ["derm_dark", "derm_gain"], ["derm_logit"]),
        helper.make_node("Sigmoid", ["derm_logit"], ["p_dermoscopic"]),
    ]
    return nodes, inits


def _gate_nodes() -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    inits = [_const("red_minus_blue", [[1.0], [0.0], [-1.0]]), _const("gate_gain", 30.0)]
    nodes = [
        helper.make_node("ReduceMean", ["x01"], ["rgb_mean"], axes=[1, 2], keepdims=0),  # [N, 3]
        helper.make_node("MatMul", ["rgb_mean", "red_minus_blue"], ["rb"]),  # [N, 1]
        helper.make_node("Mul", ["rb", "gate_gain"], ["gate_logit"]),
        helper.make_node("Sigmoid", ["gate_logit"], ["gate2d"]),
        helper.make_node("Reshape", ["gate2d", "flat"], ["p_lesion"]),
    ]
    return nodes, inits


def _evidence_nodes() -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    inits = [_const("one", 1.0), _const("tiny", 1e-6), _const("grid_shape", [-1, GRID, GRID], np.int64)]
    nodes = [
        helper.make_node("ReduceMean", ["x_nchw"], ["grey"], axes=[1], keepdims=1),  # [N, 1, S, S]
        helper.make_node("Sub", ["one", "grey"], ["dark"]),
        helper.make_node("AveragePool", ["dark"], ["blocks"], kernel_shape=[32, 32], strides=[32, 32]),
        helper.make_node("ReduceMax", ["blocks"], ["block_max"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Add", ["block_max", "tiny"], ["block_max_safe"]),
        helper.make_node("Div", ["blocks", "block_max_safe"], ["evidence4d"]),
        helper.make_node("Reshape", ["evidence4d", "grid_shape"], ["evidence"]),
    ]
    return nodes, inits


def _quality_nodes() -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    laplacian = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32).reshape(1, 1, 3, 3)
    inits = [
        _const("luma_w", [0.299, 0.587, 0.114]),
        _const("burnt", 0.97),
        _const("laplacian", laplacian),
        _const("contrast_floor", 0.02),
        _const("col", [-1, 1], np.int64),
    ]
    nodes = [
        helper.make_node("MatMul", ["x01", "luma_w"], ["luma"]),  # [N, S, S]
        helper.make_node("ReduceMean", ["luma"], ["brightness"], axes=[1, 2], keepdims=0),
        helper.make_node("GreaterOrEqual", ["luma", "burnt"], ["is_burnt"]),
        helper.make_node("Cast", ["is_burnt"], ["burnt_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["burnt_f"], ["overexposed"], axes=[1, 2], keepdims=0),
        helper.make_node("ReduceMean", ["luma"], ["luma_mean"], axes=[1, 2], keepdims=1),
        helper.make_node("Sub", ["luma", "luma_mean"], ["luma_dev"]),
        helper.make_node("Mul", ["luma_dev", "luma_dev"], ["luma_dev2"]),
        helper.make_node("ReduceMean", ["luma_dev2"], ["luma_var"], axes=[1, 2], keepdims=0),
        helper.make_node("Sqrt", ["luma_var"], ["contrast"]),
        helper.make_node("Unsqueeze", ["luma", "one_axis"], ["luma4d"]),  # [N, 1, S, S]
        helper.make_node("Conv", ["luma4d", "laplacian"], ["lap"]),  # valid region, no padding
        helper.make_node("Mul", ["lap", "lap"], ["lap2"]),
        helper.make_node("ReduceMean", ["lap2"], ["lap_ms"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Sqrt", ["lap_ms"], ["lap_rms"]),
        helper.make_node("Add", ["contrast", "contrast_floor"], ["contrast_safe"]),
        helper.make_node("Div", ["lap_rms", "contrast_safe"], ["sharpness"]),
    ]
    for signal in QUALITY_SIGNALS:
        nodes.append(helper.make_node("Reshape", [signal, "col"], [f"{signal}_col"]))
    nodes.append(helper.make_node("Concat", [f"{s}_col" for s in QUALITY_SIGNALS], ["quality"], axis=1))
    inits.append(_const("one_axis", [1], np.int64))
    return nodes, inits


def build_tiny_model(seed: int = 0) -> onnx.ModelProto:
    inits = [_const("scale", 255.0), _const("flat", [-1], np.int64)]
    nodes = [
        helper.make_node("Cast", ["image"], ["x_f"], to=TensorProto.FLOAT),
        helper.make_node("Div", ["x_f", "scale"], ["x01"]),  # [N, S, S, 3] in 0..1
        helper.make_node("Transpose", ["x01"], ["x_nchw"], perm=[0, 3, 1, 2]),
    ]
    for part_nodes, part_inits in (
        _view_nodes(),
        _malignant_nodes(np.random.default_rng(seed)),
        _gate_nodes(),
        _evidence_nodes(),
        _quality_nodes(),
        _dermoscopic_nodes(),
    ):
        nodes += part_nodes
        inits += part_inits
    graph = helper.make_graph(
        nodes,
        "skinscan_tiny",
        [
            helper.make_tensor_value_info("image", TensorProto.UINT8, ["N", SIZE, SIZE, 3]),
            helper.make_tensor_value_info("views", TensorProto.INT64, ["V"]),
        ],
        [
            helper.make_tensor_value_info("p_malignant", TensorProto.FLOAT, ["N"]),
            helper.make_tensor_value_info("p_lesion", TensorProto.FLOAT, ["N"]),
            helper.make_tensor_value_info("evidence", TensorProto.FLOAT, ["N", GRID, GRID]),
            helper.make_tensor_value_info("quality", TensorProto.FLOAT, ["N", len(QUALITY_SIGNALS)]),
            helper.make_tensor_value_info("p_dermoscopic", TensorProto.FLOAT, ["N"]),
        ],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def tiny_card(onnx_sha256: str) -> dict[str, Any]:
    """The contract-2 card of the stand-in (thresholds: see QUALITY_CHECKS)."""
    return {
        "name": "skinscan-tiny-test",
        "version": "0.0.0-test",
        "created": "2026-01-01T00:00:00Z",
        "onnx_sha256": onnx_sha256,
        "architecture": "tiny random conv (test fixture, not a real model)",
        "input": dict(INPUT_CONTRACT) | {"size": SIZE},
        "output": {"name": "p_malignant", "dtype": "float32", "shape": ["N"]},
        "labels": list(LABELS),
        "threshold": 0.5,
        "risk_bands": {"low": 0.0, "medium": 0.5, "high": 0.8},
        "gate": {
            "output": "p_lesion",
            "threshold": 0.5,
            "method": "sigmoid(30 * (mean red - mean blue)): a stand-in, not a trained gate",
        },
        "quality": {
            "output": "quality",
            "signals": list(QUALITY_SIGNALS),
            "min_side": 64,
            "checks": [dict(check) for check in QUALITY_CHECKS],
        },
    }


def write_tiny_model(directory: str | Path) -> Path:
    """Write ``skinscan.onnx`` and a valid contract-2 card into ``directory``; return the ONNX path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "skinscan.onnx"
    onnx.save(build_tiny_model(), str(path))
    write_card(directory / "skinscan.json", tiny_card(file_sha256(path)))
    return path


if __name__ == "__main__":
    print(write_tiny_model(sys.argv[1] if len(sys.argv) > 1 else "build/tiny-model"))  # noqa: T201
