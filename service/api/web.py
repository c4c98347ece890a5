"""The clinician's page: the static files of ``service/web`` under /app, served with headers that keep it closed.

The page is plain HTML, CSS and JavaScript modules (no build step, nothing fetched from elsewhere); it reads the
same /v1 API with the key the user typed, which it keeps in the tab's sessionStorage only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

# Only the page's own files may run or load; no frame may embed it (clickjacking); no referrer leaves it.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A new release's files are fetched again rather than mixed with cached ones.
    "Cache-Control": "no-cache",
}


class WebFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(_HEADERS)
        return response


def mount_web(app: FastAPI) -> None:
    @app.get("/app", include_in_schema=False)
    async def page_root() -> RedirectResponse:
        return RedirectResponse("/app/")

    app.mount("/app", WebFiles(directory=WEB_DIR, html=True), name="web")
