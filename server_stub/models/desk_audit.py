"""Receipts for audit records sent by desks: one per desk-made id, so a replay appends nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server_stub.models.base import Base
from server_stub.models.types import UtcDateTime


class DeskAuditReceipt(Base):
    """A desk record already in the audit trail: its client id (the primary key makes a
    second append of the same id fail) and the sequence number it got."""

    __tablename__ = "desk_audit_receipts"

    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    audit_seq: Mapped[int] = mapped_column(ForeignKey("audit_records.seq"), unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    # When the analyst acted (the audit record's time) and when the server heard of it:
    # far apart when the desk queued the record while the server was unreachable.
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
