"""Officer share links to a reviewed upload, and every time an officer opened one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server_stub.models.base import Base
from server_stub.models.types import UtcDateTime, new_id
from server_stub.models.uploads import Upload


class Share(Base):
    """A view-only or view-and-download link for one named officer and case; expires, revocable."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), index=True)
    officer_name: Mapped[str] = mapped_column(String(120))
    officer_contact: Mapped[str] = mapped_column(String(200))  # phone or email
    case_ref: Mapped[str] = mapped_column(String(120), index=True)
    allow_download: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    upload: Mapped[Upload] = relationship()


class ShareView(Base):
    """The officer's page opened, or the clip started (range requests from byte 0 only)."""

    __tablename__ = "share_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(12))  # page | video | download
    source: Mapped[str] = mapped_column(String(100), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
