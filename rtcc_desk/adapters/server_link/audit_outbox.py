"""The desk's audit outbox: every analyst action that touches evidence or private data is
written here first (durably), then delivered to the server's audit trail in order, exactly once.

Recording never needs the network. Delivery sends the signed-in analyst's queued records,
oldest first, in batches; each batch the server acknowledges is marked delivered in one
transaction, so a pass that stops midway resumes with the first unacknowledged batch. A batch
whose answer was lost is simply sent again: the server knows the client ids and appends
nothing twice.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from rtcc_desk.adapters.server_link.client import DeskAuditRecord, ServerClient
from rtcc_desk.adapters.server_link.errors import ServerError, ServerLinkError, SessionExpired
from rtcc_desk.adapters.server_link.storage import OutboxRow, open_link_database

log = logging.getLogger("rtcc.desk.audit_outbox")

QUEUED, DELIVERED, REJECTED = "queued", "delivered", "rejected"
BATCH_SIZE = 100
_ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")


@dataclass(frozen=True, slots=True)
class QueuedRecord:
    """A record in the outbox and where it stands."""

    position: int  # local order
    username: str
    record: DeskAuditRecord
    state: str  # queued | delivered | rejected
    server_seq: int | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one ``deliver`` pass did; ``error`` says why it stopped early (None: queue empty)."""

    delivered: int
    rejected: tuple[tuple[uuid.UUID, str], ...]
    remaining: int  # still queued for this analyst
    error: ServerLinkError | None = None

    @property
    def complete(self) -> bool:
        return self.error is None and self.remaining == 0


class AuditOutbox:
    """Durable queue of desk audit records (the server-link database, synchronous=FULL)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._deliver_lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> AuditOutbox:
        return cls(open_link_database(url))

    def record(
        self, *, username: str, action: str, object: str, case_ref: str = "",
        justification: str = "", outcome: str = "success", occurred_at: datetime | None = None,
    ) -> DeskAuditRecord:
        """Write one action down, committed to disk before this returns; deliver it later.

        ``action`` is one of the server's desk actions (docs/desk-server-link.md); a name the
        server does not know is kept, refused at delivery and shown by ``rejected()``.
        """
        if not _ACTION.fullmatch(action):
            raise ValueError(f"action {action!r}: lower-case words joined by dots, e.g. video.view")
        if outcome not in ("success", "failure"):
            raise ValueError(f"outcome must be success or failure, not {outcome!r}")
        if not username or not object:
            raise ValueError("an audit record needs the analyst's username and the object touched")
        if occurred_at is not None and occurred_at.tzinfo is None:
            raise ValueError("occurred_at needs a time zone")
        when = (occurred_at or datetime.now(UTC)).astimezone(UTC)
        when = when.replace(microsecond=when.microsecond // 1000 * 1000)  # what the chain keeps
        record = DeskAuditRecord(
            client_id=uuid.uuid4(), occurred_at=when,
            action=action, object=object[:300], case_ref=case_ref[:120],
            justification=justification[:2000], outcome=outcome,
        )
        with self._sessions.begin() as session:
            session.add(OutboxRow(
                client_id=str(record.client_id), username=username.strip().lower(),
                occurred_at=record.occurred_at, action=record.action, object=record.object,
                case_ref=record.case_ref, justification=record.justification,
                outcome=record.outcome, state=QUEUED,
            ))
        return record

    def pending(self, username: str | None = None) -> list[QueuedRecord]:
        """Queued records, oldest first (one analyst's, or everyone's)."""
        return self._list(QUEUED, username)

    def pending_count(self, username: str | None = None) -> int:
        query = select(func.count()).select_from(OutboxRow).where(OutboxRow.state == QUEUED)
        if username is not None:
            query = query.where(OutboxRow.username == username.strip().lower())
        with self._sessions() as session:
            return session.scalar(query) or 0

    def rejected(self) -> list[QueuedRecord]:
        """Records the server refused for good (with its reason); kept for a supervisor to see."""
        return self._list(REJECTED, None)

    def delivered(self, username: str | None = None) -> list[QueuedRecord]:
        return self._list(DELIVERED, username)

    def deliver(self, client: ServerClient, *, batch_size: int = BATCH_SIZE) -> DeliveryReport:
        """Send the signed-in analyst's queued records, oldest first; never raises link errors.

        Records are attributed by the server to whoever is signed in, so another analyst's
        records wait for that analyst's next sign-in on this desk.
        """
        with self._deliver_lock:
            session = client.session
            if session is None:
                return DeliveryReport(0, (), self.pending_count(), SessionExpired("not signed in"))
            username = session.username
            delivered, rejected, error = 0, [], None
            while True:
                batch = self._oldest(username, batch_size)
                if not batch:
                    break
                try:
                    delivered += self._send(client, batch, rejected)
                except ServerLinkError as exc:
                    error = exc
                    break
            return DeliveryReport(delivered, tuple(rejected), self.pending_count(username), error)

    def prune_delivered(self, older_than: timedelta) -> int:
        """Drop delivered records acknowledged longer ago than ``older_than``; how many."""
        cutoff = datetime.now(UTC) - older_than
        with self._sessions.begin() as session:
            result = session.execute(delete(OutboxRow).where(
                OutboxRow.state == DELIVERED, OutboxRow.delivered_at < cutoff))
        return result.rowcount

    # ----- delivery -----------------------------------------------------------------------

    def _send(self, client: ServerClient, batch: list[QueuedRecord],
              rejected: list[tuple[uuid.UUID, str]]) -> int:
        try:
            receipts = client.send_audit([q.record for q in batch])
        except ServerError as exc:
            if exc.status != 422:
                raise
            if len(batch) == 1:
                self._reject(batch[0], exc)
                rejected.append((batch[0].record.client_id, str(exc)))
                return 0
            # Something in the batch is refused: go one by one so the rest still arrive, in order.
            return sum(self._send(client, [one], rejected) for one in batch)
        by_id = {r.client_id: r for r in receipts}
        if set(by_id) != {q.record.client_id for q in batch}:
            raise ServerError(200, "the server's receipts do not match the records sent")
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            for queued in batch:
                session.execute(
                    update(OutboxRow).where(OutboxRow.position == queued.position)
                    .values(state=DELIVERED, server_seq=by_id[queued.record.client_id].seq,
                            delivered_at=now, error="")
                )
        return len(batch)

    def _reject(self, queued: QueuedRecord, error: ServerError) -> None:
        log.error("audit record %s (%s) refused by the server: %s", queued.record.client_id,
                  queued.record.action, error)
        with self._sessions.begin() as session:
            session.execute(update(OutboxRow).where(OutboxRow.position == queued.position)
                            .values(state=REJECTED, error=str(error)[:2000]))

    def _oldest(self, username: str, limit: int) -> list[QueuedRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(OutboxRow).where(OutboxRow.state == QUEUED, OutboxRow.username == username)
                .order_by(OutboxRow.position).limit(limit))
            return [_queued(row) for row in rows]

    def _list(self, state: str, username: str | None) -> list[QueuedRecord]:
        query = select(OutboxRow).where(OutboxRow.state == state).order_by(OutboxRow.position)
        if username is not None:
            query = query.where(OutboxRow.username == username.strip().lower())
        with self._sessions() as session:
            return [_queued(row) for row in session.scalars(query)]


def _queued(row: OutboxRow) -> QueuedRecord:
    return QueuedRecord(
        position=row.position, username=row.username, state=row.state,
        server_seq=row.server_seq, error=row.error,
        record=DeskAuditRecord(
            client_id=uuid.UUID(row.client_id), occurred_at=row.occurred_at, action=row.action,
            object=row.object, case_ref=row.case_ref, justification=row.justification,
            outcome=row.outcome,
        ),
    )
