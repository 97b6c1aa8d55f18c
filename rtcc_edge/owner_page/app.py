"""The owner's page on the box: sign in, see the cameras and disk, set retention, pause sharing, read the access log."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from rtcc_edge.credential import CredentialError
from rtcc_edge.owner_page import security, views

if TYPE_CHECKING:
    from rtcc_edge.box import EdgeBox

HERE = Path(__file__).parent
HEADERS = {
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the
    # page's own form posts, and the origin check below needs the real one.
    "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Content-Security-Policy": ("default-src 'self'; style-src 'self'; script-src 'none'; "
                                "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
}
NOTICES = {
    "retention": "Retention saved.", "paused": "Sharing paused: the box now refuses every RTCC request.",
    "resumed": "Sharing resumed: the RTCC can ask for footage again.", "signed-out": "Signed out.",
}


class LanOnly:
    """Plain ASGI guard: answers 403 to any client outside loopback and private networks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not security.lan_client((scope.get("client") or ("",))[0]):
            response = Response("The owner page answers only on the business's own network.", 403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(box: EdgeBox) -> ASGIApp:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    throttle = security.SignInThrottle()
    login_secret = secrets.token_bytes(32)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def safety_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def page(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, template, {"box_name": box.settings.box_name, **context},
                                          status_code=status_code)

    def signed_in_csrf(request: Request) -> str | None:
        token = request.cookies.get(security.SESSION_COOKIE, "")
        return box.store.session_csrf(token, box.clock()) if token else None

    def cross_site(request: Request) -> bool:
        # Forms post from this page only; a browser names the page's origin on every POST.
        # ("null" carries no site to compare; the CSRF token and SameSite=Strict still hold.)
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return False
        return origin.split("://", 1)[-1] != request.headers.get("host", "")

    # --- signing in -----------------------------------------------------------------------

    def login_page(request: Request, error: str = "", status_code: int = 200) -> HTMLResponse:
        cookie = request.cookies.get(security.LOGIN_COOKIE) or security.new_token()
        response = page(request, "login.html", {
            "csrf": security.login_csrf(login_secret, cookie), "error": error,
            "notice": NOTICES.get(request.query_params.get("notice", ""), ""),
            "no_password": box.store.owner_password_hash() is None}, status_code)
        response.set_cookie(security.LOGIN_COOKIE, cookie, httponly=True, samesite="strict", path="/")
        return response

    @app.get("/login", response_class=HTMLResponse)
    def show_login(request: Request) -> HTMLResponse:
        return login_page(request)

    @app.post("/login", response_class=HTMLResponse)
    def sign_in(request: Request, password: str = Form(""), csrf_token: str = Form("")) -> Response:
        cookie = request.cookies.get(security.LOGIN_COOKIE, "")
        if cross_site(request) or not security.same(csrf_token, security.login_csrf(login_secret, cookie)):
            return login_page(request, "The form expired; please sign in again.", 400)
        wait = throttle.wait_seconds()
        if wait:
            return login_page(request, f"Too many wrong passwords; try again in {wait} seconds.", 429)
        if not security.password_ok(box.store, password):
            throttle.failed()
            return login_page(request, "That password is not right.", 401)
        throttle.succeeded()
        token, csrf = security.new_token(), security.new_token()
        lifetime = timedelta(hours=box.settings.owner_page.session_hours)
        box.store.add_session(token, csrf, box.clock() + lifetime)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(security.SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                            max_age=int(lifetime.total_seconds()))
        response.delete_cookie(security.LOGIN_COOKIE, path="/")
        return response

    @app.post("/logout")
    def sign_out(request: Request, csrf_token: str = Form("")) -> Response:
        csrf = signed_in_csrf(request)
        if csrf and security.same(csrf_token, csrf) and not cross_site(request):
            box.store.end_session(request.cookies[security.SESSION_COOKIE])
        response = RedirectResponse("/login?notice=signed-out", status_code=303)
        response.delete_cookie(security.SESSION_COOKIE, path="/")
        return response

    # --- the status page and the owner's switches -------------------------------------------

    def status_page(request: Request, csrf: str, *, error: str = "", status_code: int = 200) -> HTMLResponse:
        zone = box.settings.zone()
        try:
            enrollment, link_problem = box.enrollment, box.link_problem
        except CredentialError as exc:
            enrollment, link_problem = None, str(exc)
        notice = NOTICES.get(request.query_params.get("notice", ""), "")
        return page(request, "status.html", {
            "csrf": csrf, "error": error, "notice": notice,
            "cameras": views.camera_rows(box.health(), zone),
            "disk": views.disk_view(box.disk()),
            "retention_days": box.retention_days, "paused": box.paused,
            "min_free": views.human_bytes(box.policy.needed_free()[0]),
            "enrollment": enrollment, "link_problem": link_problem,
            "last_contact": views.local(box.last_contact, zone),
            "access": views.access_rows(box.store.access_log(), zone),
            "zone": box.settings.timezone,
        }, status_code)

    def guarded(request: Request, csrf_token: str) -> tuple[str | None, Response | None]:
        """The session's CSRF token for a checked POST, or the response that refuses it."""
        csrf = signed_in_csrf(request)
        if csrf is None:
            return None, RedirectResponse("/login", status_code=303)
        if cross_site(request) or not security.same(csrf_token, csrf):
            return None, status_page(request, csrf, error="The form expired; please try again.", status_code=400)
        return csrf, None

    @app.get("/", response_class=HTMLResponse)
    def status(request: Request) -> Response:
        csrf = signed_in_csrf(request)
        if csrf is None:
            return RedirectResponse("/login", status_code=303)
        return status_page(request, csrf)

    @app.post("/retention")
    def change_retention(request: Request, days: str = Form(""), csrf_token: str = Form("")) -> Response:
        csrf, refusal = guarded(request, csrf_token)
        if refusal:
            return refusal
        try:
            chosen = int(days.strip())
        except ValueError:
            chosen = 0
        if not 1 <= chosen <= 365:
            return status_page(request, csrf, status_code=422,
                               error=f"Days kept must be a whole number from 1 to 365 (you entered {days!r}).")
        box.set_retention_days(chosen)
        return RedirectResponse("/?notice=retention", status_code=303)

    @app.post("/sharing")
    def change_sharing(request: Request, action: str = Form(""), csrf_token: str = Form("")) -> Response:
        csrf, refusal = guarded(request, csrf_token)
        if refusal:
            return refusal
        if action not in ("pause", "resume"):
            return status_page(request, csrf, error="Choose pause or resume.", status_code=422)
        box.set_paused(action == "pause")
        return RedirectResponse(f"/?notice={'paused' if action == 'pause' else 'resumed'}", status_code=303)

    return LanOnly(app)
