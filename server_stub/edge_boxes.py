"""Edge boxes: one-time enrollment codes, enrollment, the box's credential, heartbeats, cameras."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rtcc_desk.core.cameras import EDGE_MAX_CHANNELS, RecorderType, View
from server_stub import events
from server_stub.edge_words import when
from server_stub.models.edge import EdgeBox, EdgeChannel, EdgeEnrollmentCode
from server_stub.models.registry import CameraRegistration, Owner
from server_stub.models.types import new_id
from server_stub.registry import next_sync_version
from server_stub.services import Services
from server_stub.tokens import hash_token, new_token

#: Letters and digits nobody misreads when typing a code from paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4  # ABCD-EFGH-JKMN: about 59 bits
#: A box that has not called for this long is shown offline (its long-poll lasts ≤ 60 s).
OFFLINE_AFTER = timedelta(seconds=90)


class EdgeRefusal(Exception):
    """An edge request that cannot be done; ``status`` for HTTP, the message for people."""

    def __init__(self, status: int, detail: str, code: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.code = status, detail, code


class EdgeCameraIn(BaseModel):
    """One camera of a box as the box describes it (at enrollment and in heartbeats)."""

    model_config = ConfigDict(extra="ignore")

    channel: int = Field(ge=1, le=EDGE_MAX_CHANNELS)
    name: str = Field(min_length=1, max_length=80)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    bearing: float | None = None
    fov: float = 90.0
    range_m: float = 30.0

    @model_validator(mode="after")
    def _valid_view(self) -> EdgeCameraIn:
        View(self.bearing, self.fov, self.range_m)  # the desk's own rules for a view
        return self


def check_cameras(cameras: list[EdgeCameraIn]) -> None:
    if len(cameras) > EDGE_MAX_CHANNELS:
        raise EdgeRefusal(422, f"an edge box records at most {EDGE_MAX_CHANNELS} cameras; "
                               f"{len(cameras)} were sent")
    channels = [c.channel for c in cameras]
    if len(set(channels)) != len(channels):
        raise EdgeRefusal(422, f"each channel may appear once; got channels {channels}")


# ----- enrollment codes ---------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def hash_code(code: str) -> str:
    return hash_token(normalise_code(code))


def issue_code(session: Session, services: Services, *, admin: str, business_name: str,
               address: str, now: datetime, source: str) -> tuple[str, EdgeEnrollmentCode]:
    """A fresh one-time code (shown once) and its stored row, which holds only the hash."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    code = "-".join(raw[i:i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))
    row = EdgeEnrollmentCode(
        code_hash=hash_code(code), business_name=business_name, address=address,
        created_by=admin, created_at=now,
        expires_at=now + timedelta(hours=services.settings.edge_code_hours),
    )
    session.add(row)
    services.audit(session, actor=admin, action="edge.code.issue",
                   object=f"enrollment-code for {business_name or '(unnamed business)'}"[:300],
                   source=source, justification=f"expires {row.expires_at.isoformat()}")
    return code, row


def enroll(session: Session, services: Services, *, code: str, box_name: str,
           cameras: list[EdgeCameraIn], now: datetime, source: str) -> tuple[EdgeBox, str]:
    """Spend the code, create the box (and its business owner and channels); returns the box
    and its credential, which is never seen again (only its hash is kept)."""
    check_cameras(cameras)
    row = session.get(EdgeEnrollmentCode, hash_code(code))
    if row is None:
        raise EdgeRefusal(404, "This enrollment code is not known. Check it, or ask the RTCC "
                               "for a new one.")
    if row.used_at is not None:
        raise EdgeRefusal(409, f"This enrollment code was already used on {when(row.used_at)}. "
                               "Each code works once: ask the RTCC for a new one.")
    if row.expires_at <= now:
        raise EdgeRefusal(410, f"This enrollment code expired on {when(row.expires_at)}. Ask the "
                               "RTCC for a new one.")
    box_id = new_id()
    # One conditional UPDATE: two boxes racing with the same code cannot both enroll.
    spent = session.execute(
        update(EdgeEnrollmentCode)
        .where(EdgeEnrollmentCode.code_hash == row.code_hash, EdgeEnrollmentCode.used_at.is_(None))
        .values(used_at=now, used_by_box=box_id)
    )
    if spent.rowcount != 1:
        raise EdgeRefusal(409, "This enrollment code was just used. Ask the RTCC for a new one.")
    # The business is the box's owner. The code from the RTCC stands in for the email
    # confirmation of a web registration, so it is verified at once and never lapses.
    session.add(Owner(id=box_id, name=(row.business_name or box_name)[:120], email="", phone="",
                      preferred_channel="email", address=row.address, is_business=True,
                      consent_at=now, verified_at=now, reconfirm_due=None, created_at=now))
    session.flush()  # the owner row first: the box refers to it
    credential, credential_hash = new_token()
    box = EdgeBox(id=box_id, owner_id=box_id, name=box_name, credential_hash=credential_hash,
                  enrolled_at=now, last_seen=now, paused=False)
    session.add(box)
    session.flush()
    sync_cameras(session, box, cameras, now)
    services.audit(session, actor=f"edge:{box.id}", action="edge.enroll",
                   object=f"box:{box.id} name:{box_name} cameras:{len(cameras)}"[:300],
                   source=source, justification=f"enrollment code issued by {row.created_by}")
    return box, credential


# ----- the box's credential -----------------------------------------------------------------


def find_box(session: Session, presented: str | None) -> EdgeBox | None:
    """The enrolled, not revoked box holding this bearer credential."""
    if not presented or len(presented) > 200:
        return None
    box = session.scalars(
        select(EdgeBox).where(EdgeBox.credential_hash == hash_token(presented))).first()
    return box if box is not None and box.revoked_at is None else None


def revoke(session: Session, services: Services, box: EdgeBox, *, admin: str, now: datetime,
           source: str) -> None:
    """The credential stops working at once; the box's channels leave every desk's map."""
    box.revoked_at = now
    for channel in channels_of(session, box.id):
        _set_status(session, channel.camera, "withdrawn", now)
    services.audit(session, actor=admin, action="edge.revoke", object=f"box:{box.id}",
                   source=source)


def is_online(box: EdgeBox, now: datetime, waiting: bool = False) -> bool:
    if box.revoked_at is not None:
        return False
    return waiting or (box.last_seen is not None and now - box.last_seen <= OFFLINE_AFTER)


# ----- heartbeats and cameras ---------------------------------------------------------------


def channels_of(session: Session, box_id: str) -> list[EdgeChannel]:
    return list(session.scalars(
        select(EdgeChannel).where(EdgeChannel.box_id == box_id).order_by(EdgeChannel.channel)))


def heartbeat(session: Session, services: Services, box: EdgeBox, *, paused: bool,
              retention_days: int, disk: dict[str, Any], channels: list[dict[str, Any]],
              cameras: list[EdgeCameraIn] | None, now: datetime, source: str) -> None:
    """Record what the box reports; a pause, a resume or a camera change is audited."""
    before = (box.paused, _states(box.health))
    box.last_seen = now
    box.health = {"reported_at": now.isoformat(), "disk": disk, "channels": channels}
    if box.paused != paused:
        services.audit(session, actor=f"edge:{box.id}", action="edge.pause" if paused else "edge.resume",
                       object=f"box:{box.id}", source=source)
    box.paused = paused
    retention_changed = box.retention_days != retention_days
    box.retention_days = retention_days
    if cameras is not None:
        check_cameras(cameras)
        if sync_cameras(session, box, cameras, now):
            services.audit(session, actor=f"edge:{box.id}", action="edge.cameras",
                           object=f"box:{box.id} cameras:{sorted(c.channel for c in cameras)}",
                           source=source)
    if retention_changed:
        for channel in channels_of(session, box.id):
            camera = channel.camera
            if camera.retention_days != retention_days:
                camera.retention_days = float(retention_days)
                _new_version(session, camera, now)
    if before != (box.paused, _states(box.health)):
        events.publish(session, "edge.box", box.id, box_event(box, now))


def _states(health: dict | None) -> dict:
    return {c.get("channel"): (c.get("state"), c.get("error"))
            for c in (health or {}).get("channels", [])}


def box_event(box: EdgeBox, now: datetime) -> dict[str, Any]:
    return {"box_id": box.id, "paused": box.paused, "online": is_online(box, now),
            "channels": [{"channel": c.get("channel"), "state": c.get("state"),
                          "error": c.get("error", "")}
                         for c in (box.health or {}).get("channels", [])]}


def sync_cameras(session: Session, box: EdgeBox, cameras: list[EdgeCameraIn], now: datetime) -> bool:
    """Make the box's registrations match its camera list; True when anything changed.

    A channel keeps its camera id for good (desks and past requests know it by that id): a
    channel the box no longer lists is withdrawn, and comes back under the same id.
    """
    existing = {c.channel: c for c in channels_of(session, box.id)}
    changed = False
    for camera_in in cameras:
        fields = {
            "label": f"{box.name} – {camera_in.name}"[:120], "lat": camera_in.lat,
            "lon": camera_in.lon, "bearing": camera_in.bearing, "fov": camera_in.fov,
            "range_m": camera_in.range_m,
        }
        channel = existing.pop(camera_in.channel, None)
        if channel is None:
            camera = CameraRegistration(
                id=new_id(), owner_id=box.owner_id, recorder_type=RecorderType.EDGE_DEVICE.value,
                retention_days=float(box.retention_days) if box.retention_days else None,
                status="active", sync_version=next_sync_version(session), updated_at=now, **fields)
            session.add(camera)
            session.flush()
            session.add(EdgeChannel(camera_id=camera.id, box_id=box.id, channel=camera_in.channel))
            events.camera_changed(session, camera)
            changed = True
            continue
        camera = channel.camera
        if any(getattr(camera, k) != v for k, v in fields.items()) or camera.status != "active":
            for key, value in fields.items():
                setattr(camera, key, value)
            camera.status = "active"
            _new_version(session, camera, now)
            changed = True
    for channel in existing.values():
        changed |= _set_status(session, channel.camera, "withdrawn", now)
    return changed


def _set_status(session: Session, camera: CameraRegistration, status: str, now: datetime) -> bool:
    if camera.status == status:
        return False
    camera.status = status
    _new_version(session, camera, now)
    return True


def _new_version(session: Session, camera: CameraRegistration, now: datetime) -> None:
    camera.sync_version = next_sync_version(session)
    camera.updated_at = now
    events.camera_changed(session, camera)
