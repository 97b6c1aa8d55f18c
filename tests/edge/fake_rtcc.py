"""A small stand-in for the RTCC server's edge API, speaking exactly the box <-> server protocol.

Its state (codes, boxes, queued commands, uploads, live bodies) lives outside the app, so the
server can be stopped and started again on the same port — a server restart as the box sees it.
The real server (server_stub) replaces this in the lead's end-to-end test.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

from fastapi import FastAPI, HTTPException, Request, Response

from rtcc_media.sources import free_tcp_port
from tests.edge.helpers import wait_until
from tests.server.browser import LiveServer

free_port = free_tcp_port


@dataclass
class Upload:
    length: int
    metadata: dict[str, str]
    data: bytearray = field(default_factory=bytearray)
    box_id: str = ""

    @property
    def complete(self) -> bool:
        return len(self.data) == self.length


@dataclass
class FakeRtccState:
    codes: dict[str, bool] = field(default_factory=dict)  # code -> used
    boxes: dict[str, dict] = field(default_factory=dict)  # credential -> {box_id, box_name, cameras}
    queued: dict[str, list[dict]] = field(default_factory=dict)  # box_id -> commands
    heartbeats: list[dict] = field(default_factory=list)
    results: list[tuple[str, dict]] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)
    live_bodies: dict[str, bytearray] = field(default_factory=dict)
    live_closed: set[str] = field(default_factory=set)
    polls: int = 0
    sent: dict[str, tuple[str, dict]] = field(default_factory=dict)
    fail_patches: int = 0  # answer this many PATCHes with 503 (a proxy hiccup mid-upload)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_code(self) -> str:
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        self.codes[code] = False
        return code

    def queue(self, box_id: str, **command) -> str:
        command.setdefault("id", uuid.uuid4().hex)
        with self.lock:
            self.queued.setdefault(box_id, []).append(command)
            self.sent[command["id"]] = (box_id, command)
        return command["id"]

    def send_again(self, command_id: str) -> None:
        """Hand a command to the box once more (the real server re-sends unanswered ones)."""
        box_id, command = self.sent[command_id]
        with self.lock:
            self.queued.setdefault(box_id, []).append(command)

    def results_for(self, command_id: str) -> list[dict]:
        with self.lock:
            return [body for cid, body in self.results if cid == command_id]

    def final_result(self, command_id: str, timeout: float = 60) -> dict:
        def final():
            return next((r for r in self.results_for(command_id) if r["state"] != "accepted"), None)
        return wait_until(final, timeout, f"the result of command {command_id}")


def create_app(state: FakeRtccState, base_url: str) -> FastAPI:
    app = FastAPI()

    def box_of(request: Request) -> dict:
        header = request.headers.get("authorization", "")
        box = state.boxes.get(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
        if box is None:
            raise HTTPException(401, "unknown or revoked box credential")
        return box

    @app.post("/api/edge/enroll", status_code=201)
    async def enroll(request: Request) -> dict:
        body = await request.json()
        code = body.get("code")
        if code not in state.codes:
            raise HTTPException(404, "no such enrollment code")
        if state.codes[code]:
            raise HTTPException(409, "this enrollment code was already used; ask the RTCC for a new one")
        state.codes[code] = True
        credential, box_id = secrets.token_urlsafe(32), uuid.uuid4().hex[:12]
        state.boxes[credential] = {"box_id": box_id, "box_name": body["box_name"], "cameras": body["cameras"]}
        return {"box_id": box_id, "credential": credential}

    @app.post("/api/edge/heartbeat", status_code=204)
    async def heartbeat(request: Request) -> Response:
        box = box_of(request)
        body = await request.json()
        with state.lock:
            state.heartbeats.append({"box_id": box["box_id"], **body})
        return Response(status_code=204)

    @app.get("/api/edge/commands")
    async def commands(request: Request, wait: int = 25) -> dict:
        box = box_of(request)
        state.polls += 1
        deadline = time.monotonic() + min(wait, 60)
        while True:
            with state.lock:
                waiting = state.queued.pop(box["box_id"], [])
            if waiting or time.monotonic() >= deadline:
                return {"commands": waiting}
            await asyncio.sleep(0.05)

    @app.post("/api/edge/commands/{command_id}/result", status_code=204)
    async def result(command_id: str, request: Request) -> Response:
        box_of(request)
        body = await request.json()
        with state.lock:
            state.results.append((command_id, body))
        return Response(status_code=204)

    @app.post("/api/edge/uploads", status_code=201)
    async def tus_create(request: Request) -> Response:
        box = box_of(request)
        if request.headers.get("tus-resumable") != "1.0.0":
            raise HTTPException(412, "tus 1.0.0 only")
        metadata = {}
        for pair in request.headers.get("upload-metadata", "").split(","):
            key, _, value = pair.strip().partition(" ")
            metadata[key] = base64.b64decode(value).decode() if value else ""
        upload_id = uuid.uuid4().hex
        state.uploads[upload_id] = Upload(int(request.headers["upload-length"]), metadata, box_id=box["box_id"])
        return Response(status_code=201, headers={"Location": f"/api/edge/uploads/{upload_id}",
                                                  "Tus-Resumable": "1.0.0"})

    @app.head("/api/edge/uploads/{upload_id}")
    async def tus_head(upload_id: str, request: Request) -> Response:
        box_of(request)
        upload = state.uploads[upload_id]
        return Response(status_code=200, headers={"Upload-Offset": str(len(upload.data)),
                                                  "Upload-Length": str(upload.length)})

    @app.patch("/api/edge/uploads/{upload_id}")
    async def tus_patch(upload_id: str, request: Request) -> Response:
        box_of(request)
        upload = state.uploads[upload_id]
        if state.fail_patches:
            state.fail_patches -= 1
            await request.body()
            raise HTTPException(503, "try again")
        if int(request.headers["upload-offset"]) != len(upload.data):
            raise HTTPException(409, "offset mismatch")
        chunk = await request.body()
        algorithm, _, digest = request.headers.get("upload-checksum", "").partition(" ")
        if algorithm != "sha256" or base64.b64decode(digest) != hashlib.sha256(chunk).digest():
            raise HTTPException(460, "checksum mismatch")
        upload.data += chunk
        return Response(status_code=204, headers={"Upload-Offset": str(len(upload.data)),
                                                  "Tus-Resumable": "1.0.0"})

    @app.post("/api/edge/live/{session_id}/ingest")
    async def ingest(session_id: str, request: Request) -> Response:
        box_of(request)
        body = state.live_bodies.setdefault(session_id, bytearray())
        async for chunk in request.stream():
            body += chunk
        state.live_closed.add(session_id)
        return Response(status_code=204)

    app.state.base_url = base_url
    return app


class FakeRtcc:
    """The fake server on a fixed loopback port; ``restart()`` keeps its state."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = FakeRtccState()
        self._server: LiveServer | None = None

    def start(self) -> FakeRtcc:
        self._server = LiveServer(create_app(self.state, self.url), self.port).__enter__()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None

    def restart(self, down_seconds: float = 0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def box_id(self, credential: str) -> str:
        return self.state.boxes[credential]["box_id"]

    def clip_command(self, box_id: str, channel: int, start, end, **extra) -> str:
        return self.state.queue(box_id, kind="clip", channel=channel, start=start.isoformat(),
                                end=end.isoformat(), call_ref="SPT-2026-000481", analyst="analyst.kim",
                                justification="Robbery at the corner store; suspect left on foot.",
                                upload={"tus_endpoint": f"{self.url}/api/edge/uploads",
                                        "metadata": {"request_id": "req-1"}}, **extra)

    def live_command(self, box_id: str, channel: int, max_seconds: int = 30) -> tuple[str, str]:
        session = uuid.uuid4().hex[:10]
        command_id = self.state.queue(box_id, kind="live", channel=channel, max_seconds=max_seconds,
                                      call_ref="SPT-2026-000777", analyst="analyst.lee",
                                      justification="Shots fired nearby; checking the parking lot live.",
                                      session_id=session, ingest_url=f"{self.url}/api/edge/live/{session}/ingest")
        return command_id, session
