"""The whole desk against a real embedded demo server: sync, feed, selection, audit, offline start."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import create_engine, text

from rtcc_desk.adapters.demo.environment import start_demo
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.errors import ServerUnreachable
from rtcc_desk.adapters.server_link.offline_sign_in import OfflineSignIn
from rtcc_desk.adapters.settings import load_settings
from rtcc_desk.core.cameras import RegisteredCamera
from rtcc_desk.ui import app as desk_app
from rtcc_desk.ui.feed_menu import start_replay
from rtcc_desk.ui.theme import apply_dark_theme

REGISTERED = 400  # enough for a real map and sync, small enough to seed in seconds


@pytest.fixture(autouse=True)
def dark_theme(qapp):
    """The desk as analysts see it; the application's look is put back for other tests."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    apply_dark_theme(qapp)
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    env = start_demo(tmp_path_factory.mktemp("demo"), registered=REGISTERED, edge_devices=3)
    yield env
    env.stop()


def _open_desk(qtbot, demo, folder: Path, *, signed_in: bool = True, calls_per_minute: float = 1200):
    settings = load_settings()
    client = ServerClient(demo.server.base_url)
    account = demo.account("analyst")
    session = client.login(account["username"], account["password"]) if signed_in else None
    args = argparse.Namespace(workstation="test-ws", demo_calls_per_minute=calls_per_minute)
    window, desk = desk_app.assemble(settings, args, folder, demo, client, session)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    desk.start()
    window.show()
    return window, desk


def _distinct_colours(image: QImage, step: int = 24) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def test_demo_desk_syncs_the_registry_takes_calls_and_finds_cameras(qtbot, demo, tmp_path, screenshot_dir):
    window, desk = _open_desk(qtbot, demo, tmp_path / "desk")
    try:
        registered = sum(isinstance(c, RegisteredCamera) for c in demo.cameras)
        qtbot.waitUntil(lambda: desk.p.registry.freshness().camera_count == registered, timeout=60_000)
        qtbot.waitUntil(lambda: len(desk.p.index.cameras()) == len(demo.local_cameras) + registered,
                        timeout=30_000)
        assert "synced" in window.status.registry.text()
        assert window.status.server.text() == "Server: connected"
        qtbot.waitUntil(lambda: desk.p.map.is_ready and desk.p.map.camera_count == len(desk.p.index.cameras()),
                        timeout=60_000)

        # "Find cameras here" 20 m in front of a city pole camera: it must be a candidate.
        pole = next(c for c in demo.local_cameras if c.in_service and c.location)
        with qtbot.waitSignal(desk.search_shown, timeout=10_000) as shown:
            desk.search_point(*_in_front_of(pole, 20))
        assert pole.camera_id in {c.camera.camera_id for c in shown.args[0].candidates}
        # ...and that search is in the server's audit trail, delivered from the outbox.
        qtbot.waitUntil(lambda: any(r.record.action == "map.search_point" and r.server_seq
                                    for r in desk.p.outbox.delivered()), timeout=30_000)

        qtbot.waitUntil(lambda: desk.p.calls.model.rowCount() >= 5, timeout=60_000)
        model = desk.p.calls.model
        located = next(model.call_at(r) for r in range(model.rowCount()) if model.call_at(r).location)
        with qtbot.waitSignal(desk.search_shown, timeout=10_000) as shown:
            desk.p.calls.select_call(located.call_id)
        assert shown.args[0].call_id == located.call_id
        assert desk.p.candidates.model.rowCount() == len(shown.args[0].candidates)

        qtbot.wait(1500)  # let the map draw the search before the picture
        image = window.grab().toImage()
        image.save(str(screenshot_dir / "desk-demo-1920x1080.png"))
        assert image.width() == 1920 and _distinct_colours(image) > 20
        desk.open_camera(pole.camera_id)
        assert desk.p.details.camera.camera_id == pole.camera_id  # the server's copy may replace it
        for key, dock in window.panes.items():
            dock.raise_()  # the details pane shares a tab with the candidates
            qtbot.wait(300)
            pane = dock.widget().grab().toImage()
            pane.save(str(screenshot_dir / f"desk-pane-{key}.png"))
            assert _distinct_colours(pane, 8) > 3, f"{key} pane looks blank"
    finally:
        desk.stop()


def test_the_desk_signs_in_offline_from_its_cached_registry_and_catches_up_later(qtbot, demo, tmp_path):
    folder = tmp_path / "desk"
    account = demo.account("analyst")
    client, entered = ServerClient(demo.server.base_url), {}
    attempt = desk_app.sign_in_attempt(client, OfflineSignIn(folder), entered)
    window, desk = _open_desk_with(qtbot, demo, folder, client,
                                   attempt(account["username"], account["password"], None))
    registered = sum(isinstance(c, RegisteredCamera) for c in demo.cameras)
    qtbot.waitUntil(lambda: desk.p.registry.freshness().camera_count == registered, timeout=60_000)
    desk.stop()
    window.close()

    demo.server.stop()
    try:
        # A new start with the server down: the same password opens the desk offline.
        client = ServerClient(demo.server.base_url)
        attempt = desk_app.sign_in_attempt(client, OfflineSignIn(folder), {})
        with pytest.raises(ServerUnreachable):
            attempt(account["username"], "not the password", None)
        session = attempt(account["username"], account["password"], None)
        assert session.offline and "analyst" in session.roles
        window, desk = _open_desk_with(qtbot, demo, folder, client, session)
        # Registered cameras come from the local copy: correlation works without the server.
        assert len(desk.p.index.cameras()) == len(demo.local_cameras) + registered
        qtbot.waitUntil(lambda: "unreachable" in window.status.server.text(), timeout=30_000)
        assert "synced" in window.status.registry.text() and "offline" in window.status.user.text()
        pole = next(c for c in demo.local_cameras if c.in_service and c.location)
        desk.search_point(*_in_front_of(pole, 20))
        qtbot.waitUntil(lambda: desk.p.outbox.pending_count() == 1)  # kept until the server is back
        asked = []
        desk.sign_in_needed.connect(lambda: asked.append(True))
    finally:
        demo.server.start()
    # The server is back: the desk (its own health check) asks for an online sign-in...
    qtbot.waitUntil(lambda: bool(asked), timeout=60_000)
    client.login(account["username"], account["password"])
    desk.signed_in_again()
    qtbot.waitUntil(lambda: desk.p.outbox.pending_count() == 0, timeout=60_000)
    assert [r.record.action for r in desk.p.outbox.delivered()].count("map.search_point") == 1
    desk.stop()


def _in_front_of(camera, metres: float) -> tuple[float, float]:
    bearing = math.radians(camera.view.bearing)
    lat = camera.location.lat + metres * math.cos(bearing) / 111_320
    lon = camera.location.lon + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lat, lon


def _open_desk_with(qtbot, demo, folder, client, session):
    settings = load_settings()
    args = argparse.Namespace(workstation="test-ws", demo_calls_per_minute=60)
    window, desk = desk_app.assemble(settings, args, folder, demo, client, session)
    qtbot.addWidget(window)
    desk.start()
    window.show()
    return window, desk


def test_an_analyst_replays_a_real_cad_csv_into_the_call_feed(qtbot, demo, tmp_path, real_data):
    window, desk = _open_desk(qtbot, demo, tmp_path / "desk", calls_per_minute=0.01)
    try:
        path = real_data / "cad" / "seattle_spd_911_incident_response_2016-03.csv"
        replay = start_replay(desk.p.feeds, path, speed=0)
        assert replay is not None
        model = desk.p.calls.model

        def replayed() -> int:  # the demo simulator may add a call of its own (SPT-…)
            return sum(not model.call_at(r).call_id.startswith("SPT-") for r in range(model.rowCount()))

        qtbot.waitUntil(lambda: replayed() >= 706, timeout=60_000)
        assert replayed() == 706  # every call of the file, updates merged into them
        desk._show_feed_health()
        assert "messages" in window.status.feed.text()
    finally:
        desk.stop()


def test_an_owners_contact_needs_a_reason_and_the_server_audits_the_look(qtbot, demo, tmp_path, monkeypatch):
    window, desk = _open_desk(qtbot, demo, tmp_path / "desk", calls_per_minute=0.01)
    try:
        registered = next(c for c in demo.cameras if isinstance(c, RegisteredCamera))
        qtbot.waitUntil(lambda: desk.p.index.camera(registered.camera_id) is not None, timeout=60_000)
        desk.open_camera(registered.camera_id)
        details = desk.p.details
        assert not details.owner_button.isHidden()  # offered for registered cameras only
        reason = "Burglary at the corner, call SPT-1: need footage"
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (reason, True))
        with qtbot.waitSignal(details.owner_shown, timeout=30_000):
            details.owner_button.click()
        assert "@" in details.owner.text()  # the owner's email is on screen now
        engine = create_engine(demo.server.database_url)
        with engine.connect() as db:
            rows = db.execute(text("SELECT actor, object, justification FROM audit_records "
                                   "WHERE action = 'registry.owner_contact'")).all()
        engine.dispose()
        assert (f"analyst:{demo.account('analyst')['username']}", reason) in {(r[0], r[2]) for r in rows}
        assert any(registered.camera_id in r[1] for r in rows)
    finally:
        desk.stop()


def test_request_footage_from_the_candidates_reaches_the_server_and_the_queue(qtbot, demo, tmp_path):
    window, desk = _open_desk(qtbot, demo, tmp_path / "desk", calls_per_minute=0.01)
    try:
        camera = next(c for c in demo.cameras if isinstance(c, RegisteredCamera) and c.location)
        qtbot.waitUntil(lambda: desk.p.index.camera(camera.camera_id) is not None, timeout=60_000)
        point = _in_front_of(camera, 5) if camera.view.bearing is not None else (
            camera.location.lat + 0.00003, camera.location.lon)
        with qtbot.waitSignal(desk.search_shown, timeout=10_000):
            desk.search_point(*point)
        assert desk.p.candidates.select_camera(camera.camera_id)
        desk.requests.open_dialog()
        dialog = desk.requests.dialog
        assert [c.camera_id for c in dialog.cameras] == [camera.camera_id]
        dialog.case_ref.setText("SPD-26-0101")
        dialog.justification.setPlainText("Burglary reported at this address; owner's camera faces it")
        with qtbot.waitSignal(dialog.sent, timeout=30_000) as sent:
            dialog.submit()
        created = sent.args[0].requests
        assert [r.camera_id for r in created] == [camera.camera_id]
        assert desk.requests.queue.requests() and desk.requests.queue.requests()[0].case_ref == "SPD-26-0101"
        # the server has it, under the analyst's name and the case
        engine = create_engine(demo.server.database_url)
        with engine.connect() as db:
            rows = db.execute(text("SELECT camera_id, case_ref, delivery_error FROM footage_requests")).all()
        engine.dispose()
        assert (camera.camera_id, "SPD-26-0101", "") in {tuple(r) for r in rows}
        # the demo has no mail server: the owner's email is in the outbox folder
        assert list((demo.server.data_dir / "mail-outbox").glob("*.eml"))
        window.panes["requests"].raise_()
        qtbot.wait(300)
        window.grab().save(str(Path(__file__).resolve().parents[2] / "screenshots" / "desk-requests-1920x1080.png"))
    finally:
        desk.stop()


def test_request_footage_from_a_cameras_details(qtbot, demo, tmp_path):
    window, desk = _open_desk(qtbot, demo, tmp_path / "desk", calls_per_minute=0.01)
    try:
        camera = next(c for c in demo.cameras if isinstance(c, RegisteredCamera) and c.location)
        qtbot.waitUntil(lambda: desk.p.index.camera(camera.camera_id) is not None, timeout=60_000)
        desk.open_camera(camera.camera_id)
        button = desk.p.details.request_button
        assert not button.isHidden()
        button.click()
        dialog = desk.requests.dialog
        assert [c.camera_id for c in dialog.cameras] == [camera.camera_id]
        dialog.reject()
        pole = next(c for c in demo.local_cameras if c.in_service)
        desk.open_camera(pole.camera_id)
        assert desk.p.details.request_button.isHidden()  # city cameras are watched, not requested
    finally:
        desk.stop()
