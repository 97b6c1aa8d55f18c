"""Work for edge boxes: clips and live views asked by analysts, the long-poll's take, the answers.

A clip is a footage request like any other (channel ``edge``): the box's upload attaches to it
through the same tus path as an owner's, so it becomes evidence the same way and shows in the
desks' request queue. The command carries the request's id; its answers move the request on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server_stub import edge_live, events
from server_stub import edge_words as words
from server_stub.edge_boxes import EdgeRefusal
from server_stub.footage_requests import MAX_WINDOW, OPEN_STATES
from server_stub.models.edge import EdgeBox, EdgeChannel, EdgeCommand, EdgeLiveSession
from server_stub.models.requests import FootageRequest
from server_stub.models.uploads import Upload
from server_stub.services import Services
from server_stub.tokens import new_token

ANSWERS = ("accepted", "refused", "done", "failed")
FINAL = ("refused", "done", "failed", "expired", "cancelled")
#: A command handed out but never answered (the answer to the long-poll was lost) goes again.
REDELIVER_AFTER = timedelta(seconds=60)
#: Live commands are dropped if the box does not pick them up this quickly: nobody waits longer.
LIVE_PICKUP = timedelta(seconds=30)
STOP_PICKUP = timedelta(minutes=5)


def channel_for(session: Session, camera_id: str) -> EdgeChannel:
    """An edge channel an analyst may ask of now, or an ``EdgeRefusal`` saying why not."""
    channel = session.get(EdgeChannel, camera_id)
    if channel is None:
        raise EdgeRefusal(404, "There is no edge channel with this id.")
    if channel.box.revoked_at is not None:
        raise EdgeRefusal(409, edge_live.sentence(channel, words.BOX_REVOKED), words.BOX_REVOKED)
    if channel.camera.status != "active":
        raise EdgeRefusal(409, f"Channel {channel.channel} is no longer recorded by the edge box "
                               f"at {channel.box.name}.")
    return channel


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _object(command: EdgeCommand) -> str:
    text = f"command:{command.id} {command.kind} box:{command.box_id} channel:{command.channel}"
    if command.window_start and command.window_end:
        text += f" window:{stamp(command.window_start)}/{stamp(command.window_end)}"
    if command.request_id:
        text += f" request:{command.request_id}"
    if command.live_session_id:
        text += f" live:{command.live_session_id}"
    return text[:300]


def publish(session: Session, command: EdgeCommand) -> None:
    events.publish(session, "edge.command", command.id, view(command))


def view(command: EdgeCommand) -> dict[str, Any]:
    return {
        "command_id": command.id, "kind": command.kind, "state": command.state,
        "reason_code": command.reason_code, "reason": command.reason, "box_id": command.box_id,
        "channel_id": command.camera_id, "channel": command.channel,
        "request_id": command.request_id, "live_session_id": command.live_session_id,
        "sha256": command.result_sha256,
    }


# ----- asking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipAsk:
    window_start: datetime
    window_end: datetime
    call_ref: str
    case_ref: str
    justification: str
    client_id: str


def _check_window(channel: EdgeChannel, ask: ClipAsk, now: datetime) -> None:
    if not ask.justification.strip():
        raise EdgeRefusal(422, "a justification is required")
    if ask.window_end <= ask.window_start:
        raise EdgeRefusal(422, "the window must end after it starts")
    if ask.window_end - ask.window_start > MAX_WINDOW:
        raise EdgeRefusal(422, f"a window may be at most {MAX_WINDOW} long")
    if ask.window_start > now:
        raise EdgeRefusal(422, "the window has not happened yet")
    days = channel.box.retention_days
    if days and ask.window_end < now - timedelta(days=days):
        raise EdgeRefusal(422, f"The edge box at {channel.box.name} keeps {days} days of "
                               "recordings; this window is older.")


def ask_clip(session: Session, services: Services, channel: EdgeChannel, ask: ClipAsk, *,
             analyst: str, online: bool, now: datetime, source: str) -> tuple[EdgeCommand, bool]:
    """Queue a clip and create the footage request its upload attaches to; idempotent by the
    desk's ``client_id`` (returns the first command and True on a retry)."""
    existing = session.scalars(
        select(EdgeCommand).join(FootageRequest, FootageRequest.id == EdgeCommand.request_id)
        .where(FootageRequest.client_id == ask.client_id)).first()
    if existing is not None:
        return existing, True
    _check_window(channel, ask, now)
    wait = timedelta(hours=services.settings.edge_clip_wait_hours)
    # The request's own link token is never sent anywhere: the box uploads with its credential.
    _, token_hash = new_token()
    note = "" if online else (f"{edge_live.sentence(channel, words.BOX_OFFLINE)} The request "
                              f"waits for it until {words.when(now + wait)}.")
    footage = FootageRequest(
        client_id=ask.client_id, camera_id=channel.camera_id, call_ref=ask.call_ref,
        case_ref=ask.case_ref, analyst=analyst, justification=ask.justification,
        window_start=ask.window_start, window_end=ask.window_end, overwrite_deadline=None,
        status="sent", channel="edge", delivery_error=note, token_hash=token_hash,
        link_expires_at=now + wait, created_at=now, reminders_sent=0,
    )
    session.add(footage)
    session.flush()
    command = EdgeCommand(
        box_id=channel.box_id, camera_id=channel.camera_id, channel=channel.channel, kind="clip",
        state="queued", window_start=ask.window_start, window_end=ask.window_end,
        analyst=analyst, call_ref=ask.call_ref, case_ref=ask.case_ref,
        justification=ask.justification, request_id=footage.id, reason="", reason_code="",
        created_at=now, expires_at=now + wait,
    )
    session.add(command)
    session.flush()
    services.audit(session, actor=f"analyst:{analyst}", action="edge.clip.request",
                   object=_object(command), source=source, case_ref=ask.case_ref,
                   justification=ask.justification)
    events.request_status(session, footage, "request.created")
    publish(session, command)
    return command, False


def ask_live(session: Session, services: Services, channel: EdgeChannel, *, analyst: str,
             call_ref: str, case_ref: str, justification: str, max_seconds: int | None,
             online: bool, now: datetime, source: str) -> tuple[EdgeLiveSession, str]:
    """A live session and the command asking the box for it; an offline box fails it at once
    (audited like any other ask). Returns the session and its viewer key."""
    limit = services.settings.edge_live_max_seconds
    seconds = min(max_seconds or limit, limit)
    live, key = edge_live.create(session, channel, analyst=analyst, call_ref=call_ref,
                                 case_ref=case_ref, justification=justification,
                                 max_seconds=seconds, now=now)
    command = EdgeCommand(
        box_id=channel.box_id, camera_id=channel.camera_id, channel=channel.channel, kind="live",
        state="queued", max_seconds=seconds, analyst=analyst, call_ref=call_ref,
        case_ref=case_ref, justification=justification, live_session_id=live.id, reason="",
        reason_code="", created_at=now, expires_at=now + LIVE_PICKUP,
    )
    session.add(command)
    session.flush()
    services.audit(session, actor=f"analyst:{analyst}", action="edge.live.request",
                   object=_object(command), source=source, case_ref=case_ref,
                   justification=justification, outcome="success" if online else "failure")
    if not online:
        reason = edge_live.sentence(channel, words.BOX_OFFLINE)
        _close(command, "cancelled", words.BOX_OFFLINE, reason, now)
        edge_live.finish(session, services, live, code=words.BOX_OFFLINE, reason=reason,
                         state="failed", actor="system", now=now)
    publish(session, command)
    return live, key


def end_live(session: Session, services: Services, live: EdgeLiveSession, *, analyst: str,
             now: datetime, source: str) -> bool:
    """The analyst closes a live view: the box is told to stop if it already has the command."""
    ended = edge_live.finish(session, services, live, code=words.ENDED_BY_ANALYST,
                             reason=words.sentence(words.ENDED_BY_ANALYST, box="", channel=0),
                             actor=f"analyst:{analyst}", now=now, source=source)
    for command in session.scalars(select(EdgeCommand).where(
            EdgeCommand.live_session_id == live.id, EdgeCommand.kind == "live")):
        if command.state == "queued":
            _close(command, "cancelled", words.ENDED_BY_ANALYST, "", now)
            publish(session, command)
        elif command.state in ("sent", "accepted"):
            session.add(EdgeCommand(
                box_id=command.box_id, camera_id=command.camera_id, channel=command.channel,
                kind="stop", state="queued", analyst=analyst, call_ref=command.call_ref,
                case_ref=command.case_ref, justification=command.justification,
                live_session_id=live.id, reason="", reason_code="", created_at=now,
                expires_at=now + STOP_PICKUP))
    return ended


def _close(command: EdgeCommand, state: str, code: str, reason: str, now: datetime) -> None:
    command.state, command.reason_code, command.reason = state, code, reason
    command.answered_at = command.answered_at or now


# ----- the box's long-poll -----------------------------------------------------------------


def take(session: Session, services: Services, box: EdgeBox, *, now: datetime) -> list[EdgeCommand]:
    """Commands to hand to the box now (marked sent); expired ones are closed instead."""
    due = session.scalars(
        select(EdgeCommand).where(
            EdgeCommand.box_id == box.id,
            or_(EdgeCommand.state == "queued",
                (EdgeCommand.state == "sent") & (EdgeCommand.delivered_at < now - REDELIVER_AFTER)))
        # Two polls of one box (a reconnect overlapping the old one) never take the same
        # command (PostgreSQL row locks; SQLite has a single writer anyway).
        .order_by(EdgeCommand.created_at).with_for_update(skip_locked=True)).all()
    handed = []
    for command in due:
        if command.expires_at <= now:
            _expire(session, services, command, now)
            continue
        command.state, command.delivered_at = "sent", now
        if command.kind == "clip":
            footage = session.get(FootageRequest, command.request_id)
            if footage is not None and footage.delivery_error:
                footage.delivery_error = ""  # the offline note: the box has it now
                events.request_status(session, footage)
        publish(session, command)
        handed.append(command)
    return handed


def _expire(session: Session, services: Services, command: EdgeCommand, now: datetime) -> None:
    channel = session.get(EdgeChannel, command.camera_id)
    reason = edge_live.sentence(channel, words.EXPIRED if command.kind == "clip" else words.NO_ANSWER)
    _close(command, "expired", words.EXPIRED, reason, now)
    if command.kind == "clip":
        footage = session.get(FootageRequest, command.request_id)
        if footage is not None and footage.status in OPEN_STATES:
            footage.status, footage.delivery_error = "expired", reason
            events.request_status(session, footage)
    if command.kind == "live":
        live = session.get(EdgeLiveSession, command.live_session_id)
        edge_live.finish(session, services, live, code=words.NO_ANSWER, reason=reason,
                         state="failed", actor="system", now=now)
    services.audit(session, actor="system", action="edge.command.expire", object=_object(command),
                   outcome="failure", case_ref=command.case_ref)
    publish(session, command)


def payload(command: EdgeCommand, base_url: str) -> dict[str, Any]:
    """A command as the box reads it (the protocol in docs/edge-server.md)."""
    data: dict[str, Any] = {
        "id": command.id, "kind": command.kind, "channel": command.channel,
        "call_ref": command.call_ref, "analyst": command.analyst,
        "justification": command.justification,
    }
    if command.kind == "clip":
        data.update({
            "start": command.window_start.isoformat(), "end": command.window_end.isoformat(),
            "upload": {"tus_endpoint": f"{base_url}/api/edge/uploads/{command.id}",
                       "metadata": {"command_id": command.id, "request_id": command.request_id,
                                    "channel": str(command.channel),
                                    "camera_id": command.camera_id,
                                    "filetype": "video/mp2t"}},
        })
    elif command.kind == "live":
        data.update({"max_seconds": command.max_seconds, "session_id": command.live_session_id,
                     "ingest_url": f"{base_url}/api/edge/live/{command.live_session_id}/ingest"})
    else:
        data["session_id"] = command.live_session_id
    return data


# ----- the box's answers -------------------------------------------------------------------


def command_of(session: Session, box: EdgeBox, command_id: str) -> EdgeCommand:
    command = session.get(EdgeCommand, command_id)
    if command is None or command.box_id != box.id:
        raise EdgeRefusal(404, "no such command for this box")
    return command


def answer(session: Session, services: Services, box: EdgeBox, command: EdgeCommand, *,
           state: str, reason: str, sha256: str | None, size: int | None, now: datetime,
           source: str) -> None:
    """Record the box's answer and move the request or live session on; audited."""
    if command.state in FINAL:
        if command.state == state or (command.state == "cancelled" and state in ("accepted", "done")):
            return  # a repeated answer, or one to a command the analyst already withdrew
        raise EdgeRefusal(409, f"this command is already {command.state}")
    if command.state == "accepted" and state == "accepted":
        return
    channel = session.get(EdgeChannel, command.camera_id)
    command.state, command.reason = state, reason[:2000]
    command.answered_at = command.answered_at or now
    if state == "refused":
        command.reason_code = words.refusal_code(reason)
    elif state == "failed":
        command.reason_code = words.FAILED
    if sha256:
        command.result_sha256 = sha256.lower()
    if size is not None:
        command.result_bytes = size
    if command.kind == "clip":
        _clip_answered(session, command, channel, now)
    elif command.kind == "live":
        _live_answered(session, services, box, command, channel, now, source)
    services.audit(session, actor=f"edge:{box.id}", action=f"edge.command.{command.state}",
                   object=_object(command) + (f" reason:{reason[:80]}" if reason else ""),
                   outcome="failure" if command.state in ("refused", "failed") else "success",
                   source=source, case_ref=command.case_ref, justification=command.justification)
    publish(session, command)


def _clip_answered(session: Session, command: EdgeCommand, channel: EdgeChannel,
                   now: datetime) -> None:
    footage = session.get(FootageRequest, command.request_id)
    if command.state == "accepted":
        if footage.status == "sent":
            footage.status, footage.opened_at = "opened", now
        # The upload may take as long again as the request waited: it resumes until then.
        footage.link_expires_at = max(footage.link_expires_at,
                                      now + (command.expires_at - command.created_at))
    elif command.state in ("refused", "failed"):
        # The analyst's sentence; the box's own words stay in the audit record.
        command.reason = edge_live.sentence(channel, command.reason_code, detail=command.reason)
        if footage.status in OPEN_STATES:
            footage.status = "declined" if command.state == "refused" else "no_relevant_footage"
            footage.answered_at = now
        footage.delivery_error = command.reason
    elif command.state == "done":
        received = _received(session, command)
        if not received:
            _hash_mismatch(session, command, channel, "no complete file was received")
        else:
            check_hash(session, command, channel)
    events.request_status(session, footage)


def _received(session: Session, command: EdgeCommand) -> set[str]:
    return set(session.scalars(select(Upload.sha256).where(
        Upload.request_id == command.request_id, Upload.state == "complete")))


def check_hash(session: Session, command: EdgeCommand, channel: EdgeChannel) -> bool:
    """What the box declared (tus metadata) and reported (its answer) must be the hash of a file
    received; if not, the command fails. The evidence keeps the hash the server computed."""
    received = _received(session, command)
    claimed = {h for h in (command.declared_sha256, command.result_sha256) if h}
    if not received or not claimed or (len(claimed) == 1 and claimed <= received):
        return True
    _hash_mismatch(session, command, channel,
                   f"declared {', '.join(sorted(claimed))}; received {', '.join(sorted(received))}")
    return False


def _hash_mismatch(session: Session, command: EdgeCommand, channel: EdgeChannel, detail: str) -> None:
    command.state, command.reason_code = "failed", words.HASH_MISMATCH
    command.reason = edge_live.sentence(channel, words.HASH_MISMATCH, detail=detail)
    footage = session.get(FootageRequest, command.request_id)
    footage.delivery_error = command.reason


def _live_answered(session: Session, services: Services, box: EdgeBox, command: EdgeCommand,
                   channel: EdgeChannel, now: datetime, source: str) -> None:
    live = session.get(EdgeLiveSession, command.live_session_id)
    if command.state in ("refused", "failed"):
        code = command.reason_code
        edge_live.finish(session, services, live, code=code, state=command.state,
                         reason=edge_live.sentence(channel, code, detail=command.reason),
                         actor=f"edge:{box.id}", now=now, source=source)
    elif command.state == "done" and live.state == "waiting":
        edge_live.finish(session, services, live, code=words.BOX_STOPPED, actor=f"edge:{box.id}",
                         reason=edge_live.sentence(channel, words.BOX_STOPPED), now=now,
                         source=source)
