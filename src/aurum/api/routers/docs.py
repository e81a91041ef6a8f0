"""The API documentation pages, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, with their
scripts and styles served from the installed ``fastapi-offline`` package: no CDN, so they work
with no network access and under the pages' Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import FileResponse, HTMLResponse

from aurum.api.templating import render

router = APIRouter(include_in_schema=False)

ASSETS = Path(fastapi_offline.__file__).with_name("static")
ASSET_TYPES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
               "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}
"""The files of :data:`ASSETS` that are served, with their media types."""


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    # Aurum's own page rather than FastAPI's: that one starts Swagger UI from an inline
    # script, which the Content-Security-Policy refuses (see static/docs.js).
    return render(request, "docs.html", actor=None, openapi_url=request.app.openapi_url)


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(openapi_url=request.app.openapi_url, title="Aurum API · ReDoc",
                          redoc_js_url="/docs/assets/redoc.standalone.js",
                          redoc_favicon_url="/docs/assets/favicon.png", with_google_fonts=False)


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSET_TYPES:
        raise HTTPException(404, f"no documentation asset {name!r}")
    return FileResponse(ASSETS / name, media_type=ASSET_TYPES[name],
                        headers={"Cache-Control": "public, max-age=86400"})
