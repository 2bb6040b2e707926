"""``/docs``: Swagger UI served from this server's own files, so the API docs work offline.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an inline script. Here the
Swagger UI build comes from the PyPI package ``fastapi-offline`` (its ``static/`` folder; we use
only those files, not its code), and the start-up script is a file too, so the page runs under a
strict Content-Security-Policy: ``script-src 'self'``, no third-party host at all.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
ASSETS_CACHE = "public, max-age=86400"
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'none'"
)
# Served by name from an allowlist (nothing else in the folder, no paths): name -> media type.
VENDOR_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
INIT_JS = """\
// Starts Swagger UI on the API's own schema (the URL is in the page, not inlined as a script).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
  });
});
"""
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API docs</title>
<link rel="icon" type="image/png" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/init.js"></script>
</body>
</html>
"""


def swagger_ui_dir() -> Path:
    """The Swagger UI build inside the installed ``fastapi-offline`` package (not imported)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the package fastapi-offline (Swagger UI files for /docs) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def install_offline_docs(app: FastAPI, openapi_url: str = "/openapi.json") -> None:
    """Add ``/docs`` and its assets to an app built with ``docs_url=None, redoc_url=None``."""
    folder = swagger_ui_dir()
    missing = [name for name in VENDOR_FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"Swagger UI files missing from {folder}: {missing}")
    page = PAGE.format(title=escape(app.title), assets=ASSETS_PATH, openapi_url=escape(openapi_url))

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-cache"})

    @app.get(f"{ASSETS_PATH}/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(INIT_JS, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": ASSETS_CACHE})

    for name, media_type in VENDOR_FILES.items():
        app.add_api_route(
            f"{ASSETS_PATH}/{name}",
            _file_endpoint(folder / name, media_type),
            methods=["GET"],
            include_in_schema=False,
        )


def _file_endpoint(path: Path, media_type: str) -> Callable[[], Awaitable[FileResponse]]:
    async def endpoint() -> FileResponse:
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": ASSETS_CACHE})

    return endpoint
