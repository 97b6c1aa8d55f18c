"""Live sessions from edge boxes: waiting → streaming → ended, each step audited once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from server_stub import edge_words as words
from server_stub import events
from server_stub.models.edge import EdgeChannel, EdgeLiveSession
from server_stub.services import Services
from server_stub.tokens import new_token

OPEN = ("waiting", "streaming")
#: A session whose box has sent no byte by then has failed (the box is slow, stuck or gone).
START_WAIT = timedelta(seconds=45)
#: A streaming session is taken as ended this long past its limit even if nobody closed it
#: (the server restarted under it): the relay lived in that process.
LIMIT_GRACE = timedelta(seconds=30)


def create(session: Session, channel: EdgeChannel, *, analyst: str, call_ref: str,
           case_ref: str, justification: str, max_seconds: int,
           now: datetime) -> tuple[EdgeLiveSession, str]:
    """A waiting session and its viewer key (shown once, in the stream URL)."""
    key, key_hash = new_token()
    live = EdgeLiveSession(
        box_id=channel.box_id, camera_id=channel.camera_id, channel=channel.channel,
        analyst=analyst, call_ref=call_ref, case_ref=case_ref, justification=justification,
        viewer_key_hash=key_hash, state="waiting", max_seconds=max_seconds, created_at=now,
        end_code="", end_reason="", bytes_relayed=0,
    )
    session.add(live)
    session.flush()
    return live, key


def sentence(channel: EdgeChannel, code: str, detail: str = "", seconds: int | None = None) -> str:
    return words.sentence(code, box=channel.box.name, channel=channel.channel, detail=detail,
                          last_seen=channel.box.last_seen, seconds=seconds)


def begin(session: Session, services: Services, live: EdgeLiveSession, *, now: datetime,
          source: str) -> bool:
    """The box's first byte: waiting → streaming (audited once; a reconnect changes nothing)."""
    moved = session.execute(
        update(EdgeLiveSession)
        .where(EdgeLiveSession.id == live.id, EdgeLiveSession.state == "waiting")
        .values(state="streaming", started_at=now)
    ).rowcount == 1
    session.refresh(live)
    if moved:
        services.audit(session, actor=f"edge:{live.box_id}", action="edge.live.start",
                       object=_object(live), source=source, case_ref=live.case_ref,
                       justification=live.justification)
        _publish(session, live)
    return moved


def finish(session: Session, services: Services, live: EdgeLiveSession, *, code: str,
           reason: str, actor: str, now: datetime, source: str = "", state: str = "ended",
           relayed: int = 0) -> bool:
    """End an open session (ended, refused or failed); only the first caller records it."""
    moved = session.execute(
        update(EdgeLiveSession)
        .where(EdgeLiveSession.id == live.id, EdgeLiveSession.state.in_(OPEN))
        .values(state=state, ended_at=now, end_code=code, end_reason=reason,
                bytes_relayed=EdgeLiveSession.bytes_relayed + relayed)
    ).rowcount == 1
    if not moved and relayed:
        session.execute(update(EdgeLiveSession).where(EdgeLiveSession.id == live.id)
                        .values(bytes_relayed=EdgeLiveSession.bytes_relayed + relayed))
    session.refresh(live)
    if moved:
        seconds = (now - live.started_at).total_seconds() if live.started_at else 0.0
        services.audit(session, actor=actor, action="edge.live.end",
                       object=f"{_object(live)} {state}:{code} seconds:{seconds:.0f}",
                       outcome="success" if state == "ended" else "failure", source=source,
                       case_ref=live.case_ref, justification=live.justification)
        _publish(session, live)
    return moved


def settle_stale(session: Session, services: Services, live: EdgeLiveSession, channel: EdgeChannel,
                 now: datetime) -> bool:
    """Close a session nobody can close any more: never started, or long past its limit."""
    if live.state == "waiting" and now - live.created_at > START_WAIT:
        return finish(session, services, live, code=words.NO_ANSWER, state="failed",
                      reason=sentence(channel, words.NO_ANSWER), actor="system", now=now)
    limit = timedelta(seconds=live.max_seconds) + LIMIT_GRACE
    if live.state == "streaming" and live.started_at and now - live.started_at > limit:
        return finish(session, services, live, code=words.LIMIT_REACHED, actor="system", now=now,
                      reason=sentence(channel, words.LIMIT_REACHED, seconds=live.max_seconds))
    return False


def view(live: EdgeLiveSession) -> dict[str, Any]:
    """The session as desks see it (``reason_code`` tells them what to say or do)."""
    return {
        "session_id": live.id, "channel_id": live.camera_id, "box_id": live.box_id,
        "channel": live.channel, "state": live.state, "reason_code": live.end_code,
        "reason": live.end_reason, "max_seconds": live.max_seconds, "analyst": live.analyst,
        "call_ref": live.call_ref, "created_at": live.created_at, "started_at": live.started_at,
        "ended_at": live.ended_at, "bytes_relayed": live.bytes_relayed,
    }


def _object(live: EdgeLiveSession) -> str:
    return f"live:{live.id} box:{live.box_id} channel:{live.channel} camera:{live.camera_id}"


def _publish(session: Session, live: EdgeLiveSession) -> None:
    data = view(live)
    for key in ("created_at", "started_at", "ended_at"):
        data[key] = data[key].isoformat() if data[key] else None
    events.publish(session, "edge.live", live.id, data)
