"""One check of the model file contract (docs/model-contract.md), shared by every test that needs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort

OUTPUTS = ("p_malignant", "p_lesion", "evidence", "quality")


def assert_follows_contract(model_path: Path, card: dict[str, Any], photos: np.ndarray | None = None) -> None:
    """Input/output names, types and shapes as the card states; values in range on real or random photos."""
    model = onnx.load(str(model_path))
    onnx.checker.check_model(model)
    size = int(card["input"]["size"])
    (inp,) = model.graph.input
    dims = inp.type.tensor_type.shape.dim
    assert inp.name == "image" and inp.type.tensor_type.elem_type == onnx.TensorProto.UINT8
    assert dims[0].dim_param, "the batch axis must be dynamic"
    assert [d.dim_value for d in dims[1:]] == [size, size, 3]
    outputs = {o.name: o for o in model.graph.output}
    assert set(outputs) == set(OUTPUTS), sorted(outputs)
    for name in OUTPUTS:
        assert outputs[name].type.tensor_type.elem_type == onnx.TensorProto.FLOAT, name

    if photos is None:
        photos = np.random.default_rng(0).integers(0, 256, size=(3, size, size, 3), dtype=np.uint8)
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    values = dict(zip(OUTPUTS, session.run(list(OUTPUTS), {"image": photos}), strict=True))
    n = len(photos)
    assert values["p_malignant"].shape == (n,) and values["p_lesion"].shape == (n,)
    for name in ("p_malignant", "p_lesion", "evidence"):
        assert np.all((values[name] >= 0) & (values[name] <= 1)), name
    assert values["evidence"].ndim == 3 and values["evidence"].shape[0] == n
    assert values["quality"].shape == (n, len(card["quality"]["signals"]))
    assert 0.0 < float(card["gate"]["threshold"]) < 1.0
    assert {c["reason"] for c in card["quality"]["checks"]} <= {
        "out_of_focus",
        "too_dark",
        "overexposed",
        "low_contrast",
    }
