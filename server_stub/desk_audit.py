"""Audit records reported by desks: appended to the hash chain once per desk-made id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server_stub import audit
from server_stub.models.audit import AuditHead
from server_stub.models.desk_audit import DeskAuditReceipt
from server_stub.services import Services

#: What a desk may report, and what each means. Only actions that touch evidence or private
#: data; the server audits its own endpoints itself (request.create, registry.owner_contact…).
DESK_ACTIONS: dict[str, str] = {
    "camera.owner_details": "showed a registered camera's owner details",
    "map.search_point": "searched for cameras around a point on the map",
    "call.search": "searched for cameras around a call",
    "video.view": "watched a camera live",
    "wall.maximise": "maximised a camera on a video wall (its main stream)",
    "video.playback": "played back recorded video",
    "video.snapshot": "saved a still image from video",
    "video.export": "exported a video clip",
    "request.create": "asked owners for footage",
    "request.cancel": "cancelled a footage request",
    "upload.view": "viewed footage an owner uploaded",
    "upload.download": "downloaded footage an owner uploaded",
    "upload.review": "reviewed an upload",
    "share.create": "shared footage with an officer",
    "share.revoke": "revoked an officer's share",
    "package.export": "exported a case's evidence package",
}
#: Stored actions carry this prefix: what a desk says it did stays apart from what the
#: server saw happen (a request the desk created is audited by the server as well).
ACTION_PREFIX = "desk."
#: Appends are retried this often when a concurrent writer wins a race (see ``append_batch``).
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class DeskRecord:
    """One action as the desk recorded it (validated by the route)."""

    client_id: str  # canonical lower-case UUID
    occurred_at: datetime
    action: str  # a key of DESK_ACTIONS
    object: str
    case_ref: str = ""
    justification: str = ""
    outcome: str = "success"


@dataclass(frozen=True, slots=True)
class Receipt:
    client_id: str
    seq: int
    duplicate: bool  # True: this id was appended before; nothing was appended now


class ClientIdTaken(Exception):
    """A client id already belongs to a record another account sent."""


def append_batch(
    session_factory, services: Services, *, username: str, records: list[DeskRecord], source: str,
) -> list[Receipt]:
    """Append ``records`` in order, each once ever; commit; one receipt per record.

    The audit head is locked (written) before receipts are looked up, so two deliveries of
    the same batch run one after the other and the second finds the first one's receipts. The
    receipts' primary key is the last word: should a race still slip through, the insert fails,
    everything rolls back, and the batch is tried again.
    """
    for attempt in range(ATTEMPTS):
        with session_factory() as session:
            try:
                receipts, appended = _append(session, username, records, source)
                session.commit()
            except IntegrityError:
                session.rollback()
                if attempt == ATTEMPTS - 1:
                    raise
                continue
        # Checkpoints only for committed records: a rolled-back attempt must leave no trace.
        for seq, digest in appended:
            services.checkpointer.maybe_write(seq, digest)
        return receipts
    raise AssertionError("unreachable")


def _append(
    session: Session, username: str, records: list[DeskRecord], source: str
) -> tuple[list[Receipt], list[tuple[int, str]]]:
    # A no-op write: PostgreSQL row lock / SQLite's write lock, held until commit.
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    wanted = [r.client_id for r in records]
    known = {
        r.client_id: r
        for r in session.scalars(select(DeskAuditReceipt).where(DeskAuditReceipt.client_id.in_(wanted)))
    }
    if any(receipt.username != username for receipt in known.values()):
        raise ClientIdTaken("a record id in this batch was already sent by another account")
    now = datetime.now(UTC)
    receipts: list[Receipt] = []
    appended: list[tuple[int, str]] = []
    for record in records:
        if record.client_id in known:
            receipts.append(Receipt(record.client_id, known[record.client_id].audit_seq, True))
            continue
        row = audit.record(
            session, actor=f"analyst:{username}", action=ACTION_PREFIX + record.action,
            object=record.object, outcome=record.outcome, source=source, case_ref=record.case_ref,
            justification=record.justification, at=record.occurred_at,
        )
        session.add(DeskAuditReceipt(client_id=record.client_id, audit_seq=row.seq, username=username,
                                     occurred_at=row.at, received_at=now))
        session.flush()
        receipts.append(Receipt(record.client_id, row.seq, False))
        appended.append((row.seq, row.hash))
    return receipts, appended
