"""An analyst's verdict on an upload: worth keeping for the case (valuable) or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server_stub.models.base import Base
from server_stub.models.types import UtcDateTime

VERDICTS = ("valuable", "not_valuable")
MAX_NOTES = 2000


class Review(Base):
    """One verdict; a later review of the same upload supersedes it (rows are kept as history)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
