"""The owner's request page behind the emailed link: what is asked, and three answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from server_stub import events
from server_stub import footage_requests as requests_logic
from server_stub.csrf import CsrfProtected, render_form
from server_stub.ratelimit import limit_by_ip
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.pages import render

router = APIRouter(tags=["owner pages"], include_in_schema=False)

GONE = "This link has expired or has already been answered. If you still have footage to share, call the number in the email."


def _now() -> datetime:
    return datetime.now(UTC)


def _usable(session, token: str):
    request = requests_logic.find_by_token(session, token)
    if not requests_logic.link_usable(request, _now()):
        raise HTTPException(410, detail=GONE)
    return request


#: Owner links are long random tokens; this caps how fast one address can try them.
link_limit = limit_by_ip("owner.link", 120, 600)


@router.get("/r/{token}", response_class=HTMLResponse, dependencies=[Depends(link_limit)])
def request_page(token: str, request: Request, session: SessionDep, services: ServicesDep,
                 source: SourceDep) -> HTMLResponse:
    footage = _usable(session, token)
    if footage.status == "sent":
        footage.status, footage.opened_at = "opened", _now()
        events.request_status(session, footage)
        services.audit(session, actor=f"owner:{footage.camera.owner_id}", action="request.open",
                       object=f"request:{footage.id}", source=source, case_ref=footage.case_ref)
        session.commit()
    return render_form(request, "owner_request.html", _page_context(request, services, footage, token))


def _page_context(request: Request, services, footage, token: str) -> dict:
    settings = services.settings
    zone = ZoneInfo(settings.timezone)
    start, end = footage.window_start.astimezone(zone), footage.window_end.astimezone(zone)
    return {
        "title": "Request for camera footage",
        "token": token,
        "day": f"{start:%A %d %B %Y}",
        "window": f"{start:%I:%M %p} to {end:%I:%M %p %Z}",
        "camera": footage.camera.label or "your registered camera",
        "address": footage.camera.owner.address,
        # no incident details: only a reference the owner can quote on the phone
        "reference": footage.case_ref or footage.call_ref or footage.id[:8],
        "expires": f"{footage.link_expires_at.astimezone(zone):%d %B %Y, %I:%M %p %Z}",
        "status": footage.status,
        "contact_phone": settings.rtcc_phone,
        "contact_email": settings.rtcc_email,
    }


@router.post("/r/{token}/answer")
def answer(token: str, choice: Annotated[str, Form(max_length=30)], request: Request,
           session: SessionDep, services: ServicesDep, source: SourceDep, _csrf: CsrfProtected):
    footage = _usable(session, token)
    try:
        requests_logic.record_answer(session, services, footage, choice, source=source, now=_now())
    except requests_logic.RequestRefused as exc:
        raise HTTPException(400, detail=str(exc)) from None
    session.commit()
    if choice == "upload":
        return RedirectResponse(request.url_for("owner_upload_page", token=token), status_code=303)
    return render(request, "owner_answered.html", {
        "title": "Thank you", "choice": choice, "contact_phone": services.settings.rtcc_phone,
    })
