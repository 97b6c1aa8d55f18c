"""Desk events: queued with a change, written in its commit, streamed to desks as server-sent events."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import anyio
from sqlalchemy import event as orm_event
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from starlette.concurrency import run_in_threadpool

from server_stub.models.events import Event, EventHead

if TYPE_CHECKING:
    from server_stub.models.registry import CameraRegistration
    from server_stub.models.requests import FootageRequest
    from server_stub.models.uploads import Upload

#: How often a stream looks for new rows; polling the table works across processes and databases.
POLL_S = 0.5
#: A comment this often keeps proxies from closing a quiet stream.
HEARTBEAT_S = 15.0
#: Rows read per query while replaying a backlog.
BATCH = 500
#: What a client waits before reconnecting after the stream ends (SSE ``retry:`` field, ms).
RETRY_MS = 3000

#: Why a ``ready`` event asks the desk to reload from the REST API (its ``reason``).
RESYNC_NO_CURSOR, RESYNC_UNKNOWN, RESYNC_PRUNED = "no_cursor", "unknown_cursor", "pruned"

_PENDING = "rtcc_pending_events"
Build = Callable[[], tuple[str, str, dict[str, Any]]]


def publish(session: Session, kind: str, object_id: str, data: dict[str, Any]) -> None:
    """Queue an event on the session; it is written in the session's next commit, or never.

    Writing waits for the commit (see ``_write_pending``) so the lock that orders events is the
    last one a transaction takes and is held only for the commit itself.
    """
    _queue(session, lambda: (kind, object_id, dict(data)))


def _queue(session: Session, build: Build) -> None:
    session.info.setdefault(_PENDING, []).append(build)


def request_status(session: Session, footage: FootageRequest, kind: str = "request.status") -> None:
    """A footage request's state as the desk's queue shows it (created, status, reminder)."""
    publish(session, kind, footage.id, {
        "request_id": footage.id, "client_id": footage.client_id, "camera_id": footage.camera_id,
        "status": footage.status, "delivery_error": footage.delivery_error,
        "reminders_sent": footage.reminders_sent or 0,
    })


def upload(session: Session, kind: str, item: Upload) -> None:
    """An upload's state: created, complete (with its classification), terminated, expired."""
    if kind != "upload.created":
        progress_throttle.forget(item.id)
    publish(session, kind, item.id, _upload_data(item, item.offset))


def upload_progress(session: Session, item: Upload, offset: int) -> None:
    """Progress of an upload now at ``offset``, when the throttle lets it through.

    The last chunk publishes nothing: "upload.complete" follows it.
    """
    if offset < item.length and progress_throttle.due(item.id, offset, item.length):
        publish(session, "upload.progress", item.id, _upload_data(item, offset))


def _upload_data(item: Upload, offset: int) -> dict[str, Any]:
    return {
        "upload_id": item.id, "request_id": item.request_id, "state": item.state,
        "offset": offset, "length": item.length, "percent": _percent(offset, item.length),
        "classification": item.classification, "filename": item.filename,
    }


def _percent(offset: int, length: int) -> int:
    return offset * 100 // length if length else 0


def camera_changed(session: Session, camera: CameraRegistration) -> None:
    """A registration took a new sync version; read at commit, once its id and fields are final."""
    _queue(session, lambda: ("registry.change", camera.id, {
        "camera_id": camera.id, "sync_version": camera.sync_version, "status": camera.status,
    }))


class ProgressThrottle:
    """Lets a progress event through when the whole percentage moved and either a ``step``
    boundary was crossed or ``interval_s`` passed: at most 100 rows per upload, whatever its size.

    State is per process: after a restart, or on another worker, one extra event may pass.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, step: int = 5,
                 interval_s: float = 2.0, max_tracked: int = 10_000) -> None:
        self.clock, self.step, self.interval_s, self.max_tracked = clock, step, interval_s, max_tracked
        self._last: dict[str, tuple[int, float]] = {}  # upload id → (percent, clock) last published
        self._lock = threading.Lock()

    def due(self, upload_id: str, offset: int, length: int) -> bool:
        percent, now = _percent(offset, length), self.clock()
        with self._lock:
            last_percent, last_at = self._last.get(upload_id, (0, float("-inf")))
            crossed = percent // self.step > last_percent // self.step
            if percent <= last_percent or not (crossed or now - last_at >= self.interval_s):
                return False
            if len(self._last) >= self.max_tracked:  # abandoned uploads never say goodbye
                self._last.clear()
            self._last[upload_id] = (percent, now)
            return True

    def forget(self, upload_id: str) -> None:
        with self._lock:
            self._last.pop(upload_id, None)


progress_throttle = ProgressThrottle()


@orm_event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    builds = session.info.pop(_PENDING, None)
    if not builds:
        return
    # Flush the change first, so its row locks are taken before the event head's, never after.
    session.flush()
    # Locks the head row until commit (PostgreSQL row lock; SQLite's single writer): ids are
    # handed out in commit order with no gaps, so a reader past id N never misses a smaller id.
    session.execute(update(EventHead).where(EventHead.id == 1).values(seq=EventHead.seq + len(builds)))
    last = session.scalar(select(EventHead.seq).where(EventHead.id == 1))
    if last is None:  # a schema built without the migrations' seed row
        session.add(EventHead(id=1, seq=len(builds)))
        last = len(builds)
    at = datetime.now(UTC)
    for number, build in enumerate(builds, start=last - len(builds) + 1):
        kind, object_id, data = build()
        session.add(Event(id=number, at=at, kind=kind, object_id=str(object_id or "")[:64], data=data))


@orm_event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    # A rollback (or a close without commit) ends the transaction: its events never happened.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)


def sse(event_id: int, kind: str, data: dict[str, Any]) -> str:
    """One server-sent event; the JSON is a single line, so one ``data:`` field carries it."""
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def start_cursor(session: Session, after: int | None) -> tuple[int, str]:
    """Where replay starts, and why the client must reload its state from the REST API ('' if
    it need not): no cursor, one from another database (past the newest id), or one whose next
    events were pruned (older than the oldest kept event).
    """
    newest = session.scalar(select(EventHead.seq).where(EventHead.id == 1)) or 0
    oldest = session.scalar(select(func.min(Event.id)))
    first_kept = newest + 1 if oldest is None else oldest  # everything pruned: the next one
    if after is None:
        return newest, RESYNC_NO_CURSOR
    if after > newest:
        return newest, RESYNC_UNKNOWN
    if after < first_kept - 1:
        return newest, RESYNC_PRUNED
    return after, ""


def ready(cursor: int, resync: str) -> str:
    """The event that opens a stream, or says mid-stream that events were missed."""
    data: dict[str, Any] = {"cursor": cursor, "resync": bool(resync)}
    if resync:
        data["reason"] = resync
    return sse(cursor, "ready", data)


def prune(session: Session, before: datetime) -> int:
    """Delete the events older than ``before`` (housekeeping); returns how many.

    Always a run from the oldest id up, so the kept ids stay gapless and a gap seen by a reader
    can only mean "pruned": see ``stream``.
    """
    last = session.scalar(select(func.max(Event.id)).where(Event.at < before))
    if last is None:
        return 0
    return session.execute(delete(Event).where(Event.id <= last)).rowcount


def read_after(session: Session, after: int, limit: int = BATCH) -> list[tuple[int, str]]:
    rows = session.scalars(select(Event).where(Event.id > after).order_by(Event.id).limit(limit))
    return [(row.id, sse(row.id, row.kind, {
        "id": row.id, "at": row.at.isoformat(), "kind": row.kind, "object_id": row.object_id,
        "data": row.data,
    })) for row in rows]


def _in_session(sessions: sessionmaker[Session], work: Callable[[Session], Any]) -> Any:
    # A fresh short session per poll: no read transaction stays open between polls.
    with sessions() as session:
        return work(session)


async def stream(
    sessions: sessionmaker[Session], after: int | None, *,
    is_disconnected: Callable[[], Awaitable[bool]], until_idle: bool = False,
    ends_at: datetime | None = None, poll_s: float = POLL_S, heartbeat_s: float = HEARTBEAT_S,
) -> AsyncIterator[str]:
    """A "ready" event carrying the start cursor, the replay, then new events as they commit
    (and another "ready" asking for a resync if events were pruned under a slow reader).

    Ends when the client goes, at ``ends_at`` (the token's expiry: the desk reconnects with a
    fresh token and its last id), or, with ``until_idle``, once nothing more is waiting.
    """
    cursor, resync = await run_in_threadpool(_in_session, sessions, lambda s: start_cursor(s, after))
    yield f"retry: {RETRY_MS}\n" + ready(cursor, resync)
    quiet_since = time.monotonic()
    while True:
        rows = await run_in_threadpool(_in_session, sessions, lambda s: read_after(s, cursor))
        if rows and rows[0][0] != cursor + 1:
            # Pruned between two reads (a reader days behind): what is gone cannot be replayed.
            yield ready(rows[0][0] - 1, RESYNC_PRUNED)
        for cursor, text in rows:
            yield text
        if rows:
            quiet_since = time.monotonic()
        if len(rows) == BATCH:
            continue  # more backlog waiting: no pause
        if until_idle or await is_disconnected():
            return
        if ends_at is not None and datetime.now(UTC) >= ends_at:
            return
        if time.monotonic() - quiet_since >= heartbeat_s:
            yield ": keepalive\n\n"
            quiet_since = time.monotonic()
        await anyio.sleep(poll_s)
