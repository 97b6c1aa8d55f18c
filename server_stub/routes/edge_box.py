"""The edge box's side of the link (always outbound from the box): enroll, heartbeat, long-poll
for commands, answers, clip uploads over tus, and live ingest. Authenticated by the box's own
bearer credential, which no analyst endpoint accepts (and no analyst token works here)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from server_stub import edge_boxes, edge_commands, edge_live, events, tus
from server_stub import edge_words as words
from server_stub import footage_requests as requests_logic
from server_stub import upload_lifecycle as lifecycle
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.edge_boxes import EdgeCameraIn, EdgeRefusal
from server_stub.edge_hub import hub_of
from server_stub.models.edge import EdgeBox, EdgeChannel, EdgeCommand, EdgeLiveSession
from server_stub.models.requests import FootageRequest
from server_stub.models.uploads import Upload
from server_stub.ratelimit import limit_by_ip
from server_stub.routes import uploads
from server_stub.services import Services

router = APIRouter(prefix="/api/edge", tags=["edge boxes"])

box_bearer = HTTPBearer(auto_error=False, scheme_name="EdgeBoxCredential",
                        description="The credential an edge box received from POST /api/edge/enroll")
BoxCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(box_bearer)]
#: A waiting long-poll looks at the database this often too: work queued by another server
#: process, or a command that just expired, is found without a wake-up.
RECHECK_S = 10.0


def now() -> datetime:
    return datetime.now(UTC)


def refused(exc: EdgeRefusal) -> HTTPException:
    return HTTPException(exc.status, detail=exc.detail)


def unauthorized() -> HTTPException:
    return HTTPException(401, detail="This edge box's credential is unknown or revoked. Enroll "
                                     "the box again with a new code from the RTCC.",
                         headers={"WWW-Authenticate": "Bearer"})


def current_box(session: SessionDep, credentials: BoxCredentials) -> EdgeBox:
    box = edge_boxes.find_box(session, credentials.credentials if credentials else None)
    if box is None:
        raise unauthorized()
    return box


CurrentBox = Annotated[EdgeBox, Depends(current_box)]


def _seen(services: Services, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """For the async routes: check the credential in a short session of its own."""
    with services.sessions() as session:
        box = edge_boxes.find_box(session, credentials.credentials if credentials else None)
        if box is None:
            return None
        box.last_seen = now()
        session.commit()
        return box.id


# ----- enrollment and heartbeats ------------------------------------------------------------


class EnrollIn(BaseModel):
    code: str = Field(min_length=4, max_length=40)
    box_name: str = Field(min_length=1, max_length=120)
    cameras: list[EdgeCameraIn] = Field(default_factory=list)


@router.post("/enroll", dependencies=[Depends(limit_by_ip("edge.enroll", 20, 3600))])
def enroll(body: EnrollIn, session: SessionDep, services: ServicesDep, source: SourceDep) -> dict:
    try:
        box, credential = edge_boxes.enroll(session, services, code=body.code,
                                            box_name=body.box_name, cameras=body.cameras,
                                            now=now(), source=source)
    except EdgeRefusal as exc:
        session.rollback()
        with services.sessions() as audit_session:
            services.audit(audit_session, actor="edge:(not enrolled)", action="edge.enroll",
                           object=f"name:{body.box_name}"[:300], outcome="failure",
                           source=source, justification=exc.detail)
            audit_session.commit()
        raise refused(exc) from None
    session.commit()
    return {"box_id": box.id, "credential": credential}


class DiskIn(BaseModel):
    used_bytes: int = Field(ge=0)
    free_bytes: int = Field(ge=0)


class ChannelHealthIn(BaseModel):
    channel: int = Field(ge=1, le=4)
    name: str = ""
    state: Literal["recording", "failed", "stopped"]
    error: str = ""
    oldest: datetime | None = None
    newest: datetime | None = None

    @field_validator("name", "error", mode="before")
    @classmethod
    def _shortened(cls, value: object) -> object:
        # A long ffmpeg message must not make the whole heartbeat bounce: keep its start.
        return value[:500] if isinstance(value, str) else value


class HeartbeatIn(BaseModel):
    paused: bool
    retention_days: int = Field(ge=1, le=3650)
    disk: DiskIn
    channels: list[ChannelHealthIn] = Field(default_factory=list, max_length=4)
    cameras: list[EdgeCameraIn] | None = None


@router.post("/heartbeat", status_code=204)
def heartbeat(body: HeartbeatIn, box: CurrentBox, session: SessionDep, services: ServicesDep,
              source: SourceDep) -> Response:
    try:
        edge_boxes.heartbeat(
            session, services, box, paused=body.paused, retention_days=body.retention_days,
            disk=body.disk.model_dump(), channels=[c.model_dump(mode="json") for c in body.channels],
            cameras=body.cameras, now=now(), source=source)
    except EdgeRefusal as exc:
        session.rollback()
        raise refused(exc) from None
    session.commit()
    return Response(status_code=204)


# ----- commands -----------------------------------------------------------------------------


def _take(services: Services, box_id: str) -> list[dict[str, Any]]:
    with services.sessions() as session:
        box = session.get(EdgeBox, box_id)
        handed = edge_commands.take(session, services, box, now=now())
        base = services.settings.public_base_url
        found = [edge_commands.payload(c, base) for c in handed]
        session.commit()
        return found


@router.get("/commands")
async def commands(services: ServicesDep, credentials: BoxCredentials,
                   wait: Annotated[float, Query(ge=0, le=60)] = 25) -> dict:
    """Long-poll: answers at once when work is queued, else with none after ``wait`` seconds.
    While waiting it holds no database session and no worker thread (see edge_hub)."""
    box_id = await run_in_threadpool(_seen, services, credentials)
    if box_id is None:
        raise unauthorized()
    hub = hub_of(services)
    deadline = time.monotonic() + wait
    while True:
        waiter = hub.waiter(box_id)
        try:
            found = await run_in_threadpool(_take, services, box_id)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                return {"commands": found}
            with anyio.move_on_after(min(remaining, RECHECK_S)):
                await waiter.event.wait()
        finally:
            hub.forget(waiter)


class ResultIn(BaseModel):
    state: Literal["accepted", "refused", "done", "failed"]
    reason: str = Field("", max_length=2000)
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    bytes: int | None = Field(None, ge=0)


@router.post("/commands/{command_id}/result")
def result(command_id: str, body: ResultIn, box: CurrentBox, session: SessionDep,
           services: ServicesDep, source: SourceDep) -> dict:
    try:
        command = edge_commands.command_of(session, box, command_id)
        edge_commands.answer(session, services, box, command, state=body.state, reason=body.reason,
                             sha256=body.sha256, size=body.bytes, now=now(), source=source)
    except EdgeRefusal as exc:
        session.rollback()
        raise refused(exc) from None
    session.commit()
    if command.live_session_id:
        live = session.get(EdgeLiveSession, command.live_session_id)
        if live.state not in edge_live.OPEN:
            hub_of(services).end_relay(live.id, live.end_code, live.end_reason)
    return edge_commands.view(command)


# ----- clip uploads (tus, the same handling as an owner's upload) ---------------------------


def _clip_footage(box: EdgeBox, command_id: str):
    def find(session: Session) -> FootageRequest:
        command = session.get(EdgeCommand, command_id)
        if command is None or command.box_id != box.id or command.kind != "clip":
            raise tus.TusError(404, "no such clip command for this box")
        if command.state in ("refused", "expired", "cancelled"):
            raise tus.TusError(410, f"this clip command is {command.state}")
        footage = session.get(FootageRequest, command.request_id)
        if not requests_logic.link_usable(footage, lifecycle.now()):
            raise tus.TusError(410, "this clip request has expired or was answered")
        return footage
    return find


@router.options("/uploads/{command_id}", include_in_schema=False)
@router.options("/uploads/{command_id}/{upload_id}", include_in_schema=False)
def tus_options(services: ServicesDep) -> Response:
    return Response(status_code=204, headers=tus.options_headers(lifecycle.max_upload_bytes(services)))


@router.post("/uploads/{command_id}", name="edge_tus_create")
def create_upload(command_id: str, request: Request, box: CurrentBox, session: SessionDep,
                  services: ServicesDep, source: SourceDep) -> Response:
    def location(upload_id: str) -> str:
        return request.url_for("edge_tus_upload", command_id=command_id, upload_id=upload_id).path

    response = uploads.tus_create(_clip_footage(box, command_id), location, request, session,
                                  services, source)
    declared = tus.parse_metadata(request.headers.get("upload-metadata")).get("sha256", "")
    if response.status_code == 201 and declared:
        command = session.get(EdgeCommand, command_id)
        command.declared_sha256 = declared.strip().lower()[:64]
        session.commit()
    return response


@router.head("/uploads/{command_id}/{upload_id}", name="edge_tus_upload")
def upload_status(command_id: str, upload_id: str, request: Request, box: CurrentBox,
                  session: SessionDep, services: ServicesDep, source: SourceDep) -> Response:
    return uploads.tus_status(_clip_footage(box, command_id), upload_id, request, session,
                              services, source)


def _after_chunk(session: Session, command_id: str, upload_id: str) -> None:
    """Once the file is complete, its hash must be the one the box declared."""
    session.commit()
    upload = session.get(Upload, upload_id)
    session.refresh(upload)
    command = session.get(EdgeCommand, command_id)
    if upload.state == "complete" and command.state not in edge_commands.FINAL:
        channel = session.get(EdgeChannel, command.camera_id)
        if not edge_commands.check_hash(session, command, channel):
            edge_commands.publish(session, command)
            events.request_status(session, session.get(FootageRequest, command.request_id))
            session.commit()


@router.patch("/uploads/{command_id}/{upload_id}")
async def upload_chunk(command_id: str, upload_id: str, request: Request, box: CurrentBox,
                       session: SessionDep, services: ServicesDep, source: SourceDep) -> Response:
    response = await uploads.tus_patch(_clip_footage(box, command_id), upload_id, request,
                                       session, services, source)
    await run_in_threadpool(_after_chunk, session, command_id, upload_id)
    return response


@router.delete("/uploads/{command_id}/{upload_id}")
def terminate_upload(command_id: str, upload_id: str, request: Request, box: CurrentBox,
                     session: SessionDep, services: ServicesDep, source: SourceDep) -> Response:
    return uploads.tus_terminate(_clip_footage(box, command_id), upload_id, request, session,
                                 services, source)


# ----- live ingest --------------------------------------------------------------------------


def _begin_ingest(services: Services, box_id: str, session_id: str, source: str) -> EdgeLiveSession:
    with services.sessions() as session:
        live = session.get(EdgeLiveSession, session_id)
        if live is None or live.box_id != box_id:
            raise HTTPException(404, detail="no such live session for this box")
        channel = session.get(EdgeChannel, live.camera_id)
        edge_live.settle_stale(session, services, live, channel, now())
        if live.state == "waiting":
            edge_live.begin(session, services, live, now=now(), source=source)
        session.commit()
        if live.state != "streaming":
            raise HTTPException(409, detail=f"this live session has {live.state}: {live.end_reason}")
        return live


def _end_ingest(services: Services, session_id: str, code: str, relayed: int,
                source: str) -> tuple[str, str]:
    with services.sessions() as session:
        live = session.get(EdgeLiveSession, session_id)
        channel = session.get(EdgeChannel, live.camera_id)
        reason = edge_live.sentence(channel, code, seconds=live.max_seconds)
        actor = "system" if code == words.LIMIT_REACHED else f"edge:{live.box_id}"
        edge_live.finish(session, services, live, code=code, reason=reason, actor=actor,
                         now=now(), source=source, relayed=relayed)
        session.commit()
        return live.end_code, live.end_reason


#: The server ends a live body by answering and closing the connection: without this header
#: uvicorn would keep the connection and quietly read (and drop) the box's stream for ever.
CLOSE = {"Connection": "close"}


@router.post("/live/{session_id}/ingest")
async def ingest(session_id: str, request: Request, services: ServicesDep,
                 credentials: BoxCredentials, source: SourceDep) -> Response:
    """The box's MPEG-TS, relayed to the desks as it arrives, until the limit, the analyst's
    end or the box's own end of the body. Nothing is written to disk."""
    try:
        box_id = await run_in_threadpool(_seen, services, credentials)
        if box_id is None:
            raise unauthorized()
        live = await run_in_threadpool(_begin_ingest, services, box_id, session_id, source)
    except HTTPException as exc:
        headers = {**(exc.headers or {}), **CLOSE}
        raise HTTPException(exc.status_code, exc.detail, headers=headers) from None
    relay = hub_of(services).relay(session_id)
    remaining = live.max_seconds - (now() - live.started_at).total_seconds()
    relayed, code = 0, words.LIMIT_REACHED

    async def pump() -> None:
        nonlocal relayed, code
        try:
            async for chunk in request.stream():
                if chunk:
                    relay.publish(chunk)
                    relayed += len(chunk)
        except ClientDisconnect:
            pass
        code = words.BOX_STOPPED
        relay.ended.set()  # wakes the wait below; the end itself is recorded after

    async with anyio.create_task_group() as group:
        group.start_soon(pump)
        with anyio.move_on_after(max(remaining, 0)):
            await relay.ended.wait()
        if relay.end_code:
            code = relay.end_code  # the analyst ended it (or the box refused meanwhile)
        group.cancel_scope.cancel()
    end_code, reason = await run_in_threadpool(_end_ingest, services, session_id, code, relayed, source)
    hub_of(services).end_relay(session_id, end_code, reason)
    relay.end(end_code, reason)
    return JSONResponse({"ended": end_code, "reason": reason, "bytes": relayed}, headers=CLOSE)
