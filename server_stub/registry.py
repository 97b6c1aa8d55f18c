"""Registry changes: every change to a registration takes the next sync version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server_stub.models.registry import SyncCounter


def next_sync_version(session: Session) -> int:
    """The next number of the registry's change counter (locks the counter row until commit)."""
    counter = session.scalars(select(SyncCounter).where(SyncCounter.id == 1).with_for_update()).first()
    if counter is None:
        counter = SyncCounter(id=1, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return counter.value
