"""Edge recorders for desks and administrators: enrollment codes, boxes, channels with their
health, asking a box for a clip, and live views relayed to the desk as HTTP MPEG-TS.
The box's own side of the link is in routes/edge_box.py (included here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from server_stub import auth, edge_boxes, edge_commands, edge_live
from server_stub.auth import AnalystUser, DeskUser, require_role
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.edge_boxes import EdgeRefusal
from server_stub.edge_hub import EdgeHub, hub_of
from server_stub.models.edge import EdgeBox, EdgeChannel, EdgeCommand, EdgeLiveSession
from server_stub.models.types import new_id
from server_stub.models.users import User
from server_stub.routes import edge_box
from server_stub.services import Services
from server_stub.tokens import hash_token

router = APIRouter()
router.include_router(edge_box.router)
desk = APIRouter(prefix="/api/edge", tags=["edge recorders"])

AdminUser = Annotated[User, Depends(require_role("admin"))]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(auth.bearer)]


def now() -> datetime:
    return datetime.now(UTC)


def refused(exc: EdgeRefusal) -> HTTPException:
    return HTTPException(exc.status, detail=exc.detail)


# ----- administrators: codes and boxes -----------------------------------------------------


class CodeIn(BaseModel):
    business_name: str = Field("", max_length=120, description="Becomes the box owner's name")
    address: str = Field("", max_length=300)


@desk.post("/enrollment-codes", status_code=201)
def issue_code(admin: AdminUser, session: SessionDep, services: ServicesDep, source: SourceDep,
               body: CodeIn | None = None) -> dict:
    """A one-time code for a business to enroll its box; shown once, stored as a hash."""
    body = body or CodeIn()
    code, row = edge_boxes.issue_code(session, services, admin=admin.username,
                                      business_name=body.business_name, address=body.address,
                                      now=now(), source=source)
    session.commit()
    return {"code": code, "expires_at": row.expires_at, "business_name": row.business_name}


def box_view(box: EdgeBox, at: datetime, hub: EdgeHub) -> dict[str, Any]:
    health = box.health or {}
    return {
        "box_id": box.id, "name": box.name, "enrolled_at": box.enrolled_at,
        "last_seen": box.last_seen, "online": edge_boxes.is_online(box, at, hub.waiting(box.id)),
        "paused": box.paused, "retention_days": box.retention_days,
        "disk": health.get("disk"), "reported_at": health.get("reported_at"),
        "revoked_at": box.revoked_at,
    }


@desk.get("/boxes")
def boxes(user: DeskUser, session: SessionDep, services: ServicesDep) -> list[dict]:
    hub, at = hub_of(services), now()
    return [box_view(b, at, hub) for b in session.scalars(select(EdgeBox).order_by(EdgeBox.name))]


@desk.post("/boxes/{box_id}/revoke")
def revoke(box_id: str, admin: AdminUser, session: SessionDep, services: ServicesDep,
           source: SourceDep) -> dict:
    box = session.get(EdgeBox, box_id)
    if box is None:
        raise HTTPException(404, detail="no such edge box")
    if box.revoked_at is None:
        edge_boxes.revoke(session, services, box, admin=admin.username, now=now(), source=source)
        session.commit()
    return box_view(box, now(), hub_of(services))


# ----- desks: channels and clips ------------------------------------------------------------


def channel_view(channel: EdgeChannel, at: datetime, hub: EdgeHub) -> dict[str, Any]:
    camera, box = channel.camera, channel.box
    health = next((c for c in (box.health or {}).get("channels", [])
                   if c.get("channel") == channel.channel), {})
    return {
        "id": camera.id, "box_id": box.id, "box_name": box.name, "channel": channel.channel,
        "label": camera.label, "lat": camera.lat, "lon": camera.lon, "bearing": camera.bearing,
        "fov": camera.fov, "range_m": camera.range_m, "retention_days": box.retention_days,
        "state": health.get("state", "unknown"), "error": health.get("error", ""),
        "oldest": health.get("oldest"), "newest": health.get("newest"),
        "box": box_view(box, at, hub),
    }


@desk.get("/channels")
def channels(user: DeskUser, session: SessionDep, services: ServicesDep) -> list[dict]:
    """Every recorded channel of every enrolled box, with the box's health (desk roles)."""
    hub, at = hub_of(services), now()
    rows = session.scalars(select(EdgeChannel).join(EdgeBox).where(EdgeBox.revoked_at.is_(None))
                           .order_by(EdgeBox.name, EdgeChannel.channel))
    return [channel_view(c, at, hub) for c in rows if c.camera.status == "active"]


class ClipIn(BaseModel):
    start: AwareDatetime
    end: AwareDatetime
    justification: str = Field(min_length=3, max_length=2000)
    call_ref: str = Field("", max_length=120)
    case_ref: str = Field("", max_length=120)
    client_id: str | None = Field(None, min_length=8, max_length=64,
                                  description="Made by the desk; a retry with it asks nothing twice")


def _audit_refusal(services: Services, user: User, action: str, what: str, exc: EdgeRefusal,
                   source: str, case_ref: str, justification: str) -> None:
    with services.sessions() as session:
        services.audit(session, actor=f"analyst:{user.username}", action=action,
                       object=f"{what} refused: {exc.detail}"[:300], outcome="failure",
                       source=source, case_ref=case_ref, justification=justification)
        session.commit()


@desk.post("/channels/{channel_id}/clip", status_code=201)
def ask_clip(channel_id: str, body: ClipIn, user: AnalystUser, session: SessionDep,
             services: ServicesDep, source: SourceDep, response: Response) -> dict:
    """Ask the box for a window: a footage request its upload attaches to, and a command."""
    hub, at = hub_of(services), now()
    ask = edge_commands.ClipAsk(
        window_start=body.start.astimezone(UTC), window_end=body.end.astimezone(UTC),
        call_ref=body.call_ref, case_ref=body.case_ref, justification=body.justification,
        client_id=body.client_id or new_id())
    try:
        channel = edge_commands.channel_for(session, channel_id)
        online = edge_boxes.is_online(channel.box, at, hub.waiting(channel.box_id))
        command, existed = edge_commands.ask_clip(session, services, channel, ask,
                                                  analyst=user.username, online=online, now=at,
                                                  source=source)
    except EdgeRefusal as exc:
        session.rollback()
        _audit_refusal(services, user, "edge.clip.request", f"channel:{channel_id}", exc, source,
                       body.case_ref, body.justification)
        raise refused(exc) from None
    session.commit()
    hub.wake(command.box_id)
    if existed:
        response.status_code = 200
    return clip_view(session, command, at, hub)


def clip_view(session, command: EdgeCommand, at: datetime, hub: EdgeHub) -> dict[str, Any]:
    box = session.get(EdgeBox, command.box_id)
    return {**edge_commands.view(command), "created_at": command.created_at,
            "expires_at": command.expires_at, "answered_at": command.answered_at,
            "box_online": edge_boxes.is_online(box, at, hub.waiting(box.id)),
            "box_paused": box.paused}


@desk.get("/clips/{command_id}")
def clip_state(command_id: str, user: DeskUser, session: SessionDep, services: ServicesDep) -> dict:
    command = session.get(EdgeCommand, command_id)
    if command is None or command.kind != "clip":
        raise HTTPException(404, detail="no such clip request")
    return clip_view(session, command, now(), hub_of(services))


# ----- desks: live views ---------------------------------------------------------------------


class LiveIn(BaseModel):
    justification: str = Field(min_length=3, max_length=2000)
    call_ref: str = Field("", max_length=120)
    case_ref: str = Field("", max_length=120)
    max_seconds: int | None = Field(None, ge=10, description="At most the server's limit")


def _start_live(services: Services, user: User, channel_id: str, body: LiveIn,
                source: str) -> tuple[dict, str, str]:
    hub, at = hub_of(services), now()
    with services.sessions() as session:
        try:
            channel = edge_commands.channel_for(session, channel_id)
        except EdgeRefusal as exc:
            session.rollback()
            _audit_refusal(services, user, "edge.live.request", f"channel:{channel_id}", exc,
                           source, body.case_ref, body.justification)
            raise refused(exc) from None
        online = edge_boxes.is_online(channel.box, at, hub.waiting(channel.box_id))
        live, key = edge_commands.ask_live(
            session, services, channel, analyst=user.username, call_ref=body.call_ref,
            case_ref=body.case_ref, justification=body.justification,
            max_seconds=body.max_seconds, online=online, now=at, source=source)
        session.commit()
        return edge_live.view(live), key, channel.box_id


@desk.post("/channels/{channel_id}/live", status_code=201)
async def start_live(channel_id: str, body: LiveIn, user: AnalystUser, services: ServicesDep,
                     source: SourceDep) -> dict:
    """A live session: the box is asked to stream; the desk plays ``stream_path``. An offline
    box gives a session already failed, with its reason (``reason_code`` box_offline)."""
    view, key, box_id = await run_in_threadpool(_start_live, services, user, channel_id, body, source)
    hub = hub_of(services)
    if view["state"] in edge_live.OPEN:
        hub.relay(view["session_id"])  # before the box can answer, so no end is missed
        hub.wake(box_id)
    return {**view, "stream_path": f"/api/edge/live/{view['session_id']}?key={key}"}


def _settled(services: Services, session_id: str) -> dict:
    with services.sessions() as session:
        live = session.get(EdgeLiveSession, session_id)
        if live is None:
            raise HTTPException(404, detail="no such live session")
        channel = session.get(EdgeChannel, live.camera_id)
        if edge_live.settle_stale(session, services, live, channel, now()):
            session.commit()
        return edge_live.view(live)


@desk.get("/live/{session_id}/state")
async def live_state(session_id: str, user: DeskUser, services: ServicesDep) -> dict:
    view = await run_in_threadpool(_settled, services, session_id)
    if view["state"] not in edge_live.OPEN:
        hub_of(services).end_relay(session_id, view["reason_code"], view["reason"])
    return view


def _end_live(services: Services, user: User, session_id: str, source: str) -> tuple[dict, str]:
    with services.sessions() as session:
        live = session.get(EdgeLiveSession, session_id)
        if live is None:
            raise HTTPException(404, detail="no such live session")
        edge_commands.end_live(session, services, live, analyst=user.username, now=now(),
                               source=source)
        session.commit()
        return edge_live.view(live), live.box_id


@desk.post("/live/{session_id}/end")
async def end_live(session_id: str, user: AnalystUser, services: ServicesDep,
                   source: SourceDep) -> dict:
    view, box_id = await run_in_threadpool(_end_live, services, user, session_id, source)
    hub = hub_of(services)
    hub.end_relay(session_id, view["reason_code"], view["reason"])
    hub.wake(box_id)  # a stop command may be waiting for it
    return view


def _open_view(services: Services, session_id: str, key: str | None,
               credentials: HTTPAuthorizationCredentials | None) -> tuple[dict, str]:
    """Who may read the stream: the holder of the session's key (players cannot send a bearer
    header), or a signed-in desk user. Returns the session and the audit actor."""
    with services.sessions() as session:
        live = session.get(EdgeLiveSession, session_id)
        if live is None:
            raise HTTPException(404, detail="no such live session")
        if key and hash_token(key) == live.viewer_key_hash:
            actor = f"analyst:{live.analyst}"
        else:
            token = auth.current_token(session, credentials)  # 401 without a live token
            user = auth.require_role("analyst", "supervisor", "admin")(token.user)
            actor = f"analyst:{user.username}"
        edge_live.settle_stale(session, services, live, session.get(EdgeChannel, live.camera_id), now())
        session.commit()
        return edge_live.view(live), actor


def _audit_view(services: Services, session_id: str, actor: str, source: str) -> None:
    with services.sessions() as session:
        live = session.get(EdgeLiveSession, session_id)
        services.audit(session, actor=actor, action="edge.live.view",
                       object=f"live:{live.id} box:{live.box_id} channel:{live.channel}",
                       source=source, case_ref=live.case_ref, justification=live.justification)
        session.commit()


async def _first(*events: anyio.Event, timeout: float) -> None:
    with anyio.move_on_after(timeout):
        async with anyio.create_task_group() as group:
            async def wait(event) -> None:
                await event.wait()
                group.cancel_scope.cancel()
            for event in events:
                group.start_soon(wait, event)


def _closed(view: dict) -> HTTPException:
    return HTTPException(409, detail=view["reason"] or f"this live session has {view['state']}")


@desk.get("/live/{session_id}", response_class=StreamingResponse,
          responses={200: {"content": {"video/mp2t": {}}}})
async def watch(session_id: str, services: ServicesDep, source: SourceDep, credentials: Bearer,
                key: Annotated[str | None, Query(max_length=200)] = None) -> StreamingResponse:
    """The box's live MPEG-TS as it arrives (libvlc opens this URL). Waits for the first byte;
    409 with the reason when the session was refused or has ended."""
    view, actor = await run_in_threadpool(_open_view, services, session_id, key, credentials)
    hub = hub_of(services)
    if view["state"] not in edge_live.OPEN:
        hub.end_relay(session_id, view["reason_code"], view["reason"])
        raise _closed(view)
    relay = hub.relay(session_id)
    reader = relay.subscribe()
    waited = (now() - view["created_at"]).total_seconds()
    await _first(relay.started, relay.ended,
                 timeout=max(edge_live.START_WAIT.total_seconds() - waited, 1.0))
    if not relay.started.is_set():
        relay.unsubscribe(reader)
        view = await run_in_threadpool(_settled, services, session_id)
        if view["state"] not in edge_live.OPEN:
            raise _closed(view)
        raise HTTPException(504, detail="The edge box has not started the stream yet.")
    await run_in_threadpool(_audit_view, services, session_id, actor, source)
    return StreamingResponse(relay.read(reader), media_type="video/mp2t",
                             headers={"Cache-Control": "no-store"})


router.include_router(desk)
