"""What the durable outboxes (footage requests, review verdicts) share: a row per action written
down before it is sent, one send at a time, and the server's answer deciding sent, queued or refused.

Each row keeps the ``client_id`` it was made with; the server answers a resend of the same id (or
of the same verdict) without acting twice, so a send whose answer was lost — or a desk killed
mid-send — is simply sent again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from rtcc_desk.adapters.server_link.errors import (
    NotAllowed,
    ServerError,
    ServerLinkError,
    ServerUnreachable,
    SessionExpired,
)

log = logging.getLogger("rtcc.desk.outbox")

QUEUED, SENT, REFUSED = "queued", "sent", "refused"
Answer = TypeVar("Answer")


@dataclass(frozen=True, slots=True)
class Attempt(Generic[Answer]):
    """One try at sending a row: the server's answer, or queued (with why), or refused."""

    answer: Answer | None = None
    queued: bool = False
    error: ServerLinkError | None = None
    already_done: bool = False  # sent (or refused) by another pass meanwhile


class DurableSends:
    """Rows of ``row_type`` (client_id, username, queued_at, state, sent_at, error columns)."""

    def __init__(self, sessions: sessionmaker[Session], row_type: type) -> None:
        self._sessions = sessions
        self._row_type = row_type
        self._lock = threading.Lock()  # one send of a row at a time

    def state_of(self, client_id: str) -> str | None:
        with self._sessions() as session:
            row = session.get(self._row_type, client_id)
            return row.state if row else None

    def pending_count(self, username: str | None = None) -> int:
        return len(self._rows(QUEUED, username))

    def deliver(self, client) -> list:
        """Send the signed-in analyst's queued rows, oldest first; stops at the first one that
        stays queued (the server is gone again). Each result has a ``queued`` flag."""
        session = client.session
        if session is None:
            return []
        results = []
        for row in self._rows(QUEUED, session.username):
            result = self._send_row(client, row)
            results.append(result)
            if result.queued:
                break
        return results

    def _send_row(self, client, row):  # each outbox says how one of its rows is sent
        raise NotImplementedError

    def attempt(self, client_id: str, what: str, send: Callable[[], Answer]) -> Attempt[Answer]:
        """Send a queued row now. An unreachable server, an ended sign-in or a server fault
        leave it queued; a refusal (4xx) is final and kept with the server's reason."""
        with self._lock:
            if self.state_of(client_id) != QUEUED:
                return Attempt(already_done=True)
            try:
                answer = send()
            except (ServerUnreachable, SessionExpired) as exc:
                return Attempt(queued=True, error=exc)
            except (NotAllowed, ServerError) as exc:
                if isinstance(exc, ServerError) and exc.status >= 500:
                    return Attempt(queued=True, error=exc)
                log.error("%s %s refused by the server: %s", what, client_id, exc)
                self.mark(client_id, state=REFUSED, error=str(exc)[:2000])
                return Attempt(error=exc)
            return Attempt(answer=answer)

    def mark(self, client_id: str, **values: Any) -> None:
        model = self._row_type
        with self._sessions.begin() as session:
            session.execute(update(model).where(model.client_id == client_id).values(**values))

    def _rows(self, state: str, username: str | None) -> list:
        model = self._row_type
        query = select(model).where(model.state == state).order_by(model.queued_at)
        if username is not None:
            query = query.where(model.username == username.strip().lower())
        with self._sessions() as session:
            return list(session.scalars(query))
