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
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from skinscan import messages
from skinscan.api.errors import error_response as _error_response
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
    encodings: tuple[tuple[str, Path], ...] = ()
    """(content coding, pre-compressed file) pairs, best first."""


def _index(root: Path, suffixes: tuple[str, ...] | None = None) -> dict[str, StaticFile]:
    """URL path (relative, '/'-separated) -> file, for every regular file under ``root``."""
    files: dict[str, StaticFile] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix in (".gz", ".br") and path.with_suffix("").is_file():
            continue  # a pre-compressed copy: served in place of its original, never on its own
        if suffixes is not None and (path.suffix not in suffixes or len(relative.parts) != 1):
            continue
        media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        encodings = tuple(
            (coding, path.with_name(path.name + suffix))
            for coding, suffix in ENCODINGS
            if path.with_name(path.name + suffix).is_file()
        )
        files[relative.as_posix()] = StaticFile(path, f'"{file_sha256(path)}"', media_type, encodings)
    return files


ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
"""Pre-compressed siblings, best first: ``app.js.br`` / ``app.js.gz`` made at build time by
:func:`precompress` (``make web``); served as they are, never compressed per request (40 cold
requests for the 11 MB .wasm once cost 17.9 s of CPU and +514 MB when each was gzipped on the fly)."""
PRECOMPRESS_MIN_BYTES = 1024


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


def _gzip(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=9, mtime=0)


def precompress(root: Path) -> list[Path]:
    """Write ``.gz`` (and ``.br`` when the ``brotli`` module is installed) beside every compressible
    file over 1 KiB under ``root``, when missing or older than the file; return what was written."""
    makers: list[tuple[str, Callable[[bytes], bytes]]] = [(".gz", _gzip)]
    try:
        import brotli  # type: ignore[import-not-found,unused-ignore]

        makers.append((".br", lambda raw: bytes(brotli.compress(raw, quality=6))))  # type: ignore[no-untyped-call,unused-ignore]
    except ImportError:
        pass
    written: list[Path] = []
    for path in sorted(root.rglob("*")):
        compressible = path.suffix.lower() in COMPRESSIBLE
        if not path.is_file() or not compressible or path.stat().st_size <= PRECOMPRESS_MIN_BYTES:
            continue
        data = path.read_bytes()
        for suffix, make in makers:
            target = path.with_name(path.name + suffix)
            if target.exists() and target.stat().st_mtime >= path.stat().st_mtime:
                continue
            target.write_bytes(make(data))
            written.append(target)
    return written


def _accepted(header: str) -> set[str]:
    """Content codings an ``Accept-Encoding`` header accepts (q > 0)."""
    accepted = set()
    for part in header.split(",")[:20]:
        coding, _, params = part.strip().partition(";")
        q = params.strip()
        if q.startswith("q="):
            try:
                if float(q[2:]) <= 0:
                    continue
            except ValueError:
                continue
        accepted.add(coding.strip().lower())
    return accepted


CACHE_MAX_FILE_BYTES = 4 << 20
CACHE_MAX_BYTES = 32 << 20
"""Files of the page up to 4 MiB (the 2.1 MB pre-compressed .wasm included), 32 MiB in all, are read
once at start-up and answered from memory in one body message. ``FileResponse`` reads 64 KiB per
worker-thread hop and sends each through the middleware stack: 40 cold requests for the .wasm made
~1 300 hops that kept the event loop busy (py-spy: most of its samples in thread hand-offs and
per-chunk sends), and health waited up to 0.42 s behind them."""


def _read_small(files: dict[str, StaticFile]) -> dict[Path, bytes]:
    """The bytes of the files (and pre-compressed copies) that fit the cache, smallest first."""
    paths = {path for file in files.values() for path in (file.path, *(sibling for _, sibling in file.encodings))}
    sizes = sorted((path.stat().st_size, path) for path in paths)
    cache: dict[Path, bytes] = {}
    total = 0
    for size, path in sizes:
        if size > CACHE_MAX_FILE_BYTES or total + size > CACHE_MAX_BYTES:
            break
        cache[path] = path.read_bytes()
        total += size
    return cache


async def _file_response(
    request: Request, file: StaticFile, cache_control: str, cache: dict[Path, bytes] | None = None
) -> Response:
    path, etag, headers = file.path, file.etag, {"Cache-Control": cache_control}
    if file.encodings:
        headers["Vary"] = "Accept-Encoding"
        accepted = _accepted(request.headers.get("accept-encoding", ""))
        for coding, sibling in file.encodings:
            if coding in accepted:
                path, etag = sibling, f'{file.etag[:-1]}-{coding}"'
                headers["Content-Encoding"] = coding
                break
    headers["ETag"] = etag
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    cached = cache.get(path) if cache is not None and "range" not in request.headers else None
    if cached is not None:  # HEAD: the protocol layer drops the body and keeps Content-Length
        return Response(cached, media_type=file.media_type, headers=headers)
    return FileResponse(path, media_type=file.media_type, headers=headers)


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
        self.cache = _read_small(self.pages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        path = request.url.path
        error_response = partial(_error_response, language=messages.negotiate(request.headers.get("accept-language")))
        if path.startswith("/api/"):
            return error_response(404, "not_found", f"No API route {path[:100]}; see /docs.")
        if request.method not in ("GET", "HEAD"):
            return error_response(405, "method_not_allowed", "Method not allowed.", {"Allow": "GET, HEAD"})
        if path.startswith("/models/"):
            model_file = self.models.get(path.removeprefix("/models/"))
            if model_file is None:
                return error_response(404, "not_found", "No such model file.")
            return await _file_response(request, model_file, REVALIDATE)
        relative = path.lstrip("/")
        page_file = self.pages.get(relative)
        if page_file is not None:
            immutable = relative.startswith("assets/")
            cache_control = IMMUTABLE if immutable else REVALIDATE
            return await _file_response(request, page_file, cache_control, self.cache)
        if not self.has_page:
            if relative in ("", "index.html"):
                return HTMLResponse(NO_PAGE, headers={"Cache-Control": "no-store"})
            return error_response(404, "not_found", "Not found (the web page is not built).")
        if "." in relative.rsplit("/", 1)[-1]:
            return error_response(404, "not_found", "No such file.")
        index = self.pages["index.html"]
        return await _file_response(request, index, REVALIDATE, self.cache)  # single-page app route


def main(argv: list[str] | None = None) -> int:
    """``python -m skinscan.api.static DIR``: pre-compress a built page (``make web`` runs it)."""
    import sys

    for root in argv if argv is not None else sys.argv[1:]:
        for path in precompress(Path(root)):
            print(f"{path} ({path.stat().st_size} bytes)")  # noqa: T201 - a build step's report
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
