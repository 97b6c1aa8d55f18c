"""API docs at /docs from Swagger UI files shipped in a Python package: no CDN, works air-gapped."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: swagger-ui-bundle.js, swagger-ui.css (Swagger UI 5, which reads OpenAPI 3.1) and a favicon.
ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC_PREFIX = "/static/docs"

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Serve the docs page and its files; build the app with ``docs_url=None, redoc_url=None``."""
    app.mount(STATIC_PREFIX, StaticFiles(directory=ASSETS), name="docs-static")
    app.include_router(router)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    page = get_swagger_ui_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title} — API",
        swagger_js_url=f"{root}{STATIC_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_PREFIX}/favicon.png",
    )
    # The page starts Swagger UI with a small inline script. The server's policy forbids
    # inline scripts, so this page's policy allows exactly that script by its hash.
    page.headers["Content-Security-Policy"] = policy_for(page.body.decode())
    return page


def policy_for(html: str) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    )
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        f"script-src 'self' {hashes}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
