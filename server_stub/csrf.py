"""CSRF protection for server-rendered forms: a random cookie and an HMAC of it in each form."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from server_stub.keyfiles import load_or_create_secret
from server_stub.pages import render

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SECRET_FILE = "csrf-secret"

# Why both a cookie and a form field: a cross-site page can make the browser send the
# cookie (and SameSite=Strict already stops most of that), but it cannot read the page
# to learn the field. The field is an HMAC of the cookie with a server secret, so a
# cookie planted from elsewhere is useless without a token this server issued for it.


def _secret(request: Request) -> bytes:
    services = request.app.state.services
    secret = services.extra.get("csrf_secret")
    if secret is None:
        secret = load_or_create_secret(services.settings.data_dir / SECRET_FILE)
        services.extra["csrf_secret"] = secret
    return secret


def _secure(request: Request) -> bool:
    # Behind a TLS proxy the app sees http; the public URL says what the browser uses.
    return request.app.state.services.settings.public_base_url.startswith("https://")


def cookie_name(request: Request) -> str:
    # The __Host- prefix makes browsers refuse the cookie from a sibling subdomain.
    return "__Host-rtcc_csrf" if _secure(request) else "rtcc_csrf"


def _sign(request: Request, cookie_value: str) -> str:
    return hmac.new(_secret(request), cookie_value.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request, response: HTMLResponse | None = None) -> str:
    """The token for this browser's forms; a new cookie is set on ``response`` when needed."""
    value = request.cookies.get(cookie_name(request), "")
    if len(value) < 32:
        value = getattr(request.state, "csrf_new_cookie", "") or secrets.token_urlsafe(32)
        request.state.csrf_new_cookie = value
    if response is not None:
        attach_cookie(request, response)
    return _sign(request, value)


def attach_cookie(request: Request, response: HTMLResponse) -> HTMLResponse:
    """Set the cookie chosen by ``csrf_token`` on this response (no-op if the browser had one)."""
    value = getattr(request.state, "csrf_new_cookie", "")
    if value:
        response.set_cookie(
            cookie_name(request), value, path="/", secure=_secure(request),
            httponly=True, samesite="strict",
        )
    return response


def render_form(request: Request, template: str, context: dict | None = None,
                status_code: int = 200) -> HTMLResponse:
    """``pages.render`` with ``csrf_token`` in the context and the cookie on the response."""
    token = csrf_token(request)
    response = render(request, template, {**(context or {}), FIELD: token}, status_code)
    return attach_cookie(request, response)


def is_valid(request: Request, submitted: str) -> bool:
    value = request.cookies.get(cookie_name(request), "")
    if len(value) < 32 or not submitted:
        return False
    return hmac.compare_digest(_sign(request, value), submitted)


async def require_csrf(request: Request) -> None:
    """Dependency: refuse (403) a POST whose form field or header does not match the cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    submitted = request.headers.get(HEADER, "")
    if not submitted:
        form = await request.form()  # cached by Starlette: the route reads the same form
        field = form.get(FIELD, "")
        submitted = field if isinstance(field, str) else ""
    if not is_valid(request, submitted):
        raise HTTPException(
            403,
            detail="This form has expired or did not come from this site. Please go back, "
                   "reload the page and send it again (cookies must be enabled).",
        )


CsrfProtected = Annotated[None, Depends(require_csrf)]
