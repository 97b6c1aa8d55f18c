"""Owners' camera registrations: register, verify, edit, withdraw, yearly reconfirmation, lapse,
contact changes (a new email address confirmed first), purge of never-confirmed registrations."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.orm import Session

from server_stub import events
from server_stub import registration_mail as mail
from server_stub.messaging import MessageError
from server_stub.models.registry import CameraRegistration, Owner, OwnerLinkToken
from server_stub.registration_form import FormErrors, parse_camera, parse_owner, parse_registration
from server_stub.registry import next_sync_version
from server_stub.services import Services
from server_stub.tokens import hash_token, new_token

log = logging.getLogger("rtcc.server.registration")

VERIFY, MANAGE, RECONFIRM, EMAIL = "verify", "manage", "reconfirm", "email"
PENDING, ACTIVE, WITHDRAWN, LAPSED = "pending_verification", "active", "withdrawn", "lapsed"
OWNER_LINKS = (MANAGE, RECONFIRM)  # either opens the manage page
RECONFIRM_EVERY = timedelta(days=365)
RECONFIRM_NOTICE = timedelta(days=30)
LAPSE_GRACE = timedelta(days=30)
# A reconfirm link outlives the lapse, so an owner back from a long trip can still restore.
RECONFIRM_LINK_AFTER_LAPSE = timedelta(days=60)
# Unverified registrations per address per day: stops anyone mail-bombing a stranger's inbox.
MAX_PENDING_PER_EMAIL = 3


class LinkInvalid(Exception):
    """An owner link that is unknown, already used or expired (the page says which)."""

    def __init__(self, reason: str, owner_id: str = ""):
        super().__init__(reason)
        self.reason, self.owner_id = reason, owner_id


class NotEditable(Exception):
    """The camera is not this owner's, or is withdrawn and can no longer change."""


@dataclass(frozen=True)
class Outcome:
    """What an action did, for the page that follows it."""

    owner: Owner
    mailed: bool = True
    manage_url: str = ""
    changed: tuple[str, ...] = ()


def link_url(services: Services, purpose: str, token: str) -> str:
    # Never from the request's Host header: a forged Host would send owners' links elsewhere.
    path = {VERIFY: "/register/verify/", EMAIL: "/manage/email/"}.get(purpose, "/manage/")
    return f"{services.settings.public_base_url}{path}{token}"


def _issue_link(session: Session, services: Services, owner: Owner, purpose: str,
                expires_at: datetime) -> str:
    token, digest = new_token()
    session.add(OwnerLinkToken(token_hash=digest, owner_id=owner.id, purpose=purpose,
                               expires_at=expires_at))
    return link_url(services, purpose, token)


def _open_link(purpose: str, now: datetime) -> ColumnElement[bool]:
    """The owner (in the enclosing query) holds a link for ``purpose`` that still works."""
    return exists().where(OwnerLinkToken.owner_id == Owner.id, OwnerLinkToken.purpose == purpose,
                          OwnerLinkToken.used_at.is_(None), OwnerLinkToken.expires_at > now)


def _manage_link_expiry(owner: Owner, now: datetime) -> datetime:
    return max(owner.reconfirm_due + LAPSE_GRACE, now + timedelta(days=30))


def find_link(session: Session, token: str, purposes: tuple[str, ...],
              now: datetime) -> OwnerLinkToken:
    row = session.get(OwnerLinkToken, hash_token(token)) if len(token) <= 128 else None
    if row is None or row.purpose not in purposes:
        raise LinkInvalid("unknown")
    if row.used_at is not None:
        raise LinkInvalid("used", row.owner_id)
    if row.expires_at <= now:
        raise LinkInvalid("expired", row.owner_id)
    return row


def _owner_for(session: Session, services: Services, token: str, purposes: tuple[str, ...],
               action: str, source: str, now: datetime) -> tuple[Owner, OwnerLinkToken]:
    """The link's owner; a refused link is audited (someone tried it) before it is raised."""
    try:
        link = find_link(session, token, purposes, now)
    except LinkInvalid as exc:
        session.rollback()
        who = f"owner:{exc.owner_id}" if exc.owner_id else ""
        services.audit(session, actor=who or "anonymous", action=action,
                       object=who or "link:unknown", outcome="failure", source=source,
                       justification=f"link {exc.reason}")
        session.commit()
        raise
    return session.get(Owner, link.owner_id), link


def _spend_link(session: Session, services: Services, token: str, purpose: str, action: str,
                source: str, now: datetime) -> Owner:
    """The owner behind a one-time link, which this call uses up."""
    owner, link = _owner_for(session, services, token, (purpose,), action, source, now)
    link.used_at = now
    return owner


def _change(session: Session, camera: CameraRegistration, now: datetime, **fields) -> None:
    # Every change takes a new sync version: that is how desks learn of it (withdrawals too).
    for name, value in fields.items():
        setattr(camera, name, value)
    camera.sync_version = next_sync_version(session)
    events.camera_changed(session, camera)
    camera.updated_at = now


def _send(services: Services, to: str, message: tuple[str, str]) -> bool:
    subject, body = message
    try:
        services.mailer.send(to=to, subject=subject, body=body)
    except MessageError:
        log.warning("could not email %s (%s)", to, subject, exc_info=True)
        return False
    return True


def register(session: Session, services: Services, form: Mapping[str, str], *, source: str,
             now: datetime | None = None) -> Outcome:
    """Create the owner and cameras (pending until the emailed link is confirmed)."""
    now = now or datetime.now(UTC)
    owner_in, cameras_in = parse_registration(form)
    recent = session.scalar(select(func.count()).select_from(Owner).where(
        func.lower(Owner.email) == owner_in.email.lower(), Owner.verified_at.is_(None),
        Owner.created_at > now - timedelta(days=1)))
    if recent >= MAX_PENDING_PER_EMAIL:
        raise FormErrors({"email": "This address has several unconfirmed registrations today. "
                                   "Please use the link in the email we already sent."})
    owner = Owner(**asdict(owner_in), consent_at=now, created_at=now)
    session.add(owner)
    session.flush()
    for camera_in in cameras_in:
        camera = CameraRegistration(owner_id=owner.id, status=PENDING, **asdict(camera_in))
        _change(session, camera, now)
        session.add(camera)
    hours = services.settings.verify_link_hours
    url = _issue_link(session, services, owner, VERIFY, now + timedelta(hours=hours))
    services.audit(session, actor=f"owner:{owner.id}", action="registration.create",
                   object=f"owner:{owner.id}", source=source,
                   justification=f"{len(cameras_in)} camera(s), consent to terms given")
    session.commit()  # before the email: a message never announces what the database lost
    message = mail.verify(services.settings, owner, len(cameras_in), url, hours)
    mailed = _send(services, owner.email, message)
    return Outcome(owner=owner, mailed=mailed)


def check_link(session: Session, token: str, purposes: tuple[str, ...],
               now: datetime | None = None) -> Owner:
    """The owner behind a still-valid link (for showing a page; changes nothing)."""
    link = find_link(session, token, purposes, now or datetime.now(UTC))
    return session.get(Owner, link.owner_id)


def verify(session: Session, services: Services, token: str, *, source: str,
           now: datetime | None = None) -> Outcome:
    """Confirm the email address: the cameras go active and reach the analysts' map."""
    now = now or datetime.now(UTC)
    owner = _spend_link(session, services, token, VERIFY, "registration.verify", source, now)
    owner.verified_at = now
    owner.reconfirm_due = now + RECONFIRM_EVERY
    for camera in owner.cameras:
        if camera.status == PENDING:
            _change(session, camera, now, status=ACTIVE)
    manage_url = _issue_link(session, services, owner, MANAGE, owner.reconfirm_due + LAPSE_GRACE)
    services.audit(session, actor=f"owner:{owner.id}", action="registration.verify",
                   object=f"owner:{owner.id}", source=source)
    session.commit()
    mailed = _send(services, owner.email, mail.registered(services.settings, owner, manage_url))
    return Outcome(owner=owner, mailed=mailed, manage_url=manage_url)


def _own_camera(owner: Owner, camera_id: str) -> CameraRegistration:
    for camera in owner.cameras:
        if camera.id == camera_id and camera.status != WITHDRAWN:
            return camera
    raise NotEditable(camera_id)


def edit_camera(session: Session, services: Services, token: str, camera_id: str,
                form: Mapping[str, str], *, prefix: str, source: str,
                now: datetime | None = None) -> Outcome:
    """Change a camera's position, direction, description, recorder or retention."""
    now = now or datetime.now(UTC)
    owner, _ = _owner_for(session, services, token, OWNER_LINKS, "registration.edit", source, now)
    camera = _own_camera(owner, camera_id)
    camera_in, errors = parse_camera(form, prefix)
    if errors:
        raise FormErrors(errors)
    changes = {k: v for k, v in asdict(camera_in).items() if getattr(camera, k) != v}
    if changes:
        _change(session, camera, now, **changes)
        services.audit(session, actor=f"owner:{owner.id}", action="registration.edit",
                       object=f"camera:{camera.id}", source=source,
                       justification="changed " + ", ".join(sorted(changes)))
        session.commit()
    return Outcome(owner=owner, changed=tuple(sorted(changes)))


def edit_contact(session: Session, services: Services, token: str, form: Mapping[str, str], *,
                 source: str, now: datetime | None = None) -> Outcome:
    """Change the owner's name, phone, channel, address or business flag; a new email address
    is only asked for: it is used once confirmed from the link mailed to it, the old one until then.

    ``changed`` names what was saved, and "email" when a confirmation link was sent.
    """
    now = now or datetime.now(UTC)
    owner, _ = _owner_for(session, services, token, OWNER_LINKS, "registration.contact", source,
                          now)
    owner_in, errors = parse_owner(form)
    if errors:
        raise FormErrors(errors)
    wanted = asdict(owner_in)
    new_email = wanted.pop("email")
    changes = {k: v for k, v in wanted.items() if getattr(owner, k) != v}
    for name, value in changes.items():
        setattr(owner, name, value)
    if "is_business" in changes:  # desks show business or residential: they must hear of it
        for camera in owner.cameras:
            if camera.status != WITHDRAWN:
                _change(session, camera, now)
    asked_before = owner.pending_email
    # Any other address (again) asks for confirmation; the current one cancels a pending change.
    owner.pending_email = new_email if new_email != owner.email else None
    session.execute(delete(OwnerLinkToken).where(OwnerLinkToken.owner_id == owner.id,
                                                 OwnerLinkToken.purpose == EMAIL,
                                                 OwnerLinkToken.used_at.is_(None)))
    url, hours = "", services.settings.verify_link_hours
    if owner.pending_email:
        url = _issue_link(session, services, owner, EMAIL, now + timedelta(hours=hours))
    what = sorted(changes)
    if url:
        what.append("email (waiting for confirmation)")
    elif asked_before:
        what.append("email change cancelled")
    if what:
        services.audit(session, actor=f"owner:{owner.id}", action="registration.contact",
                       object=f"owner:{owner.id}", source=source,
                       justification="changed " + ", ".join(what))
    session.commit()  # before the email: a message never announces what the database lost
    mailed = True
    if url:
        mailed = _send(services, owner.pending_email,
                       mail.confirm_email(services.settings, owner, url, hours))
        if owner.pending_email != asked_before:  # the old address hears of it once
            _send(services, owner.email, mail.email_change_notice(services.settings, owner))
    return Outcome(owner=owner, mailed=mailed,
                   changed=tuple(sorted(changes)) + (("email",) if url else ()))


def confirm_email(session: Session, services: Services, token: str, *, source: str,
                  now: datetime | None = None) -> Outcome:
    """The new address is confirmed from inside its mailbox: it replaces the old one."""
    now = now or datetime.now(UTC)
    owner = _spend_link(session, services, token, EMAIL, "registration.email_verify", source, now)
    owner.email, owner.pending_email = owner.pending_email, None
    manage_url = _issue_link(session, services, owner, MANAGE, _manage_link_expiry(owner, now))
    services.audit(session, actor=f"owner:{owner.id}", action="registration.email_verify",
                   object=f"owner:{owner.id}", source=source)
    session.commit()
    mailed = _send(services, owner.email, mail.email_changed(services.settings, owner, manage_url))
    return Outcome(owner=owner, mailed=mailed, manage_url=manage_url)


def withdraw(session: Session, services: Services, token: str, camera_id: str | None, *,
             source: str, now: datetime | None = None) -> Outcome:
    """Withdraw one camera, or all of them (``camera_id`` None); desks drop them at next sync."""
    now = now or datetime.now(UTC)
    owner, _ = _owner_for(session, services, token, OWNER_LINKS, "registration.withdraw",
                          source, now)
    cameras = [_own_camera(owner, camera_id)] if camera_id else \
        [c for c in owner.cameras if c.status != WITHDRAWN]
    for camera in cameras:
        _change(session, camera, now, status=WITHDRAWN)
        services.audit(session, actor=f"owner:{owner.id}", action="registration.withdraw",
                       object=f"camera:{camera.id}", source=source)
    session.commit()
    return Outcome(owner=owner, changed=tuple(c.id for c in cameras))


def reconfirm(session: Session, services: Services, token: str, *, source: str,
              now: datetime | None = None) -> Outcome:
    """The owner says the cameras are still there: another year, and lapsed ones come back."""
    now = now or datetime.now(UTC)
    owner, link = _owner_for(session, services, token, OWNER_LINKS, "registration.reconfirm",
                             source, now)
    if owner.verified_at is None:
        raise NotEditable("not verified")
    owner.reconfirm_due = now + RECONFIRM_EVERY
    # the owner's bookmarked link keeps working for the new year
    link.expires_at = max(link.expires_at, owner.reconfirm_due + LAPSE_GRACE)
    for camera in owner.cameras:
        if camera.status == LAPSED:
            _change(session, camera, now, status=ACTIVE)
    services.audit(session, actor=f"owner:{owner.id}", action="registration.reconfirm",
                   object=f"owner:{owner.id}", source=source)
    session.commit()
    return Outcome(owner=owner)


def reconfirm_window_open(owner: Owner, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return owner.reconfirm_due is not None and now >= owner.reconfirm_due - RECONFIRM_NOTICE


def send_reconfirmations(session: Session, services: Services, now: datetime | None = None) -> int:
    """Email each owner whose yearly reconfirmation falls due within 30 days, once per year."""
    now = now or datetime.now(UTC)
    due = session.scalars(select(Owner).where(
        Owner.verified_at.is_not(None), Owner.reconfirm_due <= now + RECONFIRM_NOTICE,
        Owner.reconfirm_due > now - LAPSE_GRACE)).all()
    sent = 0
    for owner in due:
        # The reconfirm link itself records the notice: one outliving this due date means "sent".
        already = session.scalar(select(func.count()).select_from(OwnerLinkToken).where(
            OwnerLinkToken.owner_id == owner.id, OwnerLinkToken.purpose == RECONFIRM,
            OwnerLinkToken.expires_at > owner.reconfirm_due))
        if already or not any(c.status == ACTIVE for c in owner.cameras):
            continue
        expires = owner.reconfirm_due + LAPSE_GRACE + RECONFIRM_LINK_AFTER_LAPSE
        url = _issue_link(session, services, owner, RECONFIRM, expires)
        message = mail.reconfirm(services.settings, owner, url, LAPSE_GRACE)
        if not _send(services, owner.email, message):
            session.rollback()  # not recorded as sent, so the next run tries again
            continue
        services.audit(session, actor="system", action="registration.reconfirm_notice",
                       object=f"owner:{owner.id}")
        session.commit()
        sent += 1
    return sent


def lapse_unconfirmed(session: Session, services: Services, now: datetime | None = None) -> int:
    """Lapse the active cameras of owners past their reconfirmation date plus the grace."""
    now = now or datetime.now(UTC)
    owners = session.scalars(select(Owner).where(
        Owner.verified_at.is_not(None), Owner.reconfirm_due < now - LAPSE_GRACE)).all()
    lapsed = 0
    for owner in owners:
        for camera in owner.cameras:
            if camera.status == ACTIVE:
                _change(session, camera, now, status=LAPSED)
                services.audit(session, actor="system", action="registration.lapse",
                               object=f"camera:{camera.id}")
                lapsed += 1
    session.commit()
    return lapsed


def purge_unverified(session: Session, services: Services, now: datetime | None = None) -> int:
    """Delete registrations whose email address was never confirmed within
    ``unverified_purge_days`` and that hold no confirmation link still open; returns how many.

    Only a confirmed owner's cameras ever go active, so these were never on a desk's map: the
    sync only ever sent them as "not present", and nothing needs to stay behind for it. An owner
    with any camera that left "pending" is kept all the same (its row is the sync's withdrawal).
    """
    now = now or datetime.now(UTC)
    days = services.settings.unverified_purge_days
    owners = session.scalars(select(Owner).where(
        Owner.verified_at.is_(None), Owner.created_at < now - timedelta(days=days),
        ~Owner.cameras.any(CameraRegistration.status != PENDING), ~_open_link(VERIFY, now))).all()
    for owner in owners:
        services.audit(session, actor="system", action="registration.purge",
                       object=f"owner:{owner.id}",
                       justification=f"{len(owner.cameras)} camera(s); email address not "
                                     f"confirmed within {days:g} days")
        session.execute(delete(OwnerLinkToken).where(OwnerLinkToken.owner_id == owner.id))
        for camera in owner.cameras:
            session.delete(camera)
        session.delete(owner)
    session.commit()
    return len(owners)


def send_links(session: Session, services: Services, email: str, *, source: str,
               now: datetime | None = None) -> None:
    """Email fresh links to every registration under ``email`` (says nothing about which exist)."""
    now = now or datetime.now(UTC)
    address = email.strip().lower()
    owners = session.scalars(select(Owner).where(func.lower(Owner.email) == address)).all()
    outgoing = []
    for owner in owners:
        if not any(c.status != WITHDRAWN for c in owner.cameras):
            continue
        if owner.verified_at is not None:
            url = _issue_link(session, services, owner, MANAGE, _manage_link_expiry(owner, now))
            outgoing.append((owner, mail.registered(services.settings, owner, url)))
        else:
            hours = services.settings.verify_link_hours
            url = _issue_link(session, services, owner, VERIFY, now + timedelta(hours=hours))
            count = sum(c.status == PENDING for c in owner.cameras)
            outgoing.append((owner, mail.verify(services.settings, owner, count, url, hours)))
        services.audit(session, actor=f"owner:{owner.id}", action="registration.link_request",
                       object=f"owner:{owner.id}", source=source)
    session.commit()
    for owner, message in outgoing:
        _send(services, owner.email, message)
