"""Every error leaves the API as JSON ``{"detail": message, "code": stable machine code}``.

Clients (the page, scripts) branch on ``code``; ``detail`` is for people, in the language that
``Accept-Language`` asks for (English or Simplified Chinese; see skinscan.messages). Anything a client can
send ends in a 4xx; an unexpected exception is logged (without the request body) and answered
with a plain 500 that reveals nothing.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from skinscan import messages
from skinscan.images import ImageRejected

log = logging.getLogger("skinscan.api")

_CODES_BY_STATUS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "upload_timeout",
    413: "too_large",
    415: "unsupported_type",
    422: "validation_error",
    429: "rate_limited",
}


class ApiError(Exception):
    """A client error with its HTTP status, stable code and human message."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers


ClientError = ApiError | ImageRejected


def client_error_in(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first client error (``ApiError`` / ``ImageRejected``) in an exception group, at any depth;
    else the first leaf (a real fault, or a cancellation, which must propagate as it is)."""
    leaves: list[BaseException] = []
    pending: list[BaseException] = [group]
    while pending:
        current = pending.pop(0)
        if isinstance(current, BaseExceptionGroup):
            pending[:0] = list(current.exceptions)
        else:
            leaves.append(current)
    for leaf in leaves:
        if isinstance(leaf, ClientError):
            return leaf
    return leaves[0] if leaves else group


def one_line(exc: BaseException) -> str:
    """``Type: message at file:line in function <- caller...``: a traceback that fits one log line."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in reversed(frames))
    message = str(exc).replace("\n", " ")[:300]
    return f"{type(exc).__name__}: {message} at {where or '?'}"


def language_headers(language: str) -> dict[str, str]:
    """Headers of a response whose words follow Accept-Language."""
    return {"Content-Language": messages.CONTENT_LANGUAGE[language], "Vary": "Accept-Language"}


def error_response(
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    language: str = messages.DEFAULT_LANGUAGE,
) -> JSONResponse:
    """``detail`` is the specific English message; other languages get the catalogue's text for ``code``."""
    if language != messages.DEFAULT_LANGUAGE and messages.has(f"error.{code}"):
        detail = messages.text(f"error.{code}", language)
    return JSONResponse(
        {"detail": detail, "code": code},
        status_code=status,
        headers=(headers or {}) | language_headers(language),
    )


def request_language(request: Request) -> str:
    return messages.negotiate(request.headers.get("accept-language"))


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, exc.headers, language=request_language(request))


async def _image_rejected(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ImageRejected)
    return error_response(exc.status, exc.code, exc.message, language=request_language(request))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES_BY_STATUS.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}), language=request_language(request))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return error_response(
        422, "validation_error", "Invalid request: " + "; ".join(parts), language=request_language(request)
    )


async def _group(request: Request, exc: Exception) -> JSONResponse:
    """An exception group (a task group in a route): answer for the client error inside it, if any."""
    assert isinstance(exc, ExceptionGroup)
    leaf = client_error_in(exc)
    if isinstance(leaf, ApiError):
        return await _api_error(request, leaf)
    if isinstance(leaf, ImageRejected):
        return await _image_rejected(request, leaf)
    return await _unexpected(request, leaf if isinstance(leaf, Exception) else exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A real fault: logged once, on one line (no request body, no query string), answered 500."""
    log.error("internal_error on %s %s: %s", request.method, request.url.path[:200], one_line(exc))
    return error_response(
        500, "internal_error", messages.text("error.internal_error"), language=request_language(request)
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ImageRejected, _image_rejected)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ExceptionGroup, _group)
    app.add_exception_handler(Exception, _unexpected)
