"""The desk's event log: one row per state change, in commit order, read by the SSE stream."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server_stub.models.base import Base
from server_stub.models.types import UtcDateTime


class Event(Base):
    """One change a desk should see. ``id`` is the SSE event id a reconnecting desk sends back."""

    __tablename__ = "events"

    # Taken from ``EventHead`` under its lock, not from a sequence: ids then follow commit order
    # with no gaps, so a reader that has seen id N can never later miss a smaller one.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(40))  # request.status, upload.progress, …
    object_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)


class EventHead(Base):
    """A single row holding the newest event id; locking it serialises the writers of events."""

    __tablename__ = "event_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
