"""Owner pages: register cameras, confirm the email address, edit cameras and contact details,
withdraw, get a new link."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException

from server_stub import registration as logic
from server_stub import registration_form as fields
from server_stub.csrf import CsrfProtected, render_form
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.pages import render
from server_stub.ratelimit import limit_by_ip

router = APIRouter(tags=["owner registration"], include_in_schema=False)

MAX_FORM_BYTES = 64 * 1024
# Shreveport city hall; a `map_center` setting (lat, lon) overrides it for other cities.

# Generous enough for a family behind one mobile-carrier address, tight enough for scripts.
register_limit = limit_by_ip("registration.submit", 10, 3600)
link_limit = limit_by_ip("registration.link", 30, 600)
resend_limit = limit_by_ip("registration.resend", 5, 3600)

GONE = {
    "unknown": "This link is not valid. Please open it exactly as it appears in the email.",
    "used": "This confirmation link has already been used: your registration is confirmed. "
            "The email we sent afterwards has the link to change or withdraw it.",
    "expired": "This link has expired. Open “Manage my cameras” on this site and enter your "
               "email address to get a new one.",
}
GONE_EMAIL = {**GONE, "used": "This link has already been used: your new email address is "
                                     "confirmed and in use."}
DONE = {
    "verified": "Thank you: your email address is confirmed and your cameras are registered.",
    "saved": "Your changes are saved.",
    "email_sent": "Saved. We emailed a confirmation link to your new address: until you open it, "
                  "we keep writing to the old one.",
    "email_failed": "Saved, but we could not send the confirmation email to your new address just "
                    "now. Please save again later; until then we keep writing to the old one.",
    "email_changed": "Thank you: your new email address is confirmed and in use from now on.",
    "unchanged": "Nothing was changed.",
    "withdrawn": "Withdrawn. The camera is removed from the analysts' map at their next update.",
    "reconfirmed": "Thank you: your cameras stay registered for another year.",
}


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as text fields, refusing oversized bodies before parsing them."""
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise HTTPException(411, detail="The form was sent without a length. Please try again.")
    if int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, detail="The form is too large. Please shorten the descriptions.")
    form = await request.form(max_files=0, max_fields=120, max_part_size=16 * 1024)
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def _gone(exc: logic.LinkInvalid, messages: dict[str, str] = GONE) -> HTTPException:
    return HTTPException(410, detail=messages.get(exc.reason, messages["unknown"]))


def _map_context(services) -> dict:
    settings = services.settings
    center = settings.map_center
    return {
        "tile_url": settings.map_tile_url,
        "tile_attribution": settings.map_tile_attribution,
        "center": center,
        "recorder_choices": fields.RECORDER_CHOICES,
        "bearing_choices": fields.BEARING_CHOICES,
        "channel_choices": fields.CHANNEL_CHOICES,
    }


def _notice(request: Request, title: str, lines: list[str], link: str = "", link_text: str = "",
            status_code: int = 200) -> HTMLResponse:
    return render(request, "register_sent.html", {
        "title": title, "lines": lines, "link": link, "link_text": link_text}, status_code)


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, services: ServicesDep) -> HTMLResponse:
    values = {"preferred_channel": "email"}
    return render_form(request, "register.html", {
        "title": "Register your cameras", "values": values, "errors": {},
        "max_cameras": fields.MAX_CAMERAS, **_map_context(services)})


@router.post("/register", response_class=HTMLResponse, dependencies=[Depends(register_limit)])
def register_submit(request: Request, form: FormDep, _: CsrfProtected, session: SessionDep,
                    services: ServicesDep, source: SourceDep):
    try:
        outcome = logic.register(session, services, form, source=source)
    except fields.FormErrors as exc:
        session.rollback()
        # Everything typed goes back into the form; only the security token is renewed.
        values = {k: v for k, v in form.items() if k != "csrf_token"}
        return render_form(request, "register.html", {
            "title": "Register your cameras", "values": values, "errors": exc.errors,
            "max_cameras": fields.MAX_CAMERAS, **_map_context(services)}, status_code=422)
    target = "/register/sent" if outcome.mailed else "/register/sent?mail=failed"
    return RedirectResponse(target, status_code=303)


@router.get("/register/sent", response_class=HTMLResponse)
def register_sent(request: Request, services: ServicesDep, mail: str = "") -> HTMLResponse:
    settings = services.settings
    if mail == "failed":
        return _notice(request, "Registration received", [
            "We saved your registration but could not send the confirmation email just now.",
            "Please try “Manage my cameras” later to have the link sent again, or call "
            f"{settings.rtcc_phone}."], "/manage", "Send the link again")
    return _notice(request, "Check your email", [
        "We sent you an email with a confirmation link.",
        f"Your cameras appear on the analysts' map only after you confirm, within "
        f"{settings.verify_link_hours:g} hours.",
        "No email? Check the spam folder, or have the link sent again."],
        "/manage", "Send the link again")


@router.get("/register/verify/{token}", response_class=HTMLResponse)
def verify_page(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    # Showing the page changes nothing: mail scanners open links, only a person presses confirm.
    try:
        owner = logic.check_link(session, token, (logic.VERIFY,))
    except logic.LinkInvalid as exc:
        raise _gone(exc) from None
    return render_form(request, "verify.html", {
        "title": "Confirm your registration", "owner": owner, "token": token,
        "cameras": [c for c in owner.cameras if c.status == logic.PENDING]})


@router.post("/register/verify/{token}", dependencies=[Depends(link_limit)])
def verify_submit(token: str, form: FormDep, _: CsrfProtected, session: SessionDep,
                  services: ServicesDep, source: SourceDep) -> RedirectResponse:
    # `form` is unused here, but asking for it first puts the size limits before the CSRF read.
    return _confirmed(logic.verify, token, session, services, source, "verified", GONE)


def _confirmed(confirm, token: str, session, services, source: str, done: str,
               gone: dict[str, str]) -> RedirectResponse:
    """Use up a one-time link with ``confirm``, then on to the manage page it leads to."""
    try:
        outcome = confirm(session, services, token, source=source)
    except logic.LinkInvalid as exc:
        raise _gone(exc, gone) from None
    # Relative: the browser stays on whatever host it used; emails carry the public URL.
    return RedirectResponse(urlsplit(outcome.manage_url).path + f"?done={done}", status_code=303)


@router.get("/manage", response_class=HTMLResponse)
def link_request_page(request: Request) -> HTMLResponse:
    return render_form(request, "manage_link.html", {
        "title": "Manage my cameras", "values": {}, "errors": {}})


@router.post("/manage", dependencies=[Depends(resend_limit)])
def link_request_submit(request: Request, form: FormDep, _: CsrfProtected, session: SessionDep,
                        services: ServicesDep, source: SourceDep):
    email = form.get("email", "").strip()
    if not email or len(email) > 254:
        return render_form(request, "manage_link.html", {
            "title": "Manage my cameras", "values": {"email": email[:254]},
            "errors": {"email": "Please enter the email address you registered with."}}, 422)
    logic.send_links(session, services, email, source=source)
    # The same answer whether or not the address is known: the page reveals no registrations.
    return _notice(request, "Check your email", [
        "If cameras are registered under that address, we have emailed a new link to it.",
        f"Nothing arrived? Call {services.settings.rtcc_phone}."])


def _manage_context(request: Request, services, owner, token: str, *, failed: str = "",
                    errors=None, values=None) -> dict:
    """The manage page; ``failed`` names the refused form ("contact" or a camera id), which shows
    what was typed and its ``errors`` while every other form shows what is stored."""
    settings = services.settings
    directions = dict(fields.BEARING_CHOICES)
    rows = []
    for camera in owner.cameras:
        editing = camera.id == failed
        bearing = "unknown" if camera.bearing is None else f"{camera.bearing:g}"
        rows.append({
            "camera": camera,
            "values": values if editing else fields.camera_form_values(camera, "cam0_"),
            "errors": errors if editing else {},
            "direction": directions.get(bearing, f"{bearing}°"),
            "retention": "not sure" if camera.retention_days is None
            else f"{camera.retention_days:g} days",
        })
    due = owner.reconfirm_due
    return {
        "title": "Your registered cameras", "owner": owner, "token": token, "rows": rows,
        "done": DONE.get(request.query_params.get("done", ""), ""),
        "reconfirm_open": logic.reconfirm_window_open(owner)
        or any(c.status == logic.LAPSED for c in owner.cameras),
        "reconfirm_due": f"{due.astimezone(ZoneInfo(settings.timezone)):%B %d, %Y}" if due else "",
        "rtcc_phone": settings.rtcc_phone, "failed": failed, "errors": errors or {},
        "channel": dict(fields.CHANNEL_CHOICES).get(owner.preferred_channel, ""),
        "contact": {"values": values if failed == "contact" else fields.owner_form_values(owner),
                    "errors": errors if failed == "contact" else {}},
        **_map_context(services)}


@router.get("/manage/{token}", response_class=HTMLResponse)
def manage_page(token: str, request: Request, session: SessionDep,
                services: ServicesDep) -> HTMLResponse:
    try:
        owner = logic.check_link(session, token, logic.OWNER_LINKS)
    except logic.LinkInvalid as exc:
        raise _gone(exc) from None
    return render_form(request, "manage.html", _manage_context(request, services, owner, token))


@router.post("/manage/{token}", dependencies=[Depends(link_limit)])
def manage_submit(token: str, request: Request, form: FormDep, _: CsrfProtected,
                  session: SessionDep, services: ServicesDep, source: SourceDep):
    action, camera_id = form.get("action", ""), form.get("camera_id", "")[:32]
    try:
        if action == "save":
            outcome = logic.edit_camera(session, services, token, camera_id, form,
                                        prefix="cam0_", source=source)
            done = "saved" if outcome.changed else "unchanged"
        elif action == "contact":
            outcome = logic.edit_contact(session, services, token, form, source=source)
            done = "saved" if outcome.changed else "unchanged"
            if "email" in outcome.changed:
                done = "email_sent" if outcome.mailed else "email_failed"
        elif action == "withdraw" and camera_id:
            logic.withdraw(session, services, token, camera_id, source=source)
            done = "withdrawn"
        elif action == "withdraw_all":
            if form.get("confirm_all") != "yes":
                raise HTTPException(400, detail="Tick the box to confirm that all cameras "
                                                "should be withdrawn.")
            logic.withdraw(session, services, token, None, source=source)
            done = "withdrawn"
        elif action == "reconfirm":
            logic.reconfirm(session, services, token, source=source)
            done = "reconfirmed"
        else:
            raise HTTPException(400, detail="The form did not say what to do. Please try again.")
    except logic.LinkInvalid as exc:
        raise _gone(exc) from None
    except logic.NotEditable:
        raise HTTPException(404, detail="That camera is not part of this registration, "
                                        "or it has been withdrawn.") from None
    except fields.FormErrors as exc:
        session.rollback()
        owner = logic.check_link(session, token, logic.OWNER_LINKS)
        values = {k: v for k, v in form.items() if k != "csrf_token"}
        return render_form(request, "manage.html", _manage_context(
            request, services, owner, token, failed="contact" if action == "contact" else camera_id,
            errors=exc.errors, values=values), status_code=422)
    return RedirectResponse(f"/manage/{token}?done={done}", status_code=303)


@router.get("/manage/email/{token}", response_class=HTMLResponse)
def email_confirm_page(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    # Like the first confirmation: opening the link changes nothing, pressing the button does.
    try:
        owner = logic.check_link(session, token, (logic.EMAIL,))
    except logic.LinkInvalid as exc:
        raise _gone(exc, GONE_EMAIL) from None
    return render_form(request, "confirm_email.html", {
        "title": "Confirm your new email address", "owner": owner, "token": token})


@router.post("/manage/email/{token}", dependencies=[Depends(link_limit)])
def email_confirm_submit(token: str, form: FormDep, _: CsrfProtected, session: SessionDep,
                         services: ServicesDep, source: SourceDep) -> RedirectResponse:
    return _confirmed(logic.confirm_email, token, session, services, source, "email_changed",
                      GONE_EMAIL)
