"""Response schemas: they document the API in OpenAPI (and so the generated TypeScript client)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelRef(BaseModel):
    name: str
    version: str


class PredictionOut(BaseModel):
    """What the model says about one photo, with everything the page needs to show it."""

    label: Literal["benign", "malignant"]
    p_malignant: float = Field(ge=0.0, le=1.0, description="Calibrated probability of malignancy.")
    risk: Literal["low", "medium", "high"]
    threshold: float = Field(description="Decision threshold on p_malignant (from the model card).")
    advice: str
    disclaimer: str
    model: ModelRef
    timing_ms: dict[str, float] = Field(
        description="Server-side milliseconds: read, decode, queue, model, total; batch = photos "
        "that shared the model call."
    )


class ErrorOut(BaseModel):
    detail: str = Field(description="Human-readable message.")
    code: str = Field(description="Stable machine-readable code, e.g. upload_too_large.")


class HealthOut(BaseModel):
    status: Literal["ok"]
    model: ModelRef
    onnx_sha256: str


class ModelCardOut(BaseModel):
    """The model card (``models/skinscan.json``) as shipped; see the README for its fields."""

    model_config = ConfigDict(extra="allow")

    name: str
    version: str
    threshold: float
    risk_bands: dict[str, float]
    labels: list[str]
    input: dict[str, Any]
    onnx_sha256: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "Not an image, a corrupt image or a malformed multipart body."),
        (408, "The upload took too long to arrive."),
        (413, "The upload is too large (bytes or pixels)."),
        (415, "Unsupported image type, or the body is not multipart/form-data."),
        (422, "The multipart field 'image' is missing."),
        (429, "Rate limited; see Retry-After."),
    )
}
