"""The web page: a chat beside the plan, served by the app itself (no CDN, no build step).

The page is three static files under `api/web/`; everything it shows comes from the /v1 API
and is put on screen as text, never as markup. A middleware gives every HTML response a strict
Content-Security-Policy, so that even a rendering mistake cannot run injected script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""For the page and any other HTML the app sends: only our own files, no inline code."""

DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net {hashes}; "
    "style-src https://cdn.jsdelivr.net https://fonts.googleapis.com 'unsafe-inline'; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https:; connect-src 'self'; "
    "worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""FastAPI's /docs and /redoc load Swagger UI and ReDoc from a CDN and start them with an
inline script: that script is allowed by its hash alone, the CDN for the rest."""

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
"""The only files served under /static: a fixed list, so no path ever reaches the disk."""

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _asset(name: str) -> bytes:
    return files("api").joinpath("web", name).read_bytes()


def _script_hashes(html: bytes) -> str:
    digests = (hashlib.sha256(m.group(1)).digest() for m in _INLINE_SCRIPT.finditer(html))
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


class SecurityHeaders:
    """nosniff and no-referrer on every response, a CSP on every HTML one (errors included).

    A pure ASGI middleware, so streamed responses (server-sent events) pass through untouched;
    only the docs pages are buffered, to hash their inline script.
    """

    def __init__(self, app: ASGIApp, docs_paths: frozenset[str]) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in self.docs_paths
        held: list[Message] = []

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                if not headers.get("content-type", "").startswith("text/html"):
                    await send(message)
                elif docs:
                    held.append(message)
                else:
                    headers["Content-Security-Policy"] = PAGE_CSP
                    await send(message)
            elif held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body", False):
                    return
                start, *chunks = held
                body = b"".join(m.get("body", b"") for m in chunks)
                csp = DOCS_CSP.format(hashes=_script_hashes(body))
                MutableHeaders(scope=start)["Content-Security-Policy"] = csp
                held.clear()
                await send(start)
                await send({"type": "http.response.body", "body": body})
            else:
                await send(message)

        await self.app(scope, receive, send_secured)


def install(app: FastAPI) -> None:
    """Serve the page at / and its assets under /static, outside the OpenAPI schema."""
    index = _asset("index.html")
    assets = {name: (_asset(name), media) for name, media in ASSETS.items()}
    no_cache = {"Cache-Control": "no-cache"}

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(index, headers=no_cache)

    @app.get("/static/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in assets:
            raise HTTPException(404, f"no asset {name}")
        body, media = assets[name]
        return Response(body, media_type=media, headers=no_cache)

    docs = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.add_middleware(SecurityHeaders, docs_paths=frozenset(p for p in docs if p))
