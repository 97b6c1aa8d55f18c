"""Footage requests the analyst made, written down (durably) before they are sent: a request
made while the server is unreachable waits here and goes out when it returns, exactly once.

Each draft keeps the ``client_id`` it was made with; the server creates the requests for a
client id once and answers every later send of it with the same requests, so a send whose
answer was lost (or a desk killed mid-send) is simply sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from rtcc_db.types import UtcDateTime
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.durable_sends import QUEUED, REFUSED, SENT, DurableSends
from rtcc_desk.adapters.server_link.errors import ServerLinkError, SessionExpired
from rtcc_desk.adapters.server_link.requests_api import send_draft
from rtcc_desk.adapters.server_link.storage import Base, open_link_database
from rtcc_desk.core.request_queue import FootageRequest, RequestDraft, RequestWindow

__all__ = ["QUEUED", "REFUSED", "SENT", "RequestOutbox", "RequestOutboxRow", "SubmitResult"]


class RequestOutboxRow(Base):
    """A request draft waiting to be sent (or done: sent, refused by the server)."""

    __tablename__ = "request_outbox"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    camera_ids: Mapped[str] = mapped_column(Text)  # JSON list
    window_start: Mapped[datetime] = mapped_column(UtcDateTime())
    window_end: Mapped[datetime] = mapped_column(UtcDateTime())
    call_ref: Mapped[str] = mapped_column(String(120), default="")
    case_ref: Mapped[str] = mapped_column(String(120), default="")
    justification: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), index=True)  # queued | sent | refused
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    request_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, once sent
    error: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """What became of one draft: the server's requests, or queued (with the reason) or refused."""

    draft: RequestDraft
    requests: tuple[FootageRequest, ...] = ()
    queued: bool = False
    error: ServerLinkError | None = None

    @property
    def refused(self) -> bool:
        return not self.queued and self.error is not None


class RequestOutbox(DurableSends):
    """Durable queue of footage request drafts (the server-link database, synchronous=FULL)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__(sessions, RequestOutboxRow)

    @classmethod
    def open(cls, url: str) -> RequestOutbox:
        return cls(open_link_database(url))

    def queue(self, username: str, draft: RequestDraft) -> None:
        """Write the draft down (committed before this returns); the same client id twice is
        kept once."""
        with self._sessions.begin() as session:
            if session.get(RequestOutboxRow, draft.client_id) is not None:
                return
            session.add(RequestOutboxRow(
                client_id=draft.client_id, username=username.strip().lower(),
                queued_at=datetime.now(UTC), camera_ids=json.dumps(list(draft.camera_ids)),
                window_start=draft.window.start, window_end=draft.window.end,
                call_ref=draft.call_ref, case_ref=draft.case_ref,
                justification=draft.justification, state=QUEUED,
            ))

    def submit(self, client: ServerClient, draft: RequestDraft) -> SubmitResult:
        """Queue the draft for the signed-in analyst, then try to send it now. Never raises a
        link error: an unreachable server (or an ended sign-in) leaves it queued."""
        session = client.session
        if session is None:
            raise SessionExpired("sign in to request footage")
        self.queue(session.username, draft)
        return self._send(client, draft)

    def pending(self, username: str | None = None) -> list[RequestDraft]:
        return [_draft(row) for row in self._rows(QUEUED, username)]

    def refused(self) -> list[tuple[RequestDraft, str]]:
        """Drafts the server refused for good, with its reason (shown to the analyst)."""
        return [(_draft(row), row.error) for row in self._rows(REFUSED, None)]

    # ----- inside -------------------------------------------------------------------------

    def _send(self, client: ServerClient, draft: RequestDraft) -> SubmitResult:
        attempt = self.attempt(draft.client_id, "footage request",
                               lambda: send_draft(client, draft))
        if attempt.answer is None:
            return SubmitResult(draft, queued=attempt.queued, error=attempt.error)
        self.mark(draft.client_id, state=SENT, sent_at=datetime.now(UTC),
                  request_ids=json.dumps([r.request_id for r in attempt.answer]), error="")
        return SubmitResult(draft, tuple(attempt.answer))

    def _send_row(self, client: ServerClient, row: RequestOutboxRow) -> SubmitResult:
        return self._send(client, _draft(row))


def _draft(row: RequestOutboxRow) -> RequestDraft:
    return RequestDraft(
        camera_ids=tuple(json.loads(row.camera_ids)),
        window=RequestWindow(row.window_start, row.window_end),
        justification=row.justification, call_ref=row.call_ref, case_ref=row.case_ref,
        client_id=row.client_id,
    )
