"""One check of the model file contract (docs/model-contract.md), shared by every test that needs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnx.numpy_helper
import onnxruntime as ort

OUTPUTS = ("p_malignant", "p_lesion", "evidence", "quality")
OPTIONAL_OUTPUTS = ("p_dermoscopic",)  # model 3 (MODEL3.md): float32 [N], probability


def assert_follows_contract(model_path: Path, card: dict[str, Any], photos: np.ndarray | None = None) -> None:
    """Input/output names, types and shapes as the card states; values in range on real or random photos."""
    model = onnx.load(str(model_path))
    onnx.checker.check_model(model)
    size = int(card["input"]["size"])
    initializers = {i.name: i for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name != "views"]
    (inp,) = inputs
    views = [i for i in model.graph.input if i.name == "views"]
    if views:  # model 3's optional input: int64 [V], its default (all 8 views) an initializer
        assert views[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
        assert len(views[0].type.tensor_type.shape.dim) == 1
        assert "views" in initializers, "views needs a default (an initializer) so `image` alone works"
        default = onnx.numpy_helper.to_array(initializers["views"])
        assert sorted(default.tolist()) == list(range(8)), default
    dims = inp.type.tensor_type.shape.dim
    assert inp.name == "image" and inp.type.tensor_type.elem_type == onnx.TensorProto.UINT8
    assert dims[0].dim_param, "the batch axis must be dynamic"
    assert [d.dim_value for d in dims[1:]] == [size, size, 3]
    outputs = {o.name: o for o in model.graph.output}
    assert set(OUTPUTS) <= set(outputs) <= set(OUTPUTS + OPTIONAL_OUTPUTS), sorted(outputs)
    for name in outputs:
        assert outputs[name].type.tensor_type.elem_type == onnx.TensorProto.FLOAT, name

    if photos is None:
        photos = np.random.default_rng(0).integers(0, 256, size=(3, size, size, 3), dtype=np.uint8)
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    names = [*OUTPUTS, *(o for o in OPTIONAL_OUTPUTS if o in outputs)]
    values = dict(zip(names, session.run(names, {"image": photos}), strict=True))
    n = len(photos)
    assert values["p_malignant"].shape == (n,) and values["p_lesion"].shape == (n,)
    if "p_dermoscopic" in values:
        assert values["p_dermoscopic"].shape == (n,)
    for name in ("p_malignant", "p_lesion", "evidence", *(o for o in OPTIONAL_OUTPUTS if o in values)):
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
