"""Appending to the audit trail, checkpointing its head, and verifying the whole chain."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rtcc_desk.core.audit_chain import (
    GENESIS_HASH,
    AuditEntry,
    ChainBreak,
    format_time,
    verify_chain,
)
from server_stub.models.audit import AuditHead, AuditRecord

# Appends from this process are serialised here; across processes the head row's lock
# (SELECT … FOR UPDATE on PostgreSQL, the single writer on SQLite) does the same.
_APPEND_LOCK = threading.Lock()


@dataclass(frozen=True)
class Checkpointer:
    """Writes the chain's head to a separate file now and then, so truncation shows."""

    path: Path
    every: int = 50

    def maybe_write(self, seq: int, digest: str) -> None:
        if seq % self.every == 0:
            self.write(seq, digest)

    def write(self, seq: int, digest: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = f"{seq} {digest} {format_time(datetime.now(UTC))}\n"
        with open(self.path, "a", encoding="ascii") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> list[tuple[int, str]]:
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text(encoding="ascii").splitlines():
            seq, digest, *_ = line.split()
            entries.append((int(seq), digest))
        return entries


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object: str,
    outcome: str = "success",
    source: str = "",
    case_ref: str = "",
    justification: str = "",
    checkpointer: Checkpointer | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append one record in the caller's transaction (it commits with the action it audits)."""
    if outcome not in ("success", "failure"):
        raise ValueError(f"outcome must be success or failure, not {outcome!r}")
    with _APPEND_LOCK:
        head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
        if head is None:
            head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
            session.add(head)
        # Milliseconds only: that is what the chain hashes, so that is what is stored.
        when = (at or datetime.now(UTC)).astimezone(UTC)
        when = when.replace(microsecond=when.microsecond // 1000 * 1000)
        entry = AuditEntry(
            seq=head.seq + 1, at=when, actor=actor[:200], action=action[:80],
            object=object[:300], outcome=outcome, source=source[:100], case_ref=case_ref[:120],
            justification=justification, prev_hash=head.hash,
        )
        digest = entry.digest()
        row = AuditRecord(
            seq=entry.seq, at=entry.at, actor=entry.actor, action=entry.action,
            object=entry.object, outcome=entry.outcome, source=entry.source,
            case_ref=entry.case_ref, justification=entry.justification,
            prev_hash=entry.prev_hash, hash=digest,
        )
        session.add(row)
        head.seq, head.hash = entry.seq, digest
        session.flush()
    if checkpointer is not None:
        checkpointer.maybe_write(entry.seq, digest)
    return row


def entry_of(row: AuditRecord) -> AuditEntry:
    return AuditEntry(
        seq=row.seq, at=row.at, actor=row.actor, action=row.action, object=row.object,
        outcome=row.outcome, source=row.source, case_ref=row.case_ref,
        justification=row.justification, prev_hash=row.prev_hash,
    )


def verify(session: Session, checkpointer: Checkpointer | None = None) -> ChainBreak | None:
    """Recompute the chain from the database; check it still reaches every checkpoint."""
    rows = session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).yield_per(5000)
    stored: dict[int, str] = {}

    def pairs():
        for row in rows:
            stored[row.seq] = row.hash
            yield entry_of(row), row.hash

    broken = verify_chain(pairs())
    if broken is not None:
        return broken
    for seq, digest in checkpointer.read() if checkpointer else []:
        if seq not in stored:
            return ChainBreak(seq, "checkpointed, but missing from the database (truncated)")
        if stored[seq] != digest:
            return ChainBreak(seq, "its hash differs from the checkpoint file")
    return None
