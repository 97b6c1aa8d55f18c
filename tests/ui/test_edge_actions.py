"""The camera details of an edge channel against a real `rtcc-server serve` and the test box of
tests/server/edge_helpers.py: the box's health in words, "Ask the box for footage…" (window
around the call, justification; the request lands in the queue and the pane says when the box
sent it), a paused box's refusal and an offline box in the analyst's words, and "Watch live…"
playing in libvlc in its own window until the analyst closes it."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import update

from rtcc_desk.adapters.player import PlayerUnavailable, VlcPlayer
from rtcc_desk.adapters.server_link import RegistryCache
from rtcc_desk.adapters.server_link.edge_api import live_state
from rtcc_desk.adapters.server_link.requests_api import get_request
from rtcc_desk.core.cameras import EdgeChannel, RegisteredCamera
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.request_queue import RequestQueue, RequestState
from rtcc_desk.ui.camera_details import CameraDetailsPane
from rtcc_desk.ui.edge_actions import add_edge_actions
from server_stub.models.edge import EdgeBox
from tests.adapters.test_edge_api import EdgeServer
from tests.server.edge_helpers import PAUSED, BoxClient, make_ts_clip
from tests.ui.test_calls_pane import dark_theme  # noqa: F401  (fixture)

ZONE = UTC
CALL_TIME = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with EdgeServer(tmp_path_factory.mktemp("edge-ui") / "server") as running:
        yield running


@pytest.fixture
def desk(qtbot, server, tmp_path):
    """The camera details pane with the edge buttons wired as app.py wires them, a real request
    queue, an edge channel from a real registry sync, and a fresh box (Corner Store)."""
    box = server.box()
    analyst = server.signed_in("analyst")
    cache = RegistryCache.open(f"sqlite:///{tmp_path / 'link.sqlite3'}")
    cache.sync_once(analyst)
    channel = next(c for c in cache.cameras()
                   if isinstance(c, EdgeChannel) and c.edge_device_id == box.box_id and c.channel == 1)
    details = CameraDetailsPane()
    qtbot.addWidget(details)
    details.resize(460, 560)
    queue = RequestQueue()
    call = SimpleNamespace(call_id="SPT-2026-000777")
    stand_in = SimpleNamespace(p=SimpleNamespace(details=details), requests=SimpleNamespace(queue=queue),
                               request_subject=lambda: (call, CALL_TIME, []))
    actions = add_edge_actions(stand_in, analyst, ZONE, roles=("analyst",))
    yield SimpleNamespace(details=details, actions=actions, box=box, channel=channel, queue=queue,
                          analyst=analyst)
    if actions.live_window is not None:
        actions.live_window.close()
    box.close()


def test_only_analysts_and_supervisors_get_the_buttons(server, qtbot):
    details = CameraDetailsPane()
    qtbot.addWidget(details)
    stand_in = SimpleNamespace(p=SimpleNamespace(details=details), requests=None,
                               request_subject=lambda: (None, None, []))
    assert add_edge_actions(stand_in, None, ZONE, roles=("admin",)) is None
    assert details.edge_actions is None


def test_an_edge_channels_details_show_the_box_and_its_buttons(
        qtbot, desk, dark_theme, screenshot_dir):  # noqa: F811
    desk.details.show_camera(RegisteredCamera(camera_id="REG-1", name="Front door", owner_ref="",
                                              location=LatLon(32.5, -93.75)))
    assert desk.actions.isHidden()
    desk.details.show_camera(desk.channel)
    desk.details.show()
    assert desk.actions.isVisible()
    assert desk.actions.clip_button.text() == "Ask the box for footage…"
    assert desk.actions.live_button.text() == "Watch live…"
    qtbot.waitUntil(lambda: desk.actions.health.text() == "Edge box: Recording", timeout=10_000)
    desk.details.grab().save(str(screenshot_dir / "edge-camera-details.png"))


def _answer_clip(box: BoxClient, clip: bytes, state: dict) -> None:
    """The box's part: take the clip command, accept it, upload a real clip, say done."""
    [command] = box.commands(wait=20)
    state["command"] = command
    box.result(command["id"], "accepted")
    box.upload(command, clip)
    box.result(command["id"], "done", sha256=hashlib.sha256(clip).hexdigest(), bytes=len(clip))


def test_asking_the_box_for_footage_puts_the_clip_in_the_request_queue(
        qtbot, desk, tmp_path, dark_theme, screenshot_dir):  # noqa: F811
    clip = make_ts_clip(tmp_path, seconds=2)
    desk.details.show_camera(desk.channel)
    dialog = desk.actions.ask_for_footage()
    qtbot.addWidget(dialog)
    window = dialog.window()
    assert window.start == CALL_TIME - timedelta(minutes=15)
    assert window.end == min(CALL_TIME + timedelta(minutes=15),
                             datetime.now(UTC).replace(second=0, microsecond=0))
    assert dialog.call_ref.text() == "SPT-2026-000777"
    assert not dialog.send_button.isEnabled()  # no justification yet
    dialog.justification.setPlainText("Armed robbery at the register")
    dialog.case_ref.setText("SPD-26-0777")
    assert dialog.send_button.isEnabled()
    dialog.grab().save(str(screenshot_dir / "edge-clip-dialog.png"))

    state: dict = {}
    sender = threading.Thread(target=_answer_clip, args=(desk.box, clip, state))
    sender.start()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(desk.queue.requests()) == 1, timeout=15_000)
    request = desk.queue.requests()[0]
    assert (request.call_ref, request.case_ref, request.window_start) == (
        "SPT-2026-000777", "SPD-26-0777", window.start)
    assert "Asked" in dialog.status.text()
    qtbot.waitUntil(lambda: desk.actions.status.text()
                    == "The edge box sent the clip: it is in the request queue.", timeout=30_000)
    sender.join(timeout=30)
    assert state["command"]["justification"] == "Armed robbery at the register"
    assert state["command"]["call_ref"] == "SPT-2026-000777"
    assert get_request(desk.analyst, request.request_id).state is RequestState.UPLOADED


def test_a_paused_box_and_an_offline_box_in_the_analysts_words(qtbot, desk, server, monkeypatch):
    desk.box.heartbeat(paused=True)
    desk.details.show_camera(desk.channel)
    qtbot.waitUntil(lambda: desk.actions.health.text() == "Edge box: Sharing paused by the business",
                    timeout=10_000)
    dialog = desk.actions.ask_for_footage()
    qtbot.addWidget(dialog)
    dialog.justification.setPlainText("Shoplifting, second look")

    def refuse():
        [command] = desk.box.commands(wait=20)
        desk.box.result(command["id"], "refused", reason=PAUSED)
    refuser = threading.Thread(target=refuse)
    refuser.start()
    dialog.submit()
    qtbot.waitUntil(lambda: desk.actions.status.text() == (
        "The edge box did not send the clip: The business has paused sharing on its edge box at "
        "Corner Store (channel 1)."), timeout=30_000)
    refuser.join(timeout=30)
    qtbot.waitUntil(lambda: desk.queue.requests() and desk.queue.requests()[0].state
                    in (RequestState.SENT, RequestState.DECLINED), timeout=5_000)

    with server.services.sessions() as session:
        session.execute(update(EdgeBox).where(EdgeBox.id == desk.box.box_id)
                        .values(last_seen=datetime.now(UTC) - timedelta(hours=3)))
        session.commit()
    monkeypatch.setattr("rtcc_desk.ui.edge_actions.LIVE_WAIT_S", 0.0)
    desk.actions.watch_live("Fight in the parking lot")
    qtbot.waitUntil(lambda: "is offline (last seen" in desk.actions.status.text(), timeout=15_000)
    assert desk.actions.live_button.isEnabled() and desk.actions.live_window is None
    desk.actions.watch_live("  ")
    assert desk.actions.status.text() == "A justification is required to watch live."


def _stream(box: BoxClient, clip: bytes, stop: threading.Event) -> None:
    """The box's part of a live view: accept, then send the clip at about real time."""
    [command] = box.commands(wait=20)
    box.result(command["id"], "accepted")
    pieces = 60

    def paced():
        size = len(clip) // pieces + 1
        for offset in range(0, len(clip), size):
            if stop.is_set():
                return
            time.sleep(12 / pieces)
            yield clip[offset:offset + size]
    try:
        box.stream(command["ingest_url"], paced())
    except Exception:  # noqa: BLE001  (the server closes the connection when the analyst ends)
        pass


def test_watching_live_plays_in_its_window_and_closing_it_ends_the_session(
        qtbot, desk, tmp_path, dark_theme, screenshot_dir):  # noqa: F811
    try:
        VlcPlayer().close()
    except PlayerUnavailable as exc:
        pytest.skip(f"libvlc cannot be loaded: {exc}")
    clip = make_ts_clip(tmp_path, seconds=12)
    desk.details.show_camera(desk.channel)
    stop = threading.Event()
    sender = threading.Thread(target=_stream, args=(desk.box, clip, stop))
    sender.start()
    try:
        desk.actions.watch_live("Armed robbery in progress")
        qtbot.waitUntil(lambda: desk.actions.live_window is not None, timeout=30_000)
        live = desk.actions.live_window
        qtbot.waitUntil(lambda: live.frames_shown >= 10, timeout=30_000)
        assert live.windowTitle() == "Live — Corner Store – Register"
        assert live.status.text().startswith("Live from the business's edge box since")
        QApplication.processEvents()
        live.grab().save(str(screenshot_dir / "edge-live-window.png"))
        session_id = live.view.session_id
        live.close()
        qtbot.waitUntil(lambda: live_state(desk.analyst, session_id).state == "ended", timeout=15_000)
        ended = live_state(desk.analyst, session_id)
        assert ended.reason_code == "ended_by_analyst"
    finally:
        stop.set()
        sender.join(timeout=30)
    assert not sender.is_alive()
