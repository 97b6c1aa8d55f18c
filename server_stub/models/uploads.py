"""Files an owner uploads over tus for a footage request: progress, final hash, classification."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server_stub.models.base import Base
from server_stub.models.requests import FootageRequest
from server_stub.models.types import UtcDateTime, new_id

#: receiving → complete, or receiving → terminated (the owner cancelled) / expired (link ran out).
STATES = ("receiving", "complete", "terminated", "expired")
#: Set on completion: playable video, kept as-is (DVR/proprietary), or refused (bytes deleted).
CLASSIFICATIONS = ("playable", "native", "refused")


class Upload(Base):
    """One file of one footage request. Its id is also the generated name of its bytes on disk."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("footage_requests.id"), index=True)
    # As the owner's device named it: shown to people, never used to build a path.
    filename: Mapped[str] = mapped_column(String(255), default="")
    declared_type: Mapped[str] = mapped_column(String(100), default="")
    length: Mapped[int] = mapped_column(BigInteger)
    # Bytes durably on disk and acknowledged to the client; the partial file is cut back to it.
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), index=True, default="receiving")
    classification: Mapped[str | None] = mapped_column(String(12))
    # Why a file was refused, or that it could not be probed; empty otherwise.
    note: Mapped[str] = mapped_column(Text, default="")
    # ffprobe's summary: duration, codec, width, height, container.
    probe: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    request: Mapped[FootageRequest] = relationship()
