"""The model card: ``models/skinscan.json`` next to ``models/skinscan.onnx``.

The card is the single source of truth about how to use the shipped model (input contract, labels,
decision threshold, risk bands, gate, quality checks) and where it came from (training record). It
is written once by ``skinscan export`` and never changed after; measurements of the model live in
reports/metrics.json (``skinscan evaluate``). Nothing about the model is duplicated in code. Like
timm's ``PretrainedCfg``, preprocessing metadata travels with the weights.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skinscan.questionnaire import QuestionnaireError, QuestionnaireSpec, spec_from_card

LABELS = ("benign", "malignant")
RISK_LEVELS = ("low", "medium", "high")
INPUT_CONTRACT = {
    "name": "image",
    "dtype": "uint8",
    "layout": "NHWC",
    "channels": "RGB",
    "crop": "largest centred square of the upright photo",
    "resize": "bilinear (Pillow BILINEAR, support widened when shrinking)",
}
OUTPUT_NAME = "p_malignant"
EVIDENCE_OUTPUT = "evidence"
"""Contract 2: the class activation map, ``[N, S/32, S/32]`` (docs/model-contract.md)."""
QUALITY_REASONS = ("out_of_focus", "too_dark", "overexposed", "low_contrast")
"""Reason codes a quality check may name (each has a hint in the message catalogues)."""
TOO_SMALL = "too_small"
NOT_A_LESION = "not_a_lesion"


class CardError(ValueError):
    """The card is missing, unreadable or inconsistent with the model file."""


@dataclass(frozen=True)
class GateSpec:
    """Card block ``gate``: refuse photos whose ``output`` (p_lesion) is below ``threshold``."""

    output: str
    threshold: float
    method: str


@dataclass(frozen=True)
class QualityCheck:
    """One check of card block ``quality``: fails below ``min`` or above ``max`` (exactly one is set)."""

    signal: str
    reason: str
    min: float | None = None
    max: float | None = None

    def fails(self, value: float) -> bool:
        if math.isnan(value):
            return True
        if self.min is not None:
            return value < self.min
        return self.max is not None and value > self.max


@dataclass(frozen=True)
class QualitySpec:
    """Card block ``quality``: the columns of ``output``, the checks, the smallest usable photo side."""

    output: str
    signals: tuple[str, ...]
    min_side: int
    checks: tuple[QualityCheck, ...]
    low_needs: tuple[QualityCheck, ...] = ()
    """Checks that only an answer of "low" must also pass (model 3: a blurred photo is never answered
    low); failing one turns that answer into a refusal with the check's reason."""


@dataclass(frozen=True)
class ModelCard:
    """What serving needs from the card, typed; ``data`` keeps the whole document.

    ``gate`` and ``quality`` are None for a contract-1 card: the model then answers every photo.
    """

    name: str
    version: str
    threshold: float
    risk_bands: dict[str, float]
    input_size: int
    onnx_sha256: str
    data: dict[str, Any] = field(repr=False)
    output: str = OUTPUT_NAME
    gate: GateSpec | None = None
    quality: QualitySpec | None = None
    questionnaire: QuestionnaireSpec | None = None
    """Card block ``questionnaire`` (skinscan.questionnaire): None when answers cannot be used."""

    @property
    def contract(self) -> int:
        return 2 if self.gate is not None and self.quality is not None else 1

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
    if not math.isclose(bands["medium"], threshold, abs_tol=1e-6):
        raise CardError(
            f"risk_bands.medium ({bands['medium']}) must equal the threshold ({threshold}): the low band is "
            "the benign answer, so label, band and advice never disagree"
        )
    size = data["input"].get("size") if isinstance(data["input"], dict) else None
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0 or size % 32:
        raise CardError(f"input.size must be a positive multiple of 32, got {size!r}")
    output = data.get("output", {})
    try:
        questionnaire = spec_from_card(data)
    except QuestionnaireError as exc:
        raise CardError(str(exc)) from exc
    return ModelCard(
        name=str(data["name"]),
        version=str(data["version"]),
        threshold=threshold,
        risk_bands=bands,
        input_size=size,
        onnx_sha256=str(data["onnx_sha256"]),
        data=data,
        output=str(output.get("name", OUTPUT_NAME)) if isinstance(output, dict) else OUTPUT_NAME,
        gate=_gate(data["gate"]) if "gate" in data else None,
        quality=_quality(data["quality"]) if "quality" in data else None,
        questionnaire=questionnaire,
    )


def _probability(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < float(value) < 1.0:
        raise CardError(f"{where} must be a number in (0, 1), got {value!r}")
    return float(value)


def _name(block: dict[str, Any], key: str, where: str) -> str:
    value = block.get(key)
    if not isinstance(value, str) or not value:
        raise CardError(f"{where}.{key} must be a non-empty string, got {value!r}")
    return value


def _gate(block: Any) -> GateSpec:
    if not isinstance(block, dict):
        raise CardError("gate must be an object")
    return GateSpec(
        output=_name(block, "output", "gate"),
        threshold=_probability(block.get("threshold"), "gate.threshold"),
        method=str(block.get("method", "")),
    )


def _check(raw: Any, signals: tuple[str, ...], where: str) -> QualityCheck:
    if not isinstance(raw, dict):
        raise CardError(f"{where} must be an object")
    signal, reason = _name(raw, "signal", where), _name(raw, "reason", where)
    if signal not in signals:
        raise CardError(f"{where}.signal {signal!r} is not one of quality.signals {list(signals)}")
    if reason not in QUALITY_REASONS:
        raise CardError(f"{where}.reason {reason!r} must be one of {list(QUALITY_REASONS)}")
    bounds = {key: raw[key] for key in ("min", "max") if key in raw}
    if len(bounds) != 1:
        raise CardError(f"{where} needs exactly one of min or max, got {sorted(bounds) or 'neither'}")
    ((key, value),) = bounds.items()
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CardError(f"{where}.{key} must be a finite number, got {value!r}")
    return QualityCheck(signal=signal, reason=reason, **{key: float(value)})


def _quality(block: Any) -> QualitySpec:
    if not isinstance(block, dict):
        raise CardError("quality must be an object")
    raw_signals = block.get("signals")
    if not isinstance(raw_signals, list) or not raw_signals or not all(isinstance(s, str) for s in raw_signals):
        raise CardError(f"quality.signals must be a non-empty list of names, got {raw_signals!r}")
    signals = tuple(raw_signals)
    if len(set(signals)) != len(signals):
        raise CardError(f"quality.signals must not repeat a name, got {list(signals)}")
    min_side = block.get("min_side")
    if isinstance(min_side, bool) or not isinstance(min_side, int) or min_side < 1:
        raise CardError(f"quality.min_side must be a positive integer, got {min_side!r}")
    raw_checks = block.get("checks")
    if not isinstance(raw_checks, list):
        raise CardError("quality.checks must be a list")
    raw_low = block.get("low_needs", [])
    if not isinstance(raw_low, list):
        raise CardError("quality.low_needs must be a list")
    return QualitySpec(
        output=_name(block, "output", "quality"),
        signals=signals,
        min_side=min_side,
        checks=tuple(_check(raw, signals, f"quality.checks[{i}]") for i, raw in enumerate(raw_checks)),
        low_needs=tuple(_check(raw, signals, f"quality.low_needs[{i}]") for i, raw in enumerate(raw_low)),
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
