"""Response schemas: they document the API in OpenAPI (and so the generated TypeScript client)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelRef(BaseModel):
    name: str
    version: str


Choice = Literal["yes", "no", "unknown"]


class AnswersOut(BaseModel):
    """The questionnaire's answers that were received (absent: not answered)."""

    age: int | None = Field(default=None, ge=1, le=120, description="Age in whole years.")
    grown: Choice | None = None
    changed: Choice | None = None
    bleeds: Choice | None = None
    itches: Choice | None = None
    hurts: Choice | None = None
    raised: Choice | None = None


class PredictionOut(BaseModel):
    """What the model says about one photo, with everything the page needs to show it."""

    label: Literal["benign", "malignant"]
    p_malignant: float = Field(ge=0.0, le=1.0, description="Calibrated probability of malignancy.")
    risk: Literal["low", "medium", "high"]
    threshold: float = Field(description="Decision threshold on p_malignant (from the model card).")
    advice: str = Field(description="What to do, for a layperson, led by the risk band (Accept-Language).")
    disclaimer: str = Field(description="Not a diagnosis (Accept-Language).")
    evidence: list[list[float]] | None = Field(
        description="Where the malignant evidence lies: a grid of S/32 x S/32 cells over the centred square "
        "the model saw, rows top to bottom, each 0..1 (3 decimals; all 0 when nothing points to malignant). "
        "null for a model without an evidence output (model contract 1)."
    )
    model: ModelRef
    timing_ms: dict[str, float] = Field(
        description="Server-side milliseconds: read, decode, queue, model, total; batch = photos "
        "that shared the model call."
    )
    p_malignant_photo: float = Field(
        ge=0.0,
        le=1.0,
        description="The photo alone. p_malignant combines it with the answers (the card's questionnaire "
        "section); with no answer that moves it, p_malignant equals it exactly.",
    )
    answers: AnswersOut = Field(description="The answers used (empty when none were sent).")


class ErrorOut(BaseModel):
    detail: str = Field(description="Human-readable message (Accept-Language: en or zh).")
    code: str = Field(description="Stable machine-readable code, e.g. upload_too_large; never translated.")
    fields: list[str] | None = Field(
        default=None, description="invalid_answers only: the questionnaire fields whose values are invalid."
    )


class InvalidAnswersOut(BaseModel):
    """A questionnaire answer is not acceptable; no probability is given."""

    detail: str = Field(description="What is wrong, for people (Accept-Language).")
    code: Literal["invalid_answers"]
    fields: list[str] = Field(min_length=1, description="The fields whose values are invalid (values never echoed).")


RefusalReason = Literal["out_of_focus", "too_dark", "overexposed", "low_contrast", "too_small", "not_a_lesion"]


class RefusalOut(BaseModel):
    """The model will not judge this photo (docs/model-contract.md, "The decision"); no probability."""

    detail: str = Field(description="Why there is no estimate, for people (Accept-Language).")
    code: Literal["photo_unusable", "not_a_lesion"] = Field(
        description="photo_unusable: the photo fails a quality check; not_a_lesion: it does not look like a "
        "close-up of a skin lesion. Never translated."
    )
    hint: str = Field(description="How to take a photo that can be judged (Accept-Language).")
    reasons: list[RefusalReason] = Field(min_length=1, description="Machine codes, one per problem found.")


class HealthOut(BaseModel):
    status: Literal["ok"]
    model: ModelRef
    onnx_sha256: str


class ReadyOut(BaseModel):
    """This process takes requests: model loaded and warmed, not shutting down."""

    status: Literal["ready"]


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
    status: {
        "model": RefusalOut | ErrorOut if status == 422 else ErrorOut,
        "description": description,
    }
    for status, description in (
        (400, "Not an image, a corrupt image or a malformed multipart body."),
        (408, "The upload took too long to arrive."),
        (413, "The upload is too large (bytes or pixels)."),
        (415, "Unsupported image type, or the body is not multipart/form-data."),
        (
            422,
            "The multipart field 'image' is missing (ErrorOut), the photo was refused (RefusalOut), or an "
            "answer is invalid (ErrorOut with code invalid_answers and its fields).",
        ),
        (429, "Rate limited; see Retry-After."),
    )
}
