"""The desk's edge adapter against a real `rtcc-server serve` on loopback and a small box
speaking the protocol: channels with their box's health, a paused box's refusal and an offline
box in the analyst's words, and a live view that real libvlc plays from the stream URL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import update

from rtcc_desk.adapters.local_server import LocalServer
from rtcc_desk.adapters.player import PlayerUnavailable, VlcPlayer
from rtcc_desk.adapters.server_link import NotAllowed, ServerClient, ServerError
from rtcc_desk.adapters.server_link.edge_api import (
    EdgeBoxOffline,
    EdgeSharingPaused,
    ask_for_clip,
    clip_state,
    edge_error_text,
    end_live,
    list_edge_channels,
    live_state,
    start_live,
)
from rtcc_desk.core.cameras import CameraKind
from rtcc_desk.core.request_queue import RequestWindow
from server_stub.auth import create_user
from server_stub.models.edge import EdgeBox
from server_stub.services import build_services
from server_stub.settings import ServerSettings
from tests.server.edge_helpers import PAUSED, BoxClient, make_ts_clip

PASSWORD = "correct horse battery staple"


class EdgeServer(LocalServer):
    """A real server process; its database opened here too, for accounts and clock tricks."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(data_dir)
        self.services = build_services(ServerSettings(data_dir=data_dir, database_url=self.database_url))
        self._names = iter(range(1, 1000))

    def signed_in(self, *roles: str) -> ServerClient:
        username = f"{roles[0]}{next(self._names)}"
        with self.services.sessions() as session:
            _, secret = create_user(session, username=username, password=PASSWORD, roles=roles)
            session.commit()
        client = ServerClient(self.base_url)
        client.login(username, PASSWORD, pyotp.TOTP(secret).now())
        return client

    def box(self) -> BoxClient:
        admin = self.signed_in("admin")
        code = admin.api("POST", "/api/edge/enrollment-codes", json={"business_name": "Corner Store"})["code"]
        box = BoxClient.enroll(self.base_url, code)
        assert box.heartbeat(failed=[2]).status_code == 204
        return box


@pytest.fixture
def server(tmp_path):
    with EdgeServer(tmp_path / "server") as running:
        yield running


def window() -> RequestWindow:
    return RequestWindow.around(datetime.now(UTC) - timedelta(hours=1))


def test_channels_come_with_their_box_health(server):
    box = server.box()
    analyst = server.signed_in("analyst")
    first, second = list_edge_channels(analyst)
    assert first.camera.kind is CameraKind.EDGE_CHANNEL
    assert (first.camera.edge_device_id, first.camera.channel) == (box.box_id, 1)
    assert first.camera.name == "Corner Store – Register" and first.camera.view.fov == 80.0
    assert first.can_ask and first.status_text == "Recording"
    assert not second.can_ask and second.status_text == "Camera not recording: connection refused"
    assert first.box.online and first.box.retention_days == 30


def test_a_paused_box_refusal_reaches_the_analyst_in_words(server):
    box = server.box()
    box.heartbeat(paused=True)
    analyst = server.signed_in("analyst")
    channel = list_edge_channels(analyst)[0]
    assert channel.status_text == "Sharing paused by the business" and not channel.can_ask
    asked = ask_for_clip(analyst, channel.camera.camera_id, window(), "Robbery at the register",
                         call_ref="SPT-1", case_ref="SPD-1")
    assert asked.state == "queued" and "paused sharing" in asked.note and asked.request_id
    [command] = box.commands(wait=5)
    box.result(command["id"], "refused", reason=PAUSED)
    with pytest.raises(EdgeSharingPaused) as refused:
        clip_state(analyst, asked.command_id).check()
    assert edge_error_text(refused.value) == (
        "The business has paused sharing on its edge box at Corner Store (channel 1).")


def test_an_offline_box_and_refused_calls_in_words(server):
    server.box()
    with server.services.sessions() as session:
        session.execute(update(EdgeBox).values(last_seen=datetime.now(UTC) - timedelta(hours=3)))
        session.commit()
    analyst = server.signed_in("analyst")
    channel = list_edge_channels(analyst)[0]
    assert channel.status_text.startswith("Edge box offline (last seen")
    with pytest.raises(EdgeBoxOffline) as offline:
        start_live(analyst, channel.camera.camera_id, "Fight in the parking lot")
    assert "is offline (last seen" in edge_error_text(offline.value)
    with pytest.raises(ServerError) as unknown:
        ask_for_clip(analyst, "0" * 32, window(), "Robbery at the register")
    assert edge_error_text(unknown.value).startswith("The server no longer knows this edge channel")
    with pytest.raises(NotAllowed) as not_allowed:
        ask_for_clip(server.signed_in("admin"), channel.camera.camera_id, window(), "Robbery")
    assert edge_error_text(not_allowed.value) == "Your account is not allowed to ask edge boxes for footage."


def _serve_live(box: BoxClient, clip: bytes, stop: threading.Event) -> None:
    """The box's part: take the live command, accept it, stream the clip at about real time."""
    [command] = box.commands(wait=10)
    box.result(command["id"], "accepted")
    pieces = 30

    def paced():
        size = len(clip) // pieces + 1
        for offset in range(0, len(clip), size):
            if stop.is_set():
                return
            time.sleep(6 / pieces)
            yield clip[offset:offset + size]
    try:
        box.stream(command["ingest_url"], paced())
    except Exception:  # noqa: BLE001  (the server may close the connection when the analyst ends)
        pass


def test_a_live_view_plays_in_libvlc_and_the_analyst_ends_it(server, tmp_path):
    try:
        player = VlcPlayer()
    except PlayerUnavailable as exc:
        pytest.skip(f"libvlc cannot be loaded: {exc}")
    clip = make_ts_clip(tmp_path, seconds=6)
    box = server.box()
    analyst = server.signed_in("analyst")
    channel = list_edge_channels(analyst)[0]
    view = start_live(analyst, channel.camera.camera_id, "Armed robbery in progress", call_ref="SPT-7")
    assert view.state == "waiting" and view.stream_url.startswith(server.base_url)
    stop = threading.Event()
    sender = threading.Thread(target=_serve_live, args=(box, clip, stop))
    sender.start()
    try:
        player.open(view.stream_url, (":network-caching=300",))
        player.play()
        deadline = time.monotonic() + 30
        while (frame := player.current_frame()) is None or frame.serial < 5:
            assert time.monotonic() < deadline, "libvlc showed no frames of the live stream"
            time.sleep(0.05)
        assert frame.width == 320
        assert live_state(analyst, view.session_id).state == "streaming"
        ended = end_live(analyst, view.session_id)
        assert (ended.state, ended.reason_code) == ("ended", "ended_by_analyst")
        ended.check()  # an analyst's end is no failure
    finally:
        stop.set()
        player.close()
        sender.join(timeout=30)
    assert not sender.is_alive()
