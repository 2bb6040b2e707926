"""Rebuild a run folder (last.pt, summary.json, split manifest) from a shipped model file and its card.

Model 3 was trained on a lent GPU machine whose run folder did not come back: only ``models/skinscan.onnx``
and its card did. The exported graph keeps every weight, with each BatchNorm folded into the convolution
before it; this script puts them back into ``LesionNet`` (convolution = the folded weights, BatchNorm = an
identity that adds the folded bias) and the heads, then proves the rebuild: the graph exported from it must
give the shipped file's outputs on real photos (max |dp| < 1e-4). ``skinscan export --run OUT`` can then
re-export those weights with today's export code (e.g. model 3.1's brightness constancy) without retraining.

    .venv/bin/python scripts/checkpoint_from_onnx.py --model models/skinscan.onnx --out runs/model3 --data DATA
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from skinscan.datasets import data_root, kaggle_entries, load_pool
from skinscan.evaluation.manifest import manifest_for_model, manifest_in_run
from skinscan.training.model import VIEWS, ExportedModel, LesionNet
from skinscan.training.outputs import run_onnx

MAX_ABS_DIFF = 1e-4


def folded_convolutions(graph: onnx.GraphProto, weights: dict[str, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight, bias) of every convolution whose weights are initializers, in execution order."""
    convs = []
    for node in graph.node:
        if node.op_type == "Conv" and len(node.input) == 3 and node.input[1] in weights:
            convs.append((weights[node.input[1]], weights[node.input[2]]))
    return convs


def rebuild_network(model_path: Path, card: dict) -> tuple[LesionNet, tuple[float, ...]]:
    graph = onnx.load(str(model_path)).graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    config = card["training"]["config"]
    net = LesionNet(config["arch"], frozen_blocks=config["frozen_blocks"], dropout=config["dropout"], pretrained=False)
    convolutions = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    norms = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    pairs = list(zip(convolutions, norms, strict=True))  # each convolution is followed by its BatchNorm
    convs = folded_convolutions(graph, weights)
    if len(pairs) != len(convs):
        raise SystemExit(f"{len(convs)} folded convolutions in the file, {len(pairs)} conv+BN pairs in the network")
    with torch.no_grad():
        for (conv, bn), (w, b) in zip(pairs, convs, strict=True):
            if tuple(conv.weight.shape) != w.shape:
                raise SystemExit(f"shape mismatch: {tuple(conv.weight.shape)} vs {w.shape}")
            conv.weight.copy_(torch.from_numpy(w.copy()))
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(b.copy()))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        for head in ("classifier", "gate", "modality"):
            getattr(net, head).weight.copy_(torch.from_numpy(weights[f"net.{head}.weight"].copy()))
            getattr(net, head).bias.copy_(torch.from_numpy(weights[f"net.{head}.bias"].copy()))
    net.brightness_level = card.get("export", {}).get("brightness_level")  # 3.1 on; None: model 3.0
    calibration = tuple(float(v) for v in weights["calibration"])
    return net.eval(), calibration


def prove(net: LesionNet, calibration: tuple[float, ...], model_path: Path, images: np.ndarray, size: int) -> float:
    """Largest |difference| of p_malignant / p_lesion / p_dermoscopic between the rebuild and the file."""
    graph = ExportedModel(net, size, calibration).eval()  # type: ignore[arg-type]
    with torch.no_grad():
        mine = [graph(torch.from_numpy(images[i : i + 16]), torch.arange(VIEWS)) for i in range(0, len(images), 16)]
    theirs = run_onnx(model_path, images)
    worst = 0.0
    for index, name in ((0, "p_malignant"), (1, "p_lesion"), (4, "p_dermoscopic")):
        ours = torch.cat([m[index] for m in mine]).numpy()
        worst = max(worst, float(np.max(np.abs(ours - theirs[name]))))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=Path("models/skinscan.onnx"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="the data root (photos to prove the rebuild on)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    card = json.loads(args.model.with_suffix(".json").read_text())
    size = int(card["input"]["size"])
    net, calibration = rebuild_network(args.model, card)
    root = data_root(args.data)
    _, arrays = load_pool(kaggle_entries(root, "test")[::10], root, (size,))
    worst = prove(net, calibration, args.model, arrays[0], size)
    logging.info("rebuild vs %s on %d photos: max |dp| %.2e", args.model, len(arrays[0]), worst)
    if worst > MAX_ABS_DIFF:
        raise SystemExit("the rebuilt network does not reproduce the file")
    training = card["training"]
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "state_dict": net.state_dict(),
            "config": training["config"],
            "epoch": training["shipped_epoch"],
            "val_score": float("nan"),
            "arch": training["config"]["arch"],
            "frozen_blocks": training["config"]["frozen_blocks"],
            "dropout": training["config"]["dropout"],
            "input_size": size,
            "colour_constancy": training["config"]["colour_constancy"],
            "brightness_level": net.brightness_level,
        },
        args.out / "last.pt",
    )
    summary = {
        "data": {
            "manifest_sha256": training["split_manifest_sha256"],
            "counts": training["split"],
            "grouping": training["same_lesion_grouping"],
        },
        "train_seconds": training["train_seconds"],
        "history": training["history"],
        "device": training["device"],
        "notes": f"{training['run_notes']}; weights recovered from the shipped {card['version']} ONNX file by "
        f"scripts/checkpoint_from_onnx.py (max |dp| {worst:.1e} against it)",
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1))
    shutil.copyfile(manifest_for_model(args.model), manifest_in_run(args.out))
    logging.info("wrote %s/last.pt, summary.json and the split manifest", args.out)


if __name__ == "__main__":
    main()
