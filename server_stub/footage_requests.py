"""Footage requests: creating them (one per camera), the owner's link, answers and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server_stub import events
from server_stub.messaging import MessageError
from server_stub.models.registry import CameraRegistration
from server_stub.models.requests import FootageRequest
from server_stub.services import Services
from server_stub.tokens import hash_token, new_token

#: States in which the owner has not answered yet.
OPEN_STATES = ("sent", "opened")
#: What the owner may answer on the request page.
ANSWERS = ("upload", "no_relevant_footage", "declined")
#: The longest window one request may ask for: owners export minutes, not days.
MAX_WINDOW = timedelta(hours=24)


class RequestRefused(ValueError):
    """A request that cannot be sent as asked (the message says why, for the analyst)."""


@dataclass(frozen=True)
class NewRequest:
    """What the analyst asks for; one footage request is created per camera."""

    client_id: str
    camera_ids: tuple[str, ...]
    window_start: datetime
    window_end: datetime
    call_ref: str
    case_ref: str
    justification: str


def overwrite_deadline(camera: CameraRegistration, window_start: datetime) -> datetime | None:
    if camera.retention_days is None:
        return None
    return window_start + timedelta(days=camera.retention_days)


def create_requests(
    session: Session, services: Services, ask: NewRequest, *, analyst: str, source: str, now: datetime
) -> tuple[list[FootageRequest], bool]:
    """Create and deliver the requests; returns them and whether they already existed.

    The desk's ``client_id`` makes this idempotent: a retry after a lost answer returns the
    requests made the first time and contacts nobody twice.
    """
    existing = list(session.scalars(
        select(FootageRequest).where(FootageRequest.client_id == ask.client_id)
    ))
    if existing:
        return existing, True
    _check_window(ask, now)
    cameras = _active_cameras(session, ask.camera_ids)
    created = []
    for camera in cameras:
        deadline = overwrite_deadline(camera, ask.window_start)
        expires = _link_expiry(services, deadline, now)
        token, token_hash = new_token()
        request = FootageRequest(
            client_id=ask.client_id, camera_id=camera.id, call_ref=ask.call_ref,
            case_ref=ask.case_ref, analyst=analyst, justification=ask.justification,
            window_start=ask.window_start, window_end=ask.window_end,
            overwrite_deadline=deadline, status="sent", token_hash=token_hash,
            link_expires_at=expires, created_at=now, channel=_channel(camera),
        )
        session.add(request)
        session.flush()
        services.audit(
            session, actor=f"analyst:{analyst}", action="request.create",
            object=f"request:{request.id} camera:{camera.id}", source=source,
            case_ref=ask.case_ref, justification=ask.justification,
        )
        _deliver(session, services, request, token, reminder=False)
        events.request_status(session, request, "request.created")
        created.append(request)
    return created, False


def _check_window(ask: NewRequest, now: datetime) -> None:
    if not ask.justification.strip():
        raise RequestRefused("a justification is required")
    if ask.window_end <= ask.window_start:
        raise RequestRefused("the window must end after it starts")
    if ask.window_end - ask.window_start > MAX_WINDOW:
        raise RequestRefused(f"a window may be at most {MAX_WINDOW} long")
    if ask.window_start > now:
        raise RequestRefused("the window has not happened yet")


def _active_cameras(session: Session, camera_ids: tuple[str, ...]) -> list[CameraRegistration]:
    if not camera_ids:
        raise RequestRefused("name at least one camera")
    cameras = {c.id: c for c in session.scalars(
        select(CameraRegistration).where(CameraRegistration.id.in_(camera_ids))
    )}
    missing = [i for i in camera_ids if i not in cameras]
    if missing:
        raise RequestRefused(f"unknown camera(s): {', '.join(missing)}")
    inactive = [i for i in camera_ids if cameras[i].status != "active"]
    if inactive:
        raise RequestRefused(f"camera(s) not active (withdrawn, lapsed or unverified): {', '.join(inactive)}")
    return [cameras[i] for i in camera_ids]


def _link_expiry(services: Services, deadline: datetime | None, now: datetime) -> datetime:
    """Default lifetime, but never past the overwrite deadline plus the grace period."""
    settings = services.settings
    expires = now + timedelta(days=settings.owner_link_days)
    if deadline is not None:
        latest = deadline + timedelta(hours=settings.overwrite_grace_hours)
        if latest <= now:
            raise RequestRefused(
                f"the recorder has already overwritten this window (deadline {deadline.isoformat()})"
            )
        expires = min(expires, latest)
    return expires


def _channel(camera: CameraRegistration) -> str:
    owner = camera.owner
    return "sms" if owner.preferred_channel == "sms" and owner.phone else "email"


def owner_link(services: Services, token: str) -> str:
    # Built from the configured public address, never from the Host header of a request.
    return f"{services.settings.public_base_url}/r/{token}"


def _deliver(session: Session, services: Services, request: FootageRequest, token: str, *, reminder: bool) -> None:
    """Send the link by the owner's channel; a failure is recorded for the analyst to see."""
    owner = request.camera.owner
    text = request_message(services, request, owner_link(services, token), reminder=reminder)
    try:
        if request.channel == "sms":
            services.sms.send(to=owner.phone, body=text.sms)
        else:
            services.mailer.send(to=owner.email, subject=text.subject, body=text.body)
        request.delivery_error = ""
        outcome = "success"
    except MessageError as exc:
        request.delivery_error = str(exc)
        outcome = "failure"
    services.audit(
        session, actor="system", action="request.remind" if reminder else "request.deliver",
        object=f"request:{request.id} via {request.channel}", outcome=outcome,
        case_ref=request.case_ref,
    )


@dataclass(frozen=True)
class RequestText:
    subject: str
    body: str
    sms: str


def request_message(services: Services, request: FootageRequest, link: str, *, reminder: bool) -> RequestText:
    """The words the owner reads: the window in local time, the camera, a reference, a contact."""
    s = services.settings
    zone = ZoneInfo(s.timezone)
    start = request.window_start.astimezone(zone)
    end = request.window_end.astimezone(zone)
    window = f"{start:%A %d %B %Y, %I:%M %p} to {end:%I:%M %p %Z}"
    reference = request.case_ref or request.call_ref or request.id[:8]
    camera = request.camera.label or "your registered camera"
    lead = "Reminder: " if reminder else ""
    subject = f"{lead}Request for camera footage (ref. {reference})"
    body = (
        f"Hello {request.camera.owner.name},\n\n"
        f"The {s.rtcc_name} asks whether {camera} recorded anything between {window}.\n"
        f"If you are willing, you can upload that part of the recording here:\n\n{link}\n\n"
        f"The page also lets you say that there is no relevant footage, or decline. "
        f"The link works until {request.link_expires_at.astimezone(zone):%d %B %Y, %I:%M %p %Z}.\n\n"
        f"Reference: {reference}\nQuestions: {s.rtcc_phone} or {s.rtcc_email}\n"
    )
    sms = f"{s.rtcc_name}: {lead}request for footage from {camera}, {window}. Ref {reference}. {link}"
    return RequestText(subject, body, sms)


def find_by_token(session: Session, token: str) -> FootageRequest | None:
    digest = hash_token(token)
    return session.scalars(
        select(FootageRequest).where(
            or_(FootageRequest.token_hash == digest, FootageRequest.reminder_token_hash == digest)
        )
    ).first()


def link_usable(request: FootageRequest | None, now: datetime) -> bool:
    """A link works until it expires, and after a final answer only for an upload in progress."""
    if request is None or request.link_expires_at <= now:
        return False
    return request.status not in ("no_relevant_footage", "declined", "expired")


def record_answer(session: Session, services: Services, request: FootageRequest, answer: str, *, source: str, now: datetime) -> None:
    if answer not in ANSWERS:
        raise RequestRefused(f"unknown answer {answer!r}")
    request.status = "uploading" if answer == "upload" else answer
    request.answered_at = now
    events.request_status(session, request)
    services.audit(
        session, actor=f"owner:{request.camera.owner_id}", action=f"request.answer.{answer}",
        object=f"request:{request.id}", source=source, case_ref=request.case_ref,
    )


def send_reminders(session: Session, services: Services, now: datetime) -> int:
    """Remind owners who have not answered as the overwrite deadline approaches; expire old links.

    Each reminder point is used once per request. A reminder carries a fresh link, since only
    hashes of links are kept; the link of the first email keeps working too.
    """
    sent = 0
    points = [timedelta(hours=h) for h in services.settings.reminder_hours]
    for request in session.scalars(select(FootageRequest).where(FootageRequest.status.in_(OPEN_STATES))):
        if request.link_expires_at <= now:
            request.status = "expired"
            events.request_status(session, request)
            services.audit(session, actor="system", action="request.expire",
                           object=f"request:{request.id}", case_ref=request.case_ref)
            continue
        if request.overwrite_deadline is None:
            continue
        due = sum(1 for point in points if request.overwrite_deadline - point <= now)
        if due > request.reminders_sent:
            token, request.reminder_token_hash = new_token()
            request.reminders_sent = due
            _deliver(session, services, request, token, reminder=True)
            events.request_status(session, request, "request.reminder")
            sent += 1
    session.commit()
    return sent
