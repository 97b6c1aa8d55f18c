"""The audit trail's hash chain: how a record is hashed, and finding the first broken link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

#: The previous hash of the very first record.
GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited action: who did what to which object, when, from where, and how it ended."""

    seq: int
    at: datetime
    actor: str
    action: str
    object: str
    outcome: str  # "success" or "failure"
    source: str = ""
    case_ref: str = ""
    justification: str = ""
    prev_hash: str = GENESIS_HASH

    def canonical(self) -> bytes:
        """The exact bytes that are hashed: sorted-key JSON, time in UTC to the millisecond."""
        data = asdict(self)
        data["at"] = format_time(self.at)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def format_time(at: datetime) -> str:
    """UTC, ISO 8601, milliseconds: the one spelling of a time inside the chain."""
    if at.tzinfo is None:
        raise ValueError("audit times must carry a time zone")
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where the chain stops being trustworthy, and why."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"record {self.seq}: {self.reason}"


def verify_chain(records: Iterable[tuple[AuditEntry, str]]) -> ChainBreak | None:
    """Recompute the chain over (entry, stored hash) pairs in sequence order.

    Returns the first broken record, or None when every link holds. A record is broken when
    its sequence skips or repeats, when it does not point at the previous record's hash, or
    when its stored hash is not the hash of its own contents.
    """
    expected_prev, expected_seq = GENESIS_HASH, 1
    for entry, stored_hash in records:
        if entry.seq != expected_seq:
            return ChainBreak(expected_seq, f"missing: the next record is number {entry.seq}")
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.seq, "does not link to the record before it")
        if entry.digest() != stored_hash:
            return ChainBreak(entry.seq, "its contents do not match its hash (altered)")
        expected_prev, expected_seq = stored_hash, entry.seq + 1
    return None
