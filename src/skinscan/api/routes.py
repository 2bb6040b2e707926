"""``/api/v1``: predict, model card, health (liveness), ready (readiness).

Operation ids are stable (the TS client uses them).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Annotated, Any

from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from skinscan import messages
from skinscan.api.batcher import MicroBatcher, NotPrepared
from skinscan.api.decoding import DecodePool, decode_if_small, decode_upload
from skinscan.api.errors import error_response, language_headers, request_language
from skinscan.api.lifecycle import Lifecycle
from skinscan.api.memory import UploadMemory
from skinscan.api.metrics import Metrics
from skinscan.api.schemas import (
    ERROR_RESPONSES,
    AnswersOut,
    ErrorOut,
    HealthOut,
    InvalidAnswersOut,
    ModelCardOut,
    ModelRef,
    PredictionOut,
    ReadyOut,
    RefusalOut,
)
from skinscan.api.settings import Settings
from skinscan.api.uploads import FIELD, read_image_field
from skinscan.predictor import Answer, Predictor, Refusal, decide
from skinscan.questionnaire import AGE, AGE_MAX, AGE_MIN, CHOICES, QUESTIONS, InvalidAnswers, parse_answers


@dataclass
class ServingState:
    """What the routes share: built once per app by ``create_app``."""

    settings: Settings
    predictor: Predictor
    batcher: MicroBatcher
    decoder: DecodePool | None = None
    """Big photos: worker processes with a deadline (api/decoding.py); None decodes on threads."""
    decode_limiter: CapacityLimiter | None = None
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    metrics: Metrics | None = None
    uploads: UploadMemory = field(default_factory=lambda: UploadMemory(1 << 30))
    """Upload bytes held by requests in flight: bounded, and trimmed after a burst (api/memory.py)."""

    def limiter(self) -> CapacityLimiter:
        # anyio limiters belong to an event loop, so it is made on first use, inside the loop.
        if self.decode_limiter is None:
            self.decode_limiter = CapacityLimiter(self.settings.threads)
        return self.decode_limiter


# Dependencies are ``async def``: FastAPI runs a plain ``def`` dependency on a worker thread,
# which cost two thread hops per request for what are two attribute reads.
def serving_state(request: Request) -> ServingState:
    """The app's ``ServingState`` (set by ``create_app``): the one place it is read from Starlette's untyped state."""
    state: ServingState = request.app.state.serving
    return state


async def _state(request: Request) -> ServingState:
    return serving_state(request)


StateDep = Annotated[ServingState, Depends(_state)]


def holds_upload_memory(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Wrap an upload route: the upload bytes it receives are counted against ``ServingState.uploads``
    (``read_image_field`` finds the count in ``request.state``) until its answer is ready."""

    @functools.wraps(route)
    async def counted(request: Request) -> Response:
        async with serving_state(request).uploads.hold() as held:
            request.state.upload_memory = held
            return await route(request)

    return counted


LANGUAGE_HELP = "Language of the texts for people: en (default) or zh / zh-CN (Simplified Chinese)."
LANGUAGE_PARAMETER = {
    "name": "accept-language",
    "in": "header",
    "required": False,
    "schema": {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "description": LANGUAGE_HELP,
        "title": "Accept-Language",
    },
    "description": LANGUAGE_HELP,
}
"""``predict`` reads the header itself (no dependency to solve per request); the schema still says so."""

router = APIRouter(prefix="/api/v1", tags=["skinscan"])

QUESTION_HELP = {
    "grown": "has the spot grown lately?",
    "changed": "has it changed (shape, colour)?",
    "bleeds": "does it bleed?",
    "itches": "does it itch?",
    "hurts": "does it hurt?",
    "raised": "is it raised above the skin?",
}

UPLOAD_BODY = {
    "parameters": [LANGUAGE_PARAMETER],
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {
                        FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "The photo: JPEG, PNG or WebP (checked by content).",
                        },
                        AGE: {
                            "type": "integer",
                            "minimum": AGE_MIN,
                            "maximum": AGE_MAX,
                            "description": "Optional: age in whole years.",
                        },
                    }
                    | {
                        name: {
                            "type": "string",
                            "enum": list(CHOICES),
                            "description": f"Optional: {QUESTION_HELP[name]}",
                        }
                        for name in QUESTIONS
                    },
                }
            }
        },
    },
}


def refusal_response(refusal: Refusal, language: str) -> JSONResponse:
    body = RefusalOut(
        detail=messages.text(f"refusal.{refusal.code}", language),
        code=refusal.code,
        hint=messages.hint(refusal.reasons, language),
        reasons=list(refusal.reasons),  # type: ignore[arg-type]
    )
    return JSONResponse(body.model_dump(), status_code=422, headers=language_headers(language))


def invalid_answers_response(error: InvalidAnswers, language: str) -> JSONResponse:
    body = InvalidAnswersOut(
        detail=messages.text("error.invalid_answers", language) + " " + ", ".join(error.fields),
        code="invalid_answers",
        fields=error.fields,
    )
    return JSONResponse(body.model_dump(), status_code=422, headers=language_headers(language))


def answer_out(answer: Answer, state: ServingState, language: str, timing_ms: dict[str, float]) -> PredictionOut:
    card = state.predictor.card
    return PredictionOut(
        label=answer.label,  # type: ignore[arg-type]
        p_malignant=answer.p_malignant,
        risk=answer.risk,  # type: ignore[arg-type]
        threshold=answer.threshold,
        advice=messages.text(f"advice.{answer.risk}", language),
        disclaimer=messages.text("disclaimer", language),
        evidence=answer.evidence,
        model=ModelRef(name=card.name, version=card.version),
        timing_ms=timing_ms,
        p_malignant_photo=answer.p_malignant if answer.p_malignant_photo is None else answer.p_malignant_photo,
        answers=AnswersOut.model_validate(answer.answers.as_dict()),
    )


@router.post(
    "/predict",
    operation_id="predict",
    summary="Rate one skin-lesion photo",
    response_model=PredictionOut,
    responses=ERROR_RESPONSES,
    openapi_extra=UPLOAD_BODY,
)
@holds_upload_memory
async def predict(request: Request) -> Response:
    """Upload a photo in the multipart field ``image``; get label, probability, risk, advice and evidence.

    The photo is read into memory (never onto disk), decoded upright, centre-cropped and resized to
    the model card's input size; nothing about it is stored or logged. A photo the model cannot judge
    (blurred, too dark, too small...) or that is not a close-up of a skin lesion is refused with 422
    and a ``RefusalOut`` (``code`` photo_unusable or not_a_lesion, ``reasons``, a ``hint``), never a
    probability. Texts for people follow ``Accept-Language`` (en, zh); codes never change.

    Optional questionnaire fields (``age``; ``grown``, ``changed``, ``bleeds``, ``itches``, ``hurts``,
    ``raised``: yes | no | unknown) are combined with the photo by the model card's ``questionnaire``
    coefficients: ``p_malignant``, label, risk and advice are then the combined estimate and
    ``p_malignant_photo`` the photo alone. An invalid answer gets 422 ``invalid_answers`` naming the
    fields. Answers are health data: they are neither logged nor kept. They cannot make a refused photo
    acceptable.
    """
    started = time.perf_counter()
    # No FastAPI dependencies on the hot path: solving them cost more of the event loop than the
    # multipart parse. The state and the language are two lookups.
    state = serving_state(request)
    language = request_language(request)
    upload = await read_image_field(request, state.settings.max_upload_bytes)
    try:  # checked before the model runs: a bad answer gets no probability
        answers = parse_answers(upload.fields)
    except InvalidAnswers as error:
        return invalid_answers_response(error, language)
    read_done = time.perf_counter()
    size = state.predictor.size
    try:  # a small photo is decoded by the model's lane, right before its model call
        result = await state.batcher.predict_upload(upload.data, partial(decode_if_small, size=size))
    except NotPrepared:  # a big one under a deadline first (api/decoding.py)
        pixels, stored_size = await decode_upload(request, upload.data, size, state.decoder, state.limiter())
        decode_ms = (time.perf_counter() - read_done) * 1e3
        result = replace(await state.batcher.predict(pixels), prepared=stored_size, prepare_ms=decode_ms)
    verdict = decide(result.outputs, state.predictor.card, result.prepared, answers)
    if isinstance(verdict, Refusal):
        if state.metrics is not None:
            state.metrics.refusal(verdict.code)
        return refusal_response(verdict, language)
    timing = {
        "read": round((read_done - started) * 1e3, 3),
        "decode": round(result.prepare_ms, 3),
        "queue": round(result.queue_ms, 3),
        "model": round(result.model_ms, 3),
        "batch": float(result.batch_size),
        "total": round((time.perf_counter() - started) * 1e3, 3),
    }
    # Serialised here, once: FastAPI would validate the finished model again before dumping it.
    body = answer_out(verdict, state, language, timing).model_dump_json()
    return Response(body, media_type="application/json", headers=language_headers(language))


@router.get("/model", operation_id="getModel", summary="The model card", response_model=ModelCardOut)
async def model_card(state: StateDep) -> dict[str, Any]:
    """The shipped model's card: input contract, threshold, risk bands, gate, quality checks, training record."""
    return state.predictor.card.data


@router.get("/health", operation_id="getHealth", summary="Liveness and the loaded model")
async def health(state: StateDep) -> HealthOut:
    card = state.predictor.card
    return HealthOut(status="ok", model=ModelRef(name=card.name, version=card.version), onnx_sha256=card.onnx_sha256)


@router.get(
    "/ready",
    operation_id="getReady",
    summary="Readiness: send requests here?",
    response_model=ReadyOut,
    responses={
        503: {"model": ErrorOut, "description": "Starting, or shutting down (code not_ready or shutting_down)."}
    },
)
async def ready(state: StateDep) -> Response:
    """200 once the model is loaded and warmed; 503 while starting and from the moment the process
    gets SIGTERM (it finishes the requests in flight, takes no new ones). Load balancers and the
    Kubernetes readiness probe poll this; ``/health`` is liveness (the process answers at all)."""
    phase = state.lifecycle.state
    if phase == "ready":
        return JSONResponse(ReadyOut(status="ready").model_dump())
    code, detail = (
        ("shutting_down", "This server is shutting down: it finishes the requests it has and takes no new ones.")
        if phase == "draining"
        else ("not_ready", "This server is starting: the model is not ready yet.")
    )
    return error_response(503, code, detail, headers={"Retry-After": "1"})
