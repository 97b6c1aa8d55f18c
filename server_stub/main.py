"""The FastAPI application: ``create_app(settings)`` wires routes, pages, headers and errors."""

from __future__ import annotations

import logging
from pathlib import Path

import xstatic.pkg.leaflet
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from server_stub.headers import SecurityHeaders
from server_stub.pages import render
from server_stub.routes import (
    audit_api,
    auth,
    city_cameras,
    desk_audit,
    docs,
    edge,
    events,
    evidence_api,
    health,
    owner,
    registration,
    registry_sync,
    requests,
    shares,
    uploads,
    users,
)
from server_stub.services import Services, build_services
from server_stub.settings import ServerSettings

HERE = Path(__file__).parent
log = logging.getLogger("rtcc.server")

def create_app(settings: ServerSettings, services: Services | None = None) -> FastAPI:
    app = FastAPI(
        title="RTCC registry and upload server",
        description="Camera registrations, footage requests, uploads, officer shares, audit.",
        version="0.1.0",
        docs_url=None,  # served from local files by routes/docs.py (no CDN)
        redoc_url=None,
    )
    app.state.services = services or build_services(settings)
    app.state.templates = templates()
    app.mount("/static/leaflet", StaticFiles(directory=xstatic.pkg.leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/app", StaticFiles(directory=HERE / "static"), name="app-static")
    docs.install(app)
    routers = (health, auth, users, registration, registry_sync, requests, owner, uploads,
               evidence_api, shares, events, desk_audit, audit_api, city_cameras, edge)
    for module in routers:
        app.include_router(module.router)
    app.add_middleware(SecurityHeaders)
    _add_error_pages(app)
    return app


def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=HERE / "templates")


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "title": title, "detail": detail}, status)


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "The request could not be served."
        if _wants_html(request):
            response = error_page(request, exc.status_code, _TITLES.get(exc.status_code, "Error"), detail)
        else:
            response = JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or "body", "problem": e["msg"]}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "invalid request", "problems": problems}, status_code=422)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):
        # The client learns nothing about the code; the operator's log has the traceback.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_html(request):
            return error_page(request, 500, "Something went wrong",
                              "The server could not finish this request. Please try again later.")
        return JSONResponse({"detail": "internal error"}, status_code=500)


_TITLES = {
    400: "Bad request", 401: "Please sign in", 403: "Not allowed", 404: "Not found",
    409: "Conflict", 410: "This link is no longer valid", 413: "File too large",
    429: "Too many attempts", 460: "Checksum mismatch",
}
