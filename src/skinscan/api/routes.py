"""``/api/v1``: predict, model card, health. Operation ids are stable (the TS client uses them)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
import numpy as np
from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, Request

from skinscan.api.batcher import MicroBatcher
from skinscan.api.schemas import ERROR_RESPONSES, HealthOut, ModelCardOut, ModelRef, PredictionOut
from skinscan.api.settings import Settings
from skinscan.api.uploads import FIELD, read_image_field
from skinscan.images import load_rgb, square_crop_resize
from skinscan.predictor import Predictor


@dataclass
class ServingState:
    """What the routes share: built once per app by ``create_app``."""

    settings: Settings
    predictor: Predictor
    batcher: MicroBatcher
    decode_limiter: CapacityLimiter | None = None

    def limiter(self) -> CapacityLimiter:
        # anyio limiters belong to an event loop, so it is made on first use, inside the loop.
        if self.decode_limiter is None:
            self.decode_limiter = CapacityLimiter(self.settings.threads)
        return self.decode_limiter


def _state(request: Request) -> ServingState:
    state: ServingState = request.app.state.serving
    return state


StateDep = Annotated[ServingState, Depends(_state)]

router = APIRouter(prefix="/api/v1", tags=["skinscan"])

UPLOAD_BODY = {
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
                        }
                    },
                }
            }
        },
    }
}


def _decode(data: bytes, size: int) -> np.ndarray:
    """The project's one decoder and crop/resize (images.py), run in a worker thread."""
    return square_crop_resize(load_rgb(data, target_side=size).image, size)


@router.post(
    "/predict",
    operation_id="predict",
    summary="Rate one skin-lesion photo",
    response_model=PredictionOut,
    responses=ERROR_RESPONSES,
    openapi_extra=UPLOAD_BODY,
)
async def predict(request: Request, state: StateDep) -> PredictionOut:
    """Upload a photo in the multipart field ``image``; get label, probability, risk and advice.

    The photo is read into memory (never onto disk), decoded upright, centre-cropped, resized to
    224 px and rated by the model; nothing about it is stored or logged.
    """
    started = time.perf_counter()
    upload = await read_image_field(request, state.settings.max_upload_bytes)
    read_done = time.perf_counter()
    size = state.predictor.size
    pixels = await anyio.to_thread.run_sync(_decode, upload.data, size, limiter=state.limiter())
    decoded = time.perf_counter()
    result = await state.batcher.predict(pixels)
    answer = state.predictor.answer(result.p_malignant)
    card = state.predictor.card
    return PredictionOut(
        label=answer.label,  # type: ignore[arg-type]
        p_malignant=answer.p_malignant,
        risk=answer.risk,  # type: ignore[arg-type]
        threshold=answer.threshold,
        advice=answer.advice,
        disclaimer=answer.disclaimer,
        model=ModelRef(name=card.name, version=card.version),
        timing_ms={
            "read": round((read_done - started) * 1e3, 3),
            "decode": round((decoded - read_done) * 1e3, 3),
            "queue": round(result.queue_ms, 3),
            "model": round(result.model_ms, 3),
            "batch": float(result.batch_size),
            "total": round((time.perf_counter() - started) * 1e3, 3),
        },
    )


@router.get("/model", operation_id="getModel", summary="The model card", response_model=ModelCardOut)
async def model_card(state: StateDep) -> dict[str, Any]:
    """The shipped model's card: input contract, threshold, risk bands, metrics."""
    return state.predictor.card.data


@router.get("/health", operation_id="getHealth", summary="Liveness and the loaded model")
async def health(state: StateDep) -> HealthOut:
    card = state.predictor.card
    return HealthOut(status="ok", model=ModelRef(name=card.name, version=card.version), onnx_sha256=card.onnx_sha256)
