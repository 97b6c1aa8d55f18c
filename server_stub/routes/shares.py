"""Officer share links: created from a valuable upload, revocable, and the officer's phone page."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from server_stub import auth, events, evidence, ranges
from server_stub.auth import AnalystUser
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.shares import Share, ShareView
from server_stub.pages import render
from server_stub.ratelimit import limit_by_ip
from server_stub.routes.evidence_api import (
    download_name,
    find_upload,
    has_original,
    latest_review,
    media_type,
)
from server_stub.services import Services
from server_stub.share_mail import CONTACT_HINT, contact_channel, send_share_link
from server_stub.tokens import hash_token, new_token

router = APIRouter(tags=["officer shares"])
UserAgent = Annotated[str, Header(alias="user-agent")]
RangeHeader = Annotated[str | None, Header(alias="range")]
GONE = ("This link has expired or was withdrawn. Ask the Real-Time Crime Center for a new one "
        "if you still need the footage.")


class ShareIn(BaseModel):
    officer_name: str = Field(min_length=1, max_length=120)
    officer_contact: str = Field(min_length=3, max_length=200, description="Phone or email")
    case_ref: str = Field("", max_length=120, description="Empty: the request's case reference")
    allow_download: bool = False
    hours: int = Field(72, ge=1, le=720)
    send_link: bool = Field(True, description="Send the link to the officer's contact "
                            "(false: the analyst hands it over, e.g. by QR code)")

    @field_validator("officer_contact")
    @classmethod
    def _reachable(cls, contact: str) -> str:
        if contact_channel(contact) is None:
            # A custom error keeps the message free of pydantic's "Value error, " prefix.
            raise PydanticCustomError("officer_contact", f"{CONTACT_HINT}, not {contact!r}")
        return contact.strip()


class ShareCreated(BaseModel):
    id: str
    url: str
    expires_at: datetime
    qr_svg: str
    sent_via: Literal["email", "sms"] | None = Field(
        None, description="How the link went to the officer; null: not sent (see send_error)")
    send_error: str = Field("", description="Why the link could not be sent; the share stands")


class ShareOut(BaseModel):
    id: str
    upload_id: str
    officer_name: str
    officer_contact: str
    case_ref: str
    allow_download: bool
    expires_at: datetime
    revoked_at: datetime | None
    created_by: str
    created_at: datetime
    status: str  # active | expired | revoked
    views: int
    first_viewed_at: datetime | None
    last_viewed_at: datetime | None


def _status(share: Share, now: datetime) -> str:
    if share.revoked_at is not None:
        return "revoked"
    return "expired" if share.expires_at <= now else "active"


def _out(session: Session, share: Share) -> ShareOut:
    mine = ShareView.share_id == share.id
    count = session.scalar(select(func.count(ShareView.id)).where(mine))
    # Rows rather than min()/max(): SQLite's aggregates hand back text, not the column's type.
    first = session.scalar(select(ShareView.at).where(mine).order_by(ShareView.at).limit(1))
    last = session.scalar(select(ShareView.at).where(mine).order_by(ShareView.at.desc()).limit(1))
    return ShareOut(
        id=share.id, upload_id=share.upload_id, officer_name=share.officer_name,
        officer_contact=share.officer_contact, case_ref=share.case_ref,
        allow_download=share.allow_download, expires_at=share.expires_at,
        revoked_at=share.revoked_at, created_by=share.created_by, created_at=share.created_at,
        status=_status(share, auth.utcnow()), views=count or 0, first_viewed_at=first,
        last_viewed_at=last,
    )


def qr_svg(url: str) -> str:
    """The link as a QR code the desk shows on screen for the officer's phone camera."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def _audit(services: Services, session: Session, share: Share, *, actor: str, action: str,
           what: str, source: str, outcome: str = "success", justification: str = "") -> None:
    services.audit(session, actor=actor, action=action,
                   object=f"share:{share.id} upload:{share.upload_id}{what}", outcome=outcome,
                   source=source, case_ref=share.case_ref, justification=justification)


@router.post("/api/uploads/{upload_id}/shares", status_code=201, response_model=ShareCreated)
def create_share(upload_id: str, body: ShareIn, user: AnalystUser, session: SessionDep,
                 services: ServicesDep, source: SourceDep) -> ShareCreated:
    upload = find_upload(session, upload_id)
    review = latest_review(session, upload.id)
    if not has_original(upload) or review is None or review.verdict != "valuable":
        services.audit(session, actor=f"analyst:{user.username}", action="share.create",
                       object=f"upload:{upload.id}", outcome="failure", source=source,
                       case_ref=upload.request.case_ref, justification="not reviewed valuable")
        session.commit()
        raise HTTPException(409, detail="only an upload reviewed as valuable can be shared")
    case_ref = body.case_ref.strip() or upload.request.case_ref
    if not case_ref:
        raise HTTPException(422, detail="give the case reference the officer is working")
    now = auth.utcnow()
    token, digest = new_token()
    share = Share(upload_id=upload.id, officer_name=body.officer_name.strip(),
                  officer_contact=body.officer_contact.strip(), case_ref=case_ref,
                  allow_download=body.allow_download, token_hash=digest,
                  expires_at=now + timedelta(hours=body.hours), created_by=user.username,
                  created_at=now)
    session.add(share)
    session.flush()
    _audit(services, session, share, actor=f"analyst:{user.username}", action="share.create",
           what=f" officer:{share.officer_name} download:{share.allow_download}", source=source,
           justification=f"expires {share.expires_at.isoformat()}")
    session.commit()
    # Built from the configured address, never the request's Host header.
    url = f"{services.settings.public_base_url}/s/{token}"
    made = ShareCreated(id=share.id, url=url, expires_at=share.expires_at, qr_svg=qr_svg(url))
    if body.send_link:
        _send(session, services, share, url, user.username, made)
    return made


def _send(session: Session, services: Services, share: Share, url: str, username: str,
          made: ShareCreated) -> None:
    """Send the link after the share is committed: a slow mail server holds no database lock,
    and a failed send leaves the share usable (the analyst hands it over by QR code)."""
    channel, error = send_share_link(services, share, url, f"Analyst {username}")
    made.sent_via, made.send_error = (None, error) if error else (channel, "")
    # By the system, as the owners' request links are: the carrier, not the analyst, sent it.
    _audit(services, session, share, actor="system", action="share.send",
           what=f" via {channel} for analyst:{username}", source="",
           outcome="failure" if error else "success", justification=error)
    session.commit()


@router.post("/api/shares/{share_id}/revoke", response_model=ShareOut)
def revoke_share(share_id: str, user: AnalystUser, session: SessionDep, services: ServicesDep,
                 source: SourceDep) -> ShareOut:
    share = session.get(Share, share_id) if evidence.is_generated_id(share_id) else None
    if share is None:
        raise HTTPException(404, detail="no such share")
    if share.revoked_at is None:
        share.revoked_at = auth.utcnow()
        _audit(services, session, share, actor=f"analyst:{user.username}", action="share.revoke",
               what="", source=source)
        session.commit()
    return _out(session, share)


@router.get("/api/shares", response_model=list[ShareOut])
def list_shares(user: AnalystUser, session: SessionDep, services: ServicesDep, source: SourceDep,
                upload_id: Annotated[str | None, Query(max_length=32)] = None,
                limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[ShareOut]:
    query = select(Share).order_by(Share.created_at.desc()).limit(limit)
    if upload_id:
        query = query.where(Share.upload_id == upload_id)
    rows = list(session.scalars(query))
    services.audit(session, actor=f"analyst:{user.username}", action="share.list",
                   object=f"shares upload={upload_id or '*'}", source=source)
    session.commit()
    return [_out(session, s) for s in rows]


def _find(session: Session, token: str) -> Share | None:
    return session.scalars(select(Share).where(Share.token_hash == hash_token(token))).first() \
        if len(token) <= 200 else None


def _usable(share: Share | None, services: Services) -> bool:
    return (share is not None and _status(share, auth.utcnow()) == "active"
            and has_original(share.upload)
            and evidence.original_path(services.settings, share.upload_id).is_file())


def _log_view(session: Session, services: Services, share: Share, kind: str, source: str,
              agent: str, *, ok: bool = True) -> None:
    if ok:
        first = _not_opened_yet(session, share)
        view = ShareView(share_id=share.id, at=auth.utcnow(), kind=kind, source=source[:100],
                         user_agent=agent[:300])
        session.add(view)
        if first:  # the desk's request row shows when the officer opened the link
            events.publish(session, "share.viewed", share.id, {
                "share_id": share.id, "upload_id": share.upload_id,
                "request_id": share.upload.request_id, "officer_name": share.officer_name,
                "case_ref": share.case_ref, "at": view.at.isoformat(), "view": kind})
    # Refused opens of a known link are audited too: someone still holds a withdrawn link.
    _audit(services, session, share, actor=f"officer:{share.id}", action="share.view",
           what=f" {kind}", source=source, outcome="success" if ok else "failure",
           justification="" if ok else _status(share, auth.utcnow()))
    session.commit()


def _not_opened_yet(session: Session, share: Share) -> bool:
    """No view logged yet, asked under a lock on the share's row (a no-op write: PostgreSQL's
    row lock, SQLite's write lock) so that the phone's page and clip, opened together, publish
    "share.viewed" once."""
    session.execute(update(Share).where(Share.id == share.id)
                    .values(officer_name=Share.officer_name)
                    .execution_options(synchronize_session=False))
    seen = session.scalar(select(ShareView.id).where(ShareView.share_id == share.id).limit(1))
    return seen is None


def _open(session: Session, services: Services, token: str, kind: str, source: str,
          agent: str, counted: bool) -> Share:
    """The share behind a token, its view logged (when ``counted``), or 410 Gone."""
    share = _find(session, token)
    ok = _usable(share, services)
    if share is not None and counted:
        _log_view(session, services, share, kind, source, agent, ok=ok)
    if not ok:
        raise HTTPException(410, detail=GONE)
    return share


@router.get("/s/{token}", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(limit_by_ip("share.link", 300, 600))])
def share_page(token: str, request: Request, session: SessionDep, services: ServicesDep,
               source: SourceDep, agent: UserAgent = "") -> HTMLResponse:
    try:
        share = _open(session, services, token, "page", source, agent, counted=True)
    except HTTPException:
        return render(request, "error.html", {"status": 410, "title": "This link is no longer "
                                              "valid", "detail": GONE}, 410)
    upload, zone = share.upload, services.settings.timezone
    return render(request, "share.html", {
        "title": f"Footage for case {share.case_ref}",
        "share": share, "upload": upload, "playable": upload.classification == "playable",
        "video_url": f"/s/{token}/video", "download_url": f"/s/{token}/download",
        "media_type": media_type(upload), "expires": _local(share.expires_at, zone),
        "contact_phone": services.settings.rtcc_phone,
    })


@router.get("/s/{token}/video", include_in_schema=False)
def share_video(token: str, session: SessionDep, services: ServicesDep, source: SourceDep,
                agent: UserAgent = "", range_: RangeHeader = None):
    share = _open(session, services, token, "video", source, agent,
                  counted=ranges.starts_at_zero(range_))
    if share.upload.classification != "playable":
        raise HTTPException(404, detail="this recording cannot play in a browser")
    return ranges.serve(evidence.original_path(services.settings, share.upload_id),
                        media_type=media_type(share.upload))


@router.get("/s/{token}/download", include_in_schema=False)
def share_download(token: str, session: SessionDep, services: ServicesDep, source: SourceDep,
                   agent: UserAgent = "", range_: RangeHeader = None):
    share = _find(session, token)
    if share is not None and _usable(share, services) and not share.allow_download:
        _audit(services, session, share, actor=f"officer:{share.id}", action="share.download",
               what="", source=source, outcome="failure", justification="view-only link")
        session.commit()
        raise HTTPException(403, detail="This link lets you watch the footage, not download it.")
    share = _open(session, services, token, "download", source, agent,
                  counted=ranges.starts_at_zero(range_))
    return ranges.serve(evidence.original_path(services.settings, share.upload_id),
                        media_type="application/octet-stream",
                        download_name=download_name(share.upload))


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%b %d, %Y %I:%M %p %Z")
