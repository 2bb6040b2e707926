"""/docs works offline: the page and every asset it names come from this server."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "data-openapi-url"):
            if values.get(name):
                self.urls.append(str(values[name]))
        if tag == "script" and not values.get("src"):
            self.inline_scripts += 1


def test_docs_page_names_no_other_host_and_its_assets_are_served(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), "external reference in /docs"
    links = _Links()
    links.feed(html)
    assert links.inline_scripts == 0
    assert "/openapi.json" in links.urls
    assets = [url for url in links.urls if url.startswith("/docs/assets/")]
    assert {url.rsplit("/", 1)[1] for url in assets} == {
        "favicon.png",
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "init.js",
    }
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 100, url
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript") and b"SwaggerUIBundle" in bundle.content
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "http" not in csp  # no CDN, no inline script needed
    assert client.get("/openapi.json").json()["paths"]


def test_only_the_listed_assets_are_served(client: TestClient) -> None:
    for path in (
        "/docs/assets/redoc.standalone.js",
        "/docs/assets/../core.py",
        "/docs/assets/%2e%2e/core.py",
        "/redoc",
    ):
        assert client.get(path).status_code == 404, path
