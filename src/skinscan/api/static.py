"""The built page (``web/dist``) at ``/`` and the model, its card and its measurements under ``/models/``.

Both are served by the API process so that one command runs everything. Files get an ETag from
their sha256 (computed once at start-up, so a browser re-validates the 10 MB model with a cheap
304) and caching headers: Vite's hashed ``/assets/`` are immutable, everything else is
re-validated. Unknown paths that look like page routes get ``index.html`` (single-page app).

The measurements (``reports/metrics.json``, written by ``skinscan evaluate``) are served as
``/models/<model>.metrics.json`` only when they name the loaded model file's sha256: figures of
another model are never shown beside this one's answers.
"""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from skinscan.api.errors import error_response
from skinscan.card import file_sha256

MEDIA_TYPES = {
    ".onnx": "application/octet-stream",
    ".ort": "application/octet-stream",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".map": "application/json",
    ".woff2": "font/woff2",
}
log = logging.getLogger(__name__)
MODEL_SUFFIXES = (".onnx", ".ort", ".json")
COMPRESSIBLE = {".wasm", ".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".txt", ".webmanifest"}
REVALIDATE = "public, max-age=0, must-revalidate"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>skinscan API</title></head>
<body><h1>skinscan API is running</h1>
<p>The web page has not been built, so only the API is served. Build it with <code>make web</code>
(or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>) and restart, or set
<code>SKINSCAN_WEB_DIR</code> to a built page.</p>
<p>API: <a href="/docs">/docs</a> &middot; <code>POST /api/v1/predict</code> &middot;
<a href="/api/v1/health">/api/v1/health</a></p></body></html>
"""


@dataclass(frozen=True)
class StaticFile:
    path: Path
    etag: str
    media_type: str


def _index(root: Path, suffixes: tuple[str, ...] | None = None) -> dict[str, StaticFile]:
    """URL path (relative, '/'-separated) -> file, for every regular file under ``root``."""
    files: dict[str, StaticFile] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if suffixes is not None and (path.suffix not in suffixes or len(relative.parts) != 1):
            continue
        media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        files[relative.as_posix()] = StaticFile(path, f'"{file_sha256(path)}"', media_type)
    return files


def _metrics_file(path: Path, onnx_sha256: str) -> StaticFile | None:
    """``path`` if it holds the measurements of the model with ``onnx_sha256``, else None (logged)."""
    try:
        measured = json.loads(path.read_text(encoding="utf-8"))["model"]["sha256"]
    except FileNotFoundError:
        log.info("no model measurements at %s (run `skinscan evaluate`)", path)
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("model measurements %s are unreadable (%s): not served", path, exc)
        return None
    if measured != onnx_sha256:
        log.warning("%s measures another model file (sha256 %.12s…): not served", path, measured)
        return None
    return StaticFile(path, f'"{file_sha256(path)}"', MEDIA_TYPES[".json"])


def _gzip(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class _GzipCache:
    """Compressed copies of text and WebAssembly files, made once on first request, in memory.

    onnxruntime-web's .wasm is 11 MB and gzips to about a quarter of that, which matters on a
    phone; Heroku's router does not compress. The model itself (float weights) barely
    compresses, so it is always sent as is.
    """

    def __init__(self) -> None:
        self.bodies: dict[Path, bytes] = {}

    async def get(self, file: StaticFile) -> bytes:
        if file.path not in self.bodies:
            self.bodies[file.path] = await anyio.to_thread.run_sync(_gzip, file.path)
        return self.bodies[file.path]


async def _file_response(request: Request, file: StaticFile, cache_control: str, cache: _GzipCache) -> Response:
    compress = (
        file.path.suffix.lower() in COMPRESSIBLE
        and file.path.stat().st_size > 1024
        and "gzip" in request.headers.get("accept-encoding", "")
    )
    etag = f'{file.etag[:-1]}-gzip"' if compress else file.etag
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if compress:
        body = await cache.get(file)
        headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=file.media_type, headers=headers)  # uvicorn drops it for HEAD
    return FileResponse(file.path, media_type=file.media_type, headers=headers)


class StaticSite:
    """ASGI fallback of the router: called for every path no API route matched.

    The file lists are fixed at start-up (the page and the model are build artefacts), so a
    request can only ever reach a file that was listed, never walk the file system.
    """

    def __init__(self, web_dir: Path, model_path: Path, metrics: Path | None = None, onnx_sha256: str = "") -> None:
        self.pages = _index(web_dir)
        self.models = _index(model_path.parent, MODEL_SUFFIXES)
        measured = _metrics_file(metrics, onnx_sha256) if metrics is not None else None
        if measured is not None:
            self.models[f"{model_path.stem}.metrics.json"] = measured
        self.has_page = "index.html" in self.pages
        self.gzip = _GzipCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/api/"):
            return error_response(404, "not_found", f"No API route {path[:100]}; see /docs.")
        if request.method not in ("GET", "HEAD"):
            return error_response(405, "method_not_allowed", "Method not allowed.", {"Allow": "GET, HEAD"})
        if path.startswith("/models/"):
            model_file = self.models.get(path.removeprefix("/models/"))
            if model_file is None:
                return error_response(404, "not_found", "No such model file.")
            return await _file_response(request, model_file, REVALIDATE, self.gzip)
        relative = path.lstrip("/")
        page_file = self.pages.get(relative)
        if page_file is not None:
            immutable = relative.startswith("assets/")
            cache_control = IMMUTABLE if immutable else REVALIDATE
            return await _file_response(request, page_file, cache_control, self.gzip)
        if not self.has_page:
            if relative in ("", "index.html"):
                return HTMLResponse(NO_PAGE, headers={"Cache-Control": "no-store"})
            return error_response(404, "not_found", "Not found (the web page is not built).")
        if "." in relative.rsplit("/", 1)[-1]:
            return error_response(404, "not_found", "No such file.")
        index = self.pages["index.html"]
        return await _file_response(request, index, REVALIDATE, self.gzip)  # single-page app route
