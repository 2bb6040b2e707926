"""The model card: ``models/skinscan.json`` next to ``models/skinscan.onnx``.

The card is the single source of truth about the shipped model (input contract, labels, decision
threshold, risk bands, metrics). The server, the report and the web page read only it; nothing
about the model is duplicated in code. Like timm's ``PretrainedCfg``, preprocessing metadata
travels with the weights.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LABELS = ("benign", "malignant")
RISK_LEVELS = ("low", "medium", "high")
INPUT_CONTRACT = {
    "name": "image",
    "size": 224,
    "dtype": "uint8",
    "layout": "NHWC",
    "channels": "RGB",
    "crop": "largest centred square of the upright photo",
    "resize": "bilinear (Pillow BILINEAR, support widened when shrinking)",
}
OUTPUT_NAME = "p_malignant"


class CardError(ValueError):
    """The card is missing, unreadable or inconsistent with the model file."""


@dataclass(frozen=True)
class ModelCard:
    """What serving needs from the card, typed; ``data`` keeps the whole document."""

    name: str
    version: str
    threshold: float
    risk_bands: dict[str, float]
    input_size: int
    onnx_sha256: str
    data: dict[str, Any] = field(repr=False)

    def risk(self, p_malignant: float) -> str:
        """Risk band for a probability: the highest band whose lower bound it reaches."""
        level = "low"
        for name in RISK_LEVELS:
            if p_malignant >= self.risk_bands[name]:
                level = name
        return level

    def label(self, p_malignant: float) -> str:
        return LABELS[1] if p_malignant >= self.threshold else LABELS[0]


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def card_path_for(model_path: str | Path) -> Path:
    """``models/skinscan.onnx`` -> ``models/skinscan.json``."""
    return Path(model_path).with_suffix(".json")


def validate_card(data: dict[str, Any]) -> ModelCard:
    """Check the fields that serving relies on and return the typed view."""
    missing = [
        key
        for key in ("name", "version", "threshold", "risk_bands", "input", "labels", "onnx_sha256")
        if key not in data
    ]
    if missing:
        raise CardError(f"model card lacks {', '.join(missing)}")
    if list(data["labels"]) != list(LABELS):
        raise CardError(f"model card labels must be {list(LABELS)}, got {data['labels']}")
    threshold = float(data["threshold"])
    if not 0.0 < threshold < 1.0:
        raise CardError(f"threshold must lie in (0, 1), got {threshold}")
    bands = {str(k): float(v) for k, v in dict(data["risk_bands"]).items()}
    if set(bands) != set(RISK_LEVELS):
        raise CardError(f"risk_bands must name {list(RISK_LEVELS)}, got {sorted(bands)}")
    if not bands["low"] == 0.0 <= bands["medium"] <= bands["high"] <= 1.0:
        raise CardError(f"risk_bands must be lower bounds 0 = low <= medium <= high <= 1, got {bands}")
    size = int(data["input"].get("size", 0))
    if size <= 0:
        raise CardError("input.size must be a positive integer")
    return ModelCard(
        name=str(data["name"]),
        version=str(data["version"]),
        threshold=threshold,
        risk_bands=bands,
        input_size=size,
        onnx_sha256=str(data["onnx_sha256"]),
        data=data,
    )


def load_card(path: str | Path, *, model_path: str | Path | None = None) -> ModelCard:
    """Read and validate a card; with ``model_path``, also check the ONNX file's sha256."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CardError(f"model card not found: {path}") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise CardError(f"model card {path} is unreadable: {exc}") from exc
    if not isinstance(data, dict):
        raise CardError(f"model card {path} must be a JSON object")
    card = validate_card(data)
    if model_path is not None:
        actual = file_sha256(model_path)
        if actual != card.onnx_sha256:
            raise CardError(
                f"{model_path} does not match its card {path} (sha256 {actual[:12]}… != "
                f"{card.onnx_sha256[:12]}…): re-run `skinscan export` or restore the pair"
            )
    return card


def write_card(path: str | Path, data: dict[str, Any]) -> None:
    """Validate then write atomically (no half-written card if interrupted)."""
    validate_card(data)
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)
