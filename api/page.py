"""The web page: a chat beside the plan, served by the app itself (no CDN, no build step)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Serve the page and its assets on `app`."""
