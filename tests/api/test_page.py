"""The web page as the server sends it: HTML under a strict Content-Security-Policy, its two
assets, nothing fetched from elsewhere, nothing in the OpenAPI schema.

The browser test (test_browser.py) drives the page; these checks need no browser.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.testclient import TestClient

from api import page
from tests.api.servers import Server, seeded_server

WEB = Path(page.__file__).with_name("web")
STRICT = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "connect-src": "'self'",
    "img-src": "'self' data:",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
}


def csp(header: str) -> dict[str, str]:
    directives = (d.strip().split(None, 1) for d in header.split(";") if d.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = seeded_server(tmp_path_factory)
    yield srv
    srv.kill()


def test_the_page_is_html_under_a_strict_policy(server: Server) -> None:
    r = httpx.get(f"{server.url}/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert csp(r.headers["content-security-policy"]) == STRICT
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert '<script src="/static/app.js"' in r.text
    assert 'href="/static/style.css"' in r.text


@pytest.mark.parametrize(
    ("name", "media"), [("app.js", "text/javascript"), ("style.css", "text/css")]
)
def test_assets_are_served_with_their_types(server: Server, name: str, media: str) -> None:
    r = httpx.get(f"{server.url}/static/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.content == (WEB / name).read_bytes()


@pytest.mark.parametrize("path", ["/static/index.html", "/static/..%2Fpage.py", "/static/x.js"])
def test_only_the_listed_assets_are_served(server: Server, path: str) -> None:
    r = httpx.get(f"{server.url}{path}")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert "def install" not in r.text


def test_the_docs_pages_get_a_policy_that_allows_only_their_own_inline_script(
    server: Server,
) -> None:
    """/docs loads Swagger UI from its CDN and starts it with one inline script: the policy
    names that script by hash instead of allowing inline script in general."""
    r = httpx.get(f"{server.url}/docs")
    assert r.headers["content-type"].startswith("text/html")
    policy = csp(r.headers["content-security-policy"])
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    [inline] = re.findall(rb"<script>(.*?)</script>", r.content, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline).digest()).decode()
    assert f"'sha256-{digest}'" in policy["script-src"].split()


def test_any_html_response_gets_the_policy_even_an_error() -> None:
    app = FastAPI()

    @app.get("/gone")
    def gone() -> HTMLResponse:
        return HTMLResponse("<h1>not here</h1>", status_code=404)

    @app.get("/data")
    def data() -> JSONResponse:
        return JSONResponse({"a": 1})

    page.install(app)
    client = TestClient(app)
    r = client.get("/gone")
    assert r.status_code == 404
    assert csp(r.headers["content-security-policy"]) == STRICT
    assert r.headers["x-content-type-options"] == "nosniff"
    r = client.get("/data")
    assert "content-security-policy" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"


def test_the_page_fetches_nothing_from_elsewhere() -> None:
    """Offline by default: every URL in the page's files is our own path or data:."""
    for name in ("index.html", "app.js", "style.css"):
        text = (WEB / name).read_text()
        text = text.replace('"http://www.w3.org/2000/svg"', "")  # a namespace, never fetched
        assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), name
        assert "@import" not in text and "url(" not in text, name
    html = (WEB / "index.html").read_text()
    for ref in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert ref.startswith("/static/") or ref == "data:,", ref


def test_the_page_has_no_inline_code_and_never_parses_data_as_markup() -> None:
    """The policy forbids inline script and style; the script puts text on screen only as
    text. These are the rules the escaping in the browser test relies on."""
    html = (WEB / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    js = (WEB / "app.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js, sink
    assert not re.search(r"\.style\b", js)


def test_the_page_is_not_part_of_the_api_schema(server: Server) -> None:
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert paths, "the API has paths"
    assert all(p.startswith("/v1/") for p in paths), sorted(paths)
