"""Review verdicts (valuable / not valuable, with notes), written down before they are sent: a
verdict given while the server is unreachable — or by a desk killed right after — is not lost.

The server answers a resend of the same analyst's same verdict on an upload with the review it
already holds, so sending again after a lost answer adds nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from rtcc_db.types import UtcDateTime
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.durable_sends import QUEUED, REFUSED, SENT, DurableSends
from rtcc_desk.adapters.server_link.errors import ServerLinkError, SessionExpired
from rtcc_desk.adapters.server_link.shares_api import ReviewResult, review_upload
from rtcc_desk.adapters.server_link.storage import Base, open_link_database

__all__ = ["QUEUED", "REFUSED", "SENT", "Verdict", "VerdictOutbox", "VerdictResult"]


class VerdictOutboxRow(Base):
    """A verdict waiting to be sent (or done: sent, refused by the server)."""

    __tablename__ = "verdict_outbox"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    request_id: Mapped[str] = mapped_column(String(64), default="")
    upload_id: Mapped[str] = mapped_column(String(64))
    valuable: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), index=True)  # queued | sent | refused
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The analyst's verdict on one upload of one request."""

    upload_id: str
    valuable: bool
    notes: str = ""
    request_id: str = ""
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True, slots=True)
class VerdictResult:
    """What became of one verdict: the server's review, or queued (with why) or refused."""

    verdict: Verdict
    review: ReviewResult | None = None
    queued: bool = False
    error: ServerLinkError | None = None

    @property
    def refused(self) -> bool:
        return not self.queued and self.error is not None


class VerdictOutbox(DurableSends):
    """Durable queue of review verdicts (the server-link database, synchronous=FULL)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__(sessions, VerdictOutboxRow)

    @classmethod
    def open(cls, url: str) -> VerdictOutbox:
        return cls(open_link_database(url))

    def submit(self, client: ServerClient, verdict: Verdict) -> VerdictResult:
        """Write the verdict down for the signed-in analyst, then try to send it now. An
        unreachable server (or an ended sign-in) leaves it queued; never raises a link error."""
        session = client.session
        if session is None:
            raise SessionExpired("sign in to record a verdict")
        with self._sessions.begin() as db:
            if db.get(VerdictOutboxRow, verdict.client_id) is None:
                db.add(VerdictOutboxRow(
                    client_id=verdict.client_id, username=session.username.strip().lower(),
                    queued_at=datetime.now(UTC), request_id=verdict.request_id,
                    upload_id=verdict.upload_id, valuable=verdict.valuable, notes=verdict.notes,
                    state=QUEUED))
        return self._send(client, verdict)

    def pending(self, username: str | None = None) -> list[Verdict]:
        return [_verdict(row) for row in self._rows(QUEUED, username)]

    def refused(self) -> list[tuple[Verdict, str]]:
        return [(_verdict(row), row.error) for row in self._rows(REFUSED, None)]

    def _send(self, client: ServerClient, verdict: Verdict) -> VerdictResult:
        attempt = self.attempt(verdict.client_id, "review verdict", lambda: review_upload(
            client, verdict.upload_id, verdict.valuable, verdict.notes))
        if attempt.answer is None:
            return VerdictResult(verdict, queued=attempt.queued, error=attempt.error)
        self.mark(verdict.client_id, state=SENT, sent_at=datetime.now(UTC), error="")
        return VerdictResult(verdict, attempt.answer)

    def _send_row(self, client: ServerClient, row: VerdictOutboxRow) -> VerdictResult:
        return self._send(client, _verdict(row))


def _verdict(row: VerdictOutboxRow) -> Verdict:
    return Verdict(upload_id=row.upload_id, valuable=row.valuable, notes=row.notes,
                   request_id=row.request_id, client_id=row.client_id)
