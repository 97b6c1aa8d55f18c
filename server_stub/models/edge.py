"""Business edge recorders: enrollment codes, boxes, their channels, commands and live sessions.

An edge channel is also a ``CameraRegistration`` (recorder type ``edge_device``) of the box's
business owner: the registry sync, footage requests, uploads, reviews and shares then treat a
clip from the box exactly like an owner's upload. ``EdgeChannel`` only says which box and
which of its channels 1..4 that registration is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server_stub.models.base import Base
from server_stub.models.registry import CameraRegistration
from server_stub.models.types import UtcDateTime, new_id

#: queued → sent (handed to the box) → accepted → done | failed; or refused / expired / cancelled.
COMMAND_STATES = ("queued", "sent", "accepted", "refused", "done", "failed", "expired", "cancelled")
COMMAND_KINDS = ("clip", "live", "stop")
#: waiting (box asked) → streaming (first byte) → ended; or refused / failed before any byte.
LIVE_STATES = ("waiting", "streaming", "ended", "refused", "failed")


class EdgeEnrollmentCode(Base):
    """A one-time code an administrator gives a business to enroll its box; only its hash is kept."""

    __tablename__ = "edge_enrollment_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Who the code is meant for, as the administrator wrote it (becomes the owner's name).
    business_name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    used_by_box: Mapped[str | None] = mapped_column(String(32))


class EdgeBox(Base):
    """One enrolled recorder. Its id is also its business owner's id (one owner row per box)."""

    __tablename__ = "edge_boxes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("owners.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the box's bearer credential (256 random bits); the credential itself is never kept.
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The last heartbeat as the box sent it: disk use and each channel's recording state.
    health: Mapped[dict | None] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EdgeChannel(Base):
    """Channel 1..4 of a box; name, location and view live in its camera registration."""

    __tablename__ = "edge_channels"
    __table_args__ = (UniqueConstraint("box_id", "channel", name="uq_edge_box_channel"),)

    # The id every desk knows the channel by (the registry sync's camera id).
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera_registrations.id"), primary_key=True)
    box_id: Mapped[str] = mapped_column(ForeignKey("edge_boxes.id"), index=True)
    channel: Mapped[int] = mapped_column(Integer)
    box: Mapped[EdgeBox] = relationship()
    camera: Mapped[CameraRegistration] = relationship()


class EdgeLiveSession(Base):
    """An analyst watching one channel live, relayed through the server; audited start to end."""

    __tablename__ = "edge_live_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    box_id: Mapped[str] = mapped_column(ForeignKey("edge_boxes.id"), index=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("edge_channels.camera_id"), index=True)
    channel: Mapped[int] = mapped_column(Integer)
    analyst: Mapped[str] = mapped_column(String(64), index=True)
    call_ref: Mapped[str] = mapped_column(String(120), default="")
    case_ref: Mapped[str] = mapped_column(String(120), default="")
    justification: Mapped[str] = mapped_column(Text)
    # The stream URL carries this key (players cannot send a bearer header); only its hash is kept.
    viewer_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(12), index=True, default="waiting")
    max_seconds: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A code (see edge_words.py) and the sentence shown to the analyst.
    end_code: Mapped[str] = mapped_column(String(24), default="")
    end_reason: Mapped[str] = mapped_column(Text, default="")
    bytes_relayed: Mapped[int] = mapped_column(BigInteger, default=0)


class EdgeCommand(Base):
    """Work for a box (clip, live, stop), waiting for its long-poll, then answered by it."""

    __tablename__ = "edge_commands"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    box_id: Mapped[str] = mapped_column(ForeignKey("edge_boxes.id"), index=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("edge_channels.camera_id"), index=True)
    channel: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(12), index=True, default="queued")
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime())
    window_end: Mapped[datetime | None] = mapped_column(UtcDateTime())
    max_seconds: Mapped[int | None] = mapped_column(Integer)
    analyst: Mapped[str] = mapped_column(String(64), default="")
    call_ref: Mapped[str] = mapped_column(String(120), default="")
    case_ref: Mapped[str] = mapped_column(String(120), default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    # The evidence record a clip's upload attaches to; the live session a live/stop belongs to.
    request_id: Mapped[str | None] = mapped_column(ForeignKey("footage_requests.id"), index=True)
    live_session_id: Mapped[str | None] = mapped_column(ForeignKey("edge_live_sessions.id"), index=True)
    # The box's own words, and a code for them (edge_words.py) that desks can act on.
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_code: Mapped[str] = mapped_column(String(24), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Not handed to the box after this (a box offline too long, a live view nobody waits for).
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Declared in the upload's tus metadata, then reported in the result: both must match the file.
    declared_sha256: Mapped[str | None] = mapped_column(String(64))
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    result_bytes: Mapped[int | None] = mapped_column(BigInteger)
