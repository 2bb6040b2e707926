"""ONNX Runtime session + model card -> an :class:`Answer` or a :class:`Refusal`. No torch on this path.

The model file answers three questions at once (docs/model-contract.md): is the photo usable
(``quality``), is it a close-up of a skin lesion (the gate, ``p_lesion``), and how likely is the
lesion malignant (``p_malignant``, with an ``evidence`` map). :func:`decide` turns those outputs
and the card into what a person is told; the browser follows the same rules.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import onnxruntime as ort

from skinscan.card import (
    EVIDENCE_OUTPUT,
    NOT_A_LESION,
    TOO_SMALL,
    CardError,
    ModelCard,
    QualityCheck,
    QualitySpec,
    card_path_for,
    load_card,
)
from skinscan.images import DEFAULT_MAX_PIXELS, prepare
from skinscan.questionnaire import Answers, combine

log = logging.getLogger("skinscan.predictor")

RefusalCode = Literal["not_a_lesion", "photo_unusable"]


class ModelLoadError(RuntimeError):
    """The model file or its card cannot be used; the message names the path."""


@dataclass(frozen=True)
class PhotoOutputs:
    """What the model file says about one photo; the contract-2 outputs are None for a contract-1 model."""

    p_malignant: float
    p_lesion: float | None = None
    quality: tuple[float, ...] | None = None
    evidence: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ModelOutputs:
    """The outputs for a batch of N photos, read by name."""

    p_malignant: np.ndarray
    p_lesion: np.ndarray | None = None
    quality: np.ndarray | None = None
    evidence: np.ndarray | None = None

    def photo(self, i: int) -> PhotoOutputs:
        return PhotoOutputs(
            p_malignant=float(self.p_malignant[i]),
            p_lesion=None if self.p_lesion is None else float(self.p_lesion[i]),
            quality=None if self.quality is None else tuple(float(v) for v in self.quality[i]),
            evidence=None if self.evidence is None else self.evidence[i],
        )

    def __len__(self) -> int:
        return len(self.p_malignant)


@dataclass(frozen=True)
class Answer:
    """The model's estimate for a usable photo of a lesion. Texts for people come from skinscan.messages."""

    label: str
    p_malignant: float
    """The estimate: the photo's, combined with the answers when there are any (skinscan.questionnaire)."""
    risk: str
    threshold: float
    evidence: list[list[float]] | None = None
    """The evidence map as rows of a small grid (S/32 x S/32, 3 decimals, 0..1); None for contract 1."""
    timing_ms: dict[str, float] = field(default_factory=dict)
    p_malignant_photo: float | None = None
    """The photo alone (the model's output); equals ``p_malignant`` when no answer moved it."""
    answers: Answers = field(default_factory=Answers)


@dataclass(frozen=True)
class Refusal:
    """The model will not judge this photo; no probability is given. ``reasons`` are machine codes."""

    code: RefusalCode
    reasons: tuple[str, ...]
    timing_ms: dict[str, float] = field(default_factory=dict)


def evidence_grid(evidence: np.ndarray) -> list[list[float]]:
    # tolist() first: iterating numpy rows and elements cost a third of a millisecond per answer
    rows: list[list[float]] = np.clip(np.asarray(evidence, dtype=np.float64), 0.0, 1.0).tolist()
    return [[round(v, 3) for v in row] for row in rows]


def quality_reasons(outputs: PhotoOutputs, card: ModelCard, photo_size: tuple[int, int] | None) -> list[str]:
    """Step 1 of "The decision": every failing check's reason, plus too_small for a small photo."""
    spec = card.quality
    if spec is None:
        return []
    reasons = failing_reasons(spec.checks, outputs, spec)
    if photo_size is not None and min(photo_size) < spec.min_side:
        reasons.append(TOO_SMALL)
    return list(dict.fromkeys(reasons))


def failing_reasons(checks: tuple[QualityCheck, ...], outputs: PhotoOutputs, spec: QualitySpec) -> list[str]:
    """The reasons of the failing ``checks`` (``quality.checks`` or ``quality.low_needs``), each once."""
    if outputs.quality is None or len(outputs.quality) != len(spec.signals):
        raise ValueError(f"the card names {len(spec.signals)} quality signals; the model gave {outputs.quality}")
    signals = dict(zip(spec.signals, outputs.quality, strict=True))
    return list(dict.fromkeys(check.reason for check in checks if check.fails(signals[check.signal])))


def decide(
    outputs: PhotoOutputs,
    card: ModelCard,
    photo_size: tuple[int, int] | None = None,
    answers: Answers | None = None,
) -> Answer | Refusal:
    """docs/model-contract.md, "The decision": refuse an unusable photo, then a non-lesion, else answer.

    ``photo_size``: the original photo's (width, height), for ``quality.min_side``; None skips that check.
    A contract-1 card (no ``gate``, no ``quality``) answers every photo. ``answers`` (the optional
    questionnaire) move the estimate of an answered photo only: they never make a refused photo acceptable.
    """
    reasons = quality_reasons(outputs, card, photo_size)
    if reasons:
        return Refusal(code="photo_unusable", reasons=tuple(reasons))
    if card.gate is not None:
        if outputs.p_lesion is None:
            raise ValueError(f"the card has a gate on {card.gate.output!r}; the model gave no such output")
        if not outputs.p_lesion >= card.gate.threshold:  # NaN is refused too
            return Refusal(code="not_a_lesion", reasons=(NOT_A_LESION,))
    answers = answers or Answers()
    p = combine(outputs.p_malignant, answers, card.questionnaire)
    low = card.risk(outputs.p_malignant) == "low" or card.risk(p) == "low"
    if card.quality is not None and card.quality.low_needs and low:
        # A "low" answer needs a sharper photo than any answer: blur can hide what makes a spot worrying.
        # Judged on the photo alone as well, so that answers never turn such a refusal into an answer.
        failed = failing_reasons(card.quality.low_needs, outputs, card.quality)
        if failed:
            return Refusal(code="photo_unusable", reasons=tuple(failed))
    return Answer(
        label=card.label(p),
        p_malignant=p,
        risk=card.risk(p),
        threshold=card.threshold,
        evidence=None if outputs.evidence is None else evidence_grid(outputs.evidence),
        p_malignant_photo=outputs.p_malignant,
        answers=answers,
    )


def default_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def onnx_session(path: str | Path, threads: int | None = None) -> ort.InferenceSession:
    """The CPU session configuration that serving uses; export and benchmarks measure the same one."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Model 3's optional `views` input is an initializer that is also a graph input, by design (its default);
    # ONNX Runtime warns about exactly that at every load. Errors still show.
    options.log_severity_level = 3
    # Idle ONNX Runtime threads busy-wait by default; in a server that burns the CPU that
    # decoding and the event loop need (and on 2 cores it measured slower, not faster).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _output_names(card: ModelCard, available: set[str], model_path: Path) -> dict[str, str]:
    """Field of ModelOutputs -> output name in the file, for the outputs this card uses."""
    wanted = {"p_malignant": card.output}
    if card.gate is not None:
        wanted["p_lesion"] = card.gate.output
    if card.quality is not None:
        wanted["quality"] = card.quality.output
    missing = sorted(name for name in wanted.values() if name not in available)
    if missing:
        raise ModelLoadError(f"{model_path}: its card names outputs the model lacks: {missing}")
    if EVIDENCE_OUTPUT in available:
        wanted["evidence"] = EVIDENCE_OUTPUT
    return wanted


class Predictor:
    """Load ``models/skinscan.onnx`` and its card once; predict many times (thread-safe)."""

    def __init__(self, model_path: str | Path, *, threads: int | None = None) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise ModelLoadError(f"model file not found: {self.model_path}")
        try:
            self.card: ModelCard = load_card(card_path_for(self.model_path), model_path=self.model_path)
        except CardError as exc:
            raise ModelLoadError(str(exc)) from exc
        try:
            self.session = onnx_session(self.model_path, threads)
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise ModelLoadError(f"model file {self.model_path} cannot be loaded: {exc}") from exc
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or inputs[0].name != "image":
            raise ModelLoadError(f"{self.model_path}: expected one input named 'image'")
        self.size = self.card.input_size
        self.outputs = _output_names(self.card, {o.name for o in self.session.get_outputs()}, self.model_path)
        if self.card.gate is None or self.card.quality is None:
            log.warning(
                "%s: the card has no %s block (model contract 1): photos are answered without %s",
                self.model_path,
                " or ".join(b for b in ("gate", "quality") if getattr(self.card, b) is None),
                "checking that they show a lesion or are usable",
            )

    def _check_batch(self, batch: np.ndarray) -> None:
        if batch.dtype != np.uint8 or batch.ndim != 4 or batch.shape[1:] != (self.size, self.size, 3):
            expected = f"uint8 [N, {self.size}, {self.size}, 3]"
            raise ValueError(f"expected {expected}, got {batch.dtype} {batch.shape}")

    def predict_arrays(self, batch: np.ndarray) -> np.ndarray:
        """uint8 [N, S, S, 3] RGB (S = card input.size) -> float32 [N] calibrated p_malignant."""
        self._check_batch(batch)
        (probabilities,) = self.session.run([self.card.output], {"image": batch})
        return np.asarray(probabilities, dtype=np.float32).reshape(-1)

    def run_arrays(self, batch: np.ndarray) -> ModelOutputs:
        """uint8 [N, S, S, 3] RGB -> every output the card uses (and the evidence map), by name."""
        self._check_batch(batch)
        fields = list(self.outputs)
        values = self.session.run([self.outputs[f] for f in fields], {"image": batch})
        arrays = {f: np.asarray(v, dtype=np.float32) for f, v in zip(fields, values, strict=True)}
        n = len(batch)
        arrays["p_malignant"] = arrays["p_malignant"].reshape(n)
        if "p_lesion" in arrays:
            arrays["p_lesion"] = arrays["p_lesion"].reshape(n)
        if "quality" in arrays:
            arrays["quality"] = arrays["quality"].reshape(n, -1)
        return ModelOutputs(**arrays)

    def predict(self, source: bytes | str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Answer | Refusal:
        """``images.prepare`` (the one decoder and crop/resize), run the model, ``decide``."""
        start = time.perf_counter()
        prepared = prepare(source, self.size, max_pixels=max_pixels)
        decoded_at = time.perf_counter()
        outputs = self.run_arrays(prepared.pixels[None]).photo(0)
        done = time.perf_counter()
        result = decide(outputs, self.card, prepared.original_size)
        timing = {"decode": round((decoded_at - start) * 1e3, 3), "model": round((done - decoded_at) * 1e3, 3)}
        result.timing_ms.update(timing)
        return result
