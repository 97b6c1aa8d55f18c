"""Upload finished → its row reads "uploaded": a real server, the desk's event stream, feed and
pane with a full queue, and an owner's phone doing tus uploads; a bare stream reader as baseline."""

from __future__ import annotations

import email
import random
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyotp

from benchmarks.common import Figure, median
from benchmarks.desk_queue import ZONE, p95, qt_app, queue_of
from benchmarks.server_common import Server, create_upload, patch
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.requests_api import EventStream, create_requests
from rtcc_desk.core.request_queue import QueueChange, RequestWindow

PASSWORD = "correct horse battery staple"
ANALYST = "benchanalyst"
#: Earlier requests the server keeps in these states (the desk's review verdicts live elsewhere).
SERVER_STATES = ("sent", "opened", "uploading", "no_relevant_footage", "declined", "expired")


def seed(data_dir: Path, cameras: int, earlier: int) -> tuple[list[str], str]:
    """Owners, their cameras, ``earlier`` requests (the rest of a full queue) and an analyst;
    returns the ids of the cameras with no request yet, in owner order, and the analyst's TOTP
    secret."""
    from sqlalchemy import insert

    from server_stub.auth import create_user
    from server_stub.db import open_database
    from server_stub.models.registry import CameraRegistration, Owner, SyncCounter
    from server_stub.models.requests import FootageRequest as ServerRequest
    from server_stub.services import build_services
    from server_stub.settings import ServerSettings
    from server_stub.tokens import new_token

    url = f"sqlite:///{data_dir / 'server.sqlite3'}"
    now = datetime.now(UTC)
    owners, rows, requests = [], [], []
    for i, request in enumerate(queue_of(cameras, now)):
        owner_id, camera_id = uuid.uuid4().hex, uuid.uuid4().hex
        owners.append({"id": owner_id, "name": f"Owner {i}", "email": owner_email(i),
                       "phone": "", "preferred_channel": "email", "address": f"{i} Texas St",
                       "is_business": i % 10 == 0, "consent_at": now, "verified_at": now,
                       "reconfirm_due": None, "created_at": now})
        rows.append({"id": camera_id, "owner_id": owner_id, "label": f"Front door {i}",
                     "lat": 32.45 + i * 1e-5, "lon": -93.75, "bearing": 180.0, "fov": 90.0,
                     "range_m": 30.0, "sees": "", "recorder_type": "dvr_nvr",
                     "retention_days": 14.0, "status": "active", "sync_version": i + 1,
                     "updated_at": now})
        if i < earlier:
            state = request.state.value
            requests.append({
                "id": uuid.uuid4().hex, "client_id": request.client_id, "camera_id": camera_id,
                "call_ref": request.call_ref, "case_ref": request.case_ref,
                "analyst": request.analyst, "justification": "Benchmark: an earlier request",
                "window_start": request.window_start, "window_end": request.window_end,
                "overwrite_deadline": request.overwrite_deadline,
                "status": state if state in SERVER_STATES else "sent",
                "channel": request.channel, "delivery_error": "", "token_hash": new_token()[1],
                "reminder_token_hash": None, "link_expires_at": now + timedelta(days=3),
                "created_at": request.created_at, "opened_at": None, "answered_at": None,
                "reminders_sent": 0})
    engine = open_database(url).kw["bind"]
    with engine.begin() as connection:
        connection.execute(insert(Owner.__table__), owners)
        connection.execute(insert(CameraRegistration.__table__), rows)
        if requests:
            connection.execute(insert(ServerRequest.__table__), requests)
        connection.execute(SyncCounter.__table__.delete())
        connection.execute(insert(SyncCounter.__table__), [{"id": 1, "value": cameras}])
    engine.dispose()
    services = build_services(ServerSettings(data_dir=data_dir, database_url=url))
    with services.sessions() as session:  # its sessions hold the key that seals TOTP secrets
        _, secret = create_user(session, username=ANALYST, password=PASSWORD, roles=["analyst"])
        session.commit()
    services.sessions.kw["bind"].dispose()
    return [row["id"] for row in rows[earlier:]], secret


def owner_email(number: int) -> str:
    return f"owner{number}@example.test"


def make_clip(folder: Path) -> bytes:
    """A 2 s 320×240 H.264 clip: playable, so the server settles the request as "uploaded"."""
    path = folder / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=2:size=320x240:rate=15", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(path)], check=True, timeout=120)
    return path.read_bytes()


def owner_tokens(outbox: Path, count: int, timeout_s: float = 60.0) -> dict[str, str]:
    """Owner email address → upload-link token, read from the server's mail outbox folder."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and len(list(outbox.glob("*.eml"))) < count:
        time.sleep(0.1)
    tokens = {}
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        link = re.search(r"/r/([A-Za-z0-9_\-]+)", message.get_payload(decode=True).decode())
        if link is not None:
            tokens[message["To"]] = link.group(1)
    if len(tokens) < count:
        raise RuntimeError(f"only {len(tokens)} of {count} owner emails reached {outbox}")
    return tokens


class BareReader(threading.Thread):
    """The server's delivery alone: its event stream read with no Qt, queue or pane; the first
    time each (request id, status) arrived."""

    def __init__(self, client: ServerClient) -> None:
        super().__init__(name="bench-bare-events", daemon=True)
        self.stream = EventStream(client)  # no cursor: only what happens from now on
        self.ready = threading.Event()
        self.seen: dict[tuple[str, str], float] = {}

    def run(self) -> None:
        while not self.stream.stopped:
            try:
                for event in self.stream.read():
                    self.ready.set()
                    rid, status = event.data.get("request_id"), event.data.get("status")
                    if event.kind in ("request.created", "request.status") and rid:
                        self.seen.setdefault((rid, status), time.perf_counter())
            except Exception:  # noqa: BLE001 - a broken link shows as missing figures
                time.sleep(0.2)


class RowWatch:
    """When each watched request's row first read "uploaded" in the pane's model, and when the
    table painted after that; the analyst selects a row as it starts uploading, so it is on
    screen (a row scrolled out of view is never painted)."""

    def __init__(self, pane, request_ids) -> None:
        from PySide6.QtCore import QEvent, QObject

        from rtcc_desk.ui.requests.model import COLUMNS, RequestColumn

        self.pane, self.column = pane, COLUMNS.index(RequestColumn.STATE)
        self.shown: dict[str, float] = {}
        self.painted: dict[str, float] = {}
        self.done = {rid: threading.Event() for rid in request_ids}
        watch = self

        class PaintFilter(QObject):
            def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint:
                    watch._painted(time.perf_counter())
                return False

        self._filter = PaintFilter()
        self._unsubscribe = pane.queue.subscribe(self._changed)  # after the pane's own listener
        pane.table.viewport().installEventFilter(self._filter)

    def close(self) -> None:
        self._unsubscribe()
        self.pane.table.viewport().removeEventFilter(self._filter)

    def text(self, request_id: str) -> str:
        row = self.pane.model.row_of(request_id)
        return "" if row is None else self.pane.model.index(row, self.column).data()

    def _changed(self, change: QueueChange) -> None:
        from PySide6.QtCore import QTimer

        for rid in change.changed:
            if rid not in self.done or rid in self.shown:
                continue
            text = self.text(rid)
            if text == "uploaded":
                self.shown[rid] = time.perf_counter()
            elif text.startswith("uploading") and self.pane.selected_request_id() != rid:
                QTimer.singleShot(0, lambda rid=rid: self.pane.select_request(rid))

    def _painted(self, at: float) -> None:
        for rid in self.shown.keys() - self.painted.keys():
            self.painted[rid] = at
            self.done[rid].set()


def post_requests(client: ServerClient, cameras: list[str]) -> tuple[list, dict[str, float]]:
    """One request per camera, one POST each (an analyst asking camera by camera), at random
    moments against the stream's poll; the requests and when each POST was answered."""
    rng, made, answered = random.Random(4), [], {}
    window = RequestWindow.around(datetime.now(UTC) - timedelta(hours=1))
    for camera in cameras:
        (request,) = create_requests(client, [camera], window, "SPT-2026-100001", "C-26-9001",
                                     "Benchmark: shots fired", uuid.uuid4().hex)
        answered[request.request_id] = time.perf_counter()
        made.append(request)
        time.sleep(rng.uniform(0.1, 0.6))
    return made, answered


def owner_phone(base_url: str, plan: list[tuple[str, str]], clip: bytes, watch: RowWatch,
                answered: dict[str, float], failures: list[str]) -> None:
    """Upload the clip once per (request id, token), one after another, each in one PATCH;
    the next starts after the row was painted, at a random moment against the stream's poll."""
    rng = random.Random(3)
    with httpx.Client(base_url=base_url, timeout=60.0) as phone:
        for rid, token in plan:
            try:
                path = create_upload(phone, token, len(clip))
                patch(phone, path, 0, clip)
                answered[rid] = time.perf_counter()
            except RuntimeError as exc:
                failures.append(f"{rid}: {exc}")
                continue
            watch.done[rid].wait(15)
            time.sleep(rng.uniform(0.2, 0.8))


def run_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Run the GUI thread's event loop (as the desk does: it waits in the loop, so queued
    events are handled at once) until ``condition()`` holds or the time is up."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    check = QTimer(interval=20)
    check.timeout.connect(lambda: condition() and loop.quit())
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    if not condition():
        check.start()
        loop.exec()
        check.stop()
    return condition()


def measure(folder: Path, uploads: int, requests: int) -> list[Figure]:
    """A server in ``folder`` with ``requests`` requests, ``uploads`` of them made through the
    API and then answered with an upload each; the desk's queue and pane follow its stream."""
    from rtcc_desk.core.request_queue import RequestQueue
    from rtcc_desk.ui.requests import RequestFeed, RequestQueuePane

    qt_app()
    data_dir, outbox = folder / "server", folder / "mail"
    data_dir.mkdir(parents=True)
    cameras, secret = seed(data_dir, requests, requests - uploads)
    clip = make_clip(folder)
    server = Server(data_dir, env={"RTCC_SERVER_MAIL_OUTBOX": str(outbox)})
    client = bare = feed = pane = watch = None
    try:
        server.start()
        client = ServerClient(server.base_url)
        client.login(ANALYST, PASSWORD, pyotp.TOTP(secret).now())
        bare = BareReader(client)
        bare.start()
        if not bare.ready.wait(30):
            raise RuntimeError("the bare event stream never said ready")
        made, posted = post_requests(client, cameras)
        tokens = owner_tokens(outbox, uploads)
        email_of = {camera: owner_email(requests - uploads + i) for i, camera in enumerate(cameras)}
        plan = [(r.request_id, tokens[email_of[r.camera_id]]) for r in made]

        queue = RequestQueue()  # the desk's side, wired as request_wiring.DeskRequests does
        pane = RequestQueuePane(queue, ZONE)
        pane.resize(1920, 1080)
        pane.show()
        feed = RequestFeed(client, queue)
        feed.link_changed.connect(pane.set_link_status)
        arrived = _arrivals(feed)
        feed.start()
        live = lambda: len(queue) >= requests and pane.link.text() == "● live"  # noqa: E731
        if not run_until(live, 60):
            raise RuntimeError(f"the desk's queue never filled: {len(queue)} requests, "
                               f"link {pane.link.text()!r}")
        rows = len(queue)
        watch = RowWatch(pane, [rid for rid, _ in plan])
        answered: dict[str, float] = {}
        failures: list[str] = []
        phone = threading.Thread(target=owner_phone, name="bench-owner-phone", daemon=True,
                                 args=(server.base_url, plan, clip, watch, answered, failures))
        phone.start()
        run_until(lambda: not phone.is_alive(), uploads * 20.0)
    finally:
        if watch is not None:
            watch.close()
        if bare is not None:
            bare.stream.stop()
        if feed is not None:
            feed.stop()
        if pane is not None:
            pane.close()
        if client is not None:
            client.close()
        server.stop()
    return _figures(uploads, requests, rows, answered, failures, watch, bare.seen, arrived,
                    posted)


def _arrivals(feed) -> dict[str, float]:
    """When each request's "uploaded" event reached the desk's own stream reader thread, before
    it is queued to the GUI thread (a direct connection runs on the emitting thread)."""
    from PySide6.QtCore import Qt

    arrived: dict[str, float] = {}

    def record(events) -> None:
        for event in events:
            if event.kind == "request.status" and event.data.get("status") == "uploaded":
                arrived.setdefault(event.data.get("request_id"), time.perf_counter())

    feed._events.connect(record, Qt.ConnectionType.DirectConnection)  # the reader's signal
    return arrived


def _figures(uploads, requests, rows, answered, failures, watch, seen, arrived,
             posted) -> list[Figure]:
    from server_stub.events import POLL_S

    def since(at: dict[str, float], start: dict[str, float]) -> list[float]:
        return [at[rid] - start[rid] for rid in start if rid in at]

    bare_uploaded = {rid: t for (rid, status), t in seen.items() if status == "uploaded"}
    bare_created = {rid: t for (rid, status), t in seen.items() if status == "sent"}
    drawn = since(watch.painted, answered)
    missing = uploads - len(drawn)
    return [
        *_spread("last PATCH answered → row \"uploaded\" painted", drawn, target_s=1.0),
        *_spread("  … → at the desk's stream reader thread", since(arrived, answered)),
        *_spread("  … → row text \"uploaded\" in the model", since(watch.shown, answered)),
        *_spread("  desk's reader thread → row painted (GUI part)",
                 since(watch.painted, arrived)),
        *_spread("  last PATCH → a bare stream reader (baseline)",
                 since(bare_uploaded, answered)),
        *_spread("POST /api/requests → request.created, bare reader (baseline)",
                 since(bare_created, posted)),
        Figure(f"  rows in the pane ({requests:,} wanted)", rows, "rows"),
        Figure("  uploads whose row never read \"uploaded\"", missing, "ups", "0",
               missing == 0 and not failures),
        Figure("  the server's stream poll interval (events.POLL_S)", POLL_S * 1000, "ms"),
    ]


def _spread(label: str, seconds: list[float], target_s: float | None = None) -> list[Figure]:
    if not seconds:
        return [Figure(f"{label}: none measured", float("nan"), "ms", "", False)]
    worst = max(seconds)
    if target_s is None:  # a part or a baseline: its middle and its worst
        return [Figure(f"{label}, median", median(seconds) * 1000, "ms"),
                Figure(f"{label}, max", worst * 1000, "ms")]
    return [Figure(f"{label}, median", median(seconds) * 1000, "ms"),
            Figure(f"{label}, p95", p95(seconds) * 1000, "ms"),
            Figure(f"{label}, max", worst * 1000, "ms", f"< {target_s:g} s", worst < target_s)]
