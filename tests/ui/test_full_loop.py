"""The whole footage loop from the analyst's chair, against a real server on loopback mailing
through a real SMTP server: a simulated call → its candidates → a request → the owner's link
from the received mail → a tus upload of a real H.264 clip → the queue shows uploading, then
uploaded, by itself → the player opens it and knows its length → valuable → shared to an
officer → the officer's page answers → `rtcc export-package` → `rtcc verify-package` passes,
and fails naming the file after one byte of it changes."""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from rtcc_desk.adapters.demo.environment import start_demo
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.settings import load_settings
from rtcc_desk.core.cameras import RegisteredCamera
from rtcc_desk.core.request_queue import RequestState
from rtcc_desk.ui import app as desk_app
from rtcc_desk.ui.requests.model import COLUMNS, RequestColumn
from tests.server.conftest import Inbox, smtp_inbox  # noqa: F401  (the real SMTP fixture)
from tests.server.test_tus import create, patch

CASE = "SPD-26-5150"
STATE = COLUMNS.index(RequestColumn.STATE)


@pytest.fixture
def demo(tmp_path, smtp_inbox):  # noqa: F811
    inbox, port = smtp_inbox
    env = start_demo(tmp_path / "demo", registered=1500, edge_devices=0, smtp_port=port)
    env.inbox = inbox
    yield env
    env.stop()


def make_clip(path: Path, recorded_at: datetime) -> bytes:
    """Six seconds of H.264 that says when it was recorded, as a camera's export would."""
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "testsrc=duration=6:size=320x240:rate=15", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-metadata", f"creation_time={recorded_at:%Y-%m-%dT%H:%M:%SZ}", str(path)],
        check=True, timeout=120)
    return path.read_bytes()


def state_shown(pane, request_id: str) -> str:
    row = pane.model.row_of(request_id)
    return "" if row is None else str(pane.model.data(pane.model.index(row, STATE)))


def rtcc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rtcc_desk.cli.main", *args],
                          capture_output=True, text=True, timeout=300)


def pick_call_with_registered_cameras(qtbot, desk):
    """Calls arrive from the simulator; take the first whose candidates include an owner's camera."""
    tried: set[str] = set()

    def candidates_of_a_new_call():
        model = desk.p.calls.model
        for row in range(model.rowCount()):
            call = model.call_at(row)
            if call.call_id in tried or call.location is None:
                continue
            tried.add(call.call_id)
            with qtbot.waitSignal(desk.search_shown, timeout=10_000) as shown:
                desk.p.calls.select_call(call.call_id)
            registered = [c.camera for c in shown.args[0].candidates
                          if isinstance(c.camera, RegisteredCamera)]
            if registered:
                return call, registered
        return None

    deadline = datetime.now(UTC) + timedelta(minutes=2)
    while datetime.now(UTC) < deadline:
        hit = candidates_of_a_new_call()
        if hit:
            return hit
        qtbot.wait(500)
    pytest.fail(f"none of {len(tried)} simulated calls had a registered camera among its candidates")


def test_from_a_simulated_call_to_footage_on_an_officers_phone_and_a_verified_package(
        qtbot, demo, tmp_path, monkeypatch, screenshot_dir):
    settings = load_settings()
    account = demo.account("analyst")
    client = ServerClient(demo.server.base_url)
    session = client.login(account["username"], account["password"])
    # Scenario 15 of the simulator sends, among its first calls, one at a registered camera.
    args = argparse.Namespace(workstation="loop-ws", demo_calls_per_minute=600, demo_seed=15)
    window, desk = desk_app.assemble(settings, args, tmp_path / "desk", demo, client, session)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    desk.start()
    window.show()
    try:
        registered = sum(isinstance(c, RegisteredCamera) for c in demo.cameras)
        qtbot.waitUntil(lambda: desk.p.registry.freshness().camera_count == registered, timeout=90_000)
        qtbot.waitUntil(lambda: len(desk.p.index.cameras()) >= registered, timeout=30_000)

        # 1. A call from the simulator, its candidates, and "Request footage" for one camera.
        call, cameras = pick_call_with_registered_cameras(qtbot, desk)
        camera = cameras[0]
        assert desk.p.candidates.select_camera(camera.camera_id)
        desk.requests.open_dialog()
        dialog = desk.requests.dialog
        assert dialog.cameras[0].camera_id == camera.camera_id
        dialog.case_ref.setText(CASE)
        dialog.justification.setPlainText(f"{call.call_type or 'Call'} at the camera's block; "
                                          "the camera may show the suspect's way out")
        with qtbot.waitSignal(dialog.sent, timeout=30_000) as sent:
            dialog.submit()
        [request] = sent.args[0].requests
        assert request.channel == "email" and request.call_ref == call.call_id
        pane = desk.requests.pane
        qtbot.waitUntil(lambda: state_shown(pane, request.request_id) == "sent", timeout=10_000)

        # 2. The owner's email arrives at the real SMTP server; the link opens their page.
        qtbot.waitUntil(lambda: any("/r/" in Inbox.body(m) for m in demo.inbox.messages), timeout=30_000)
        body = Inbox.body(demo.inbox.messages[-1])
        link = re.search(r"(http://\S+/r/([A-Za-z0-9_\-]+))", body)
        assert link, body
        token = link.group(2)
        clip = make_clip(tmp_path / "owner-export.mp4", request.window_start)
        half = len(clip) // 2
        with httpx.Client(base_url=demo.server.base_url) as phone:
            assert phone.get(link.group(1)).status_code == 200
            qtbot.waitUntil(lambda: state_shown(pane, request.request_id) == "opened", timeout=15_000)

            # 3. A tus upload in two parts: the row follows it with no refresh by anyone.
            upload_url = create(phone, token, len(clip), name="driveway 2026-11-25.mp4")
            assert patch(phone, upload_url, 0, clip[:half]).status_code == 204
            qtbot.waitUntil(lambda: state_shown(pane, request.request_id).startswith("uploading"),
                            timeout=15_000)
            assert "%" in state_shown(pane, request.request_id)
            done = patch(phone, upload_url, half, clip[half:],
                         checksum=hashlib.sha256(clip[half:]).digest())
            assert done.status_code == 204, done.text
        qtbot.waitUntil(lambda: state_shown(pane, request.request_id) == "uploaded", timeout=15_000)
        window.panes["requests"].raise_()
        qtbot.wait(300)
        window.panes["requests"].widget().grab().save(str(screenshot_dir / "loop-request-queue.png"))

        # 4. Double-click: the original is fetched and plays; the player knows its length.
        upload_id = upload_url.rsplit("/", 1)[1]
        pane.request_activated.emit(request.request_id)
        qtbot.waitUntil(lambda: upload_id in desk.review.open_panes, timeout=60_000)
        player = desk.review.open_panes[upload_id]
        qtbot.addWidget(player)
        qtbot.waitUntil(lambda: player.timeline.maximum() > 0, timeout=30_000)
        assert player.timeline.maximum() == pytest.approx(6000, abs=300)
        assert player.upload.clip_start == request.window_start  # from the file's own metadata
        # It plays as it opens: frames arrive and the timeline moves.
        qtbot.waitUntil(lambda: player._last_serial > 3 and player.timeline.value() > 0, timeout=30_000)
        player.pause()
        player.grab().save(str(screenshot_dir / "loop-review-player.png"))

        # 5. Valuable → shared with an officer; the officer's page answers.
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        player.verdict.emit(upload_id, True, "Suspect's car leaves at 00:04")
        qtbot.waitUntil(lambda: desk.review.share_dialog is not None, timeout=30_000)
        assert desk.requests.queue.get(request.request_id).state is RequestState.REVIEWED_VALUABLE
        player.close_review()
        share = desk.review.share_dialog
        share.officer_name.setText("Ofc. Jamie Ruiz")
        share.officer_contact.setText("j.ruiz@police.example.test")
        with qtbot.waitSignal(share.shared, timeout=30_000) as made:
            share.create_button.click()
        url = made.args[0].url
        qtbot.waitUntil(lambda: desk.requests.queue.get(request.request_id).state is RequestState.SHARED,
                        timeout=10_000)
        share.close()
        assert made.args[0].sent_via == "email"  # the officer's link went to the real SMTP server
        qtbot.waitUntil(lambda: any(url in Inbox.body(m) for m in demo.inbox.messages), timeout=30_000)
        with httpx.Client() as officer:
            page = officer.get(url)
            assert page.status_code == 200 and CASE in page.text
        # The row says when the officer opened it, from the server's event: nobody refreshed.
        qtbot.waitUntil(lambda: "opened by Ofc. Jamie Ruiz" in state_shown(pane, request.request_id),
                        timeout=15_000)

        # 6. The case's evidence package, from the desk's menu (a .zip) and from `rtcc
        # export-package` (a folder): both verify offline, and one changed byte is named.
        zipped = tmp_path / "case.zip"
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (CASE, True))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(zipped), ""))
        told = []
        monkeypatch.setattr(QMessageBox, "information", lambda _w, _t, text: told.append(text))
        pane.select_request(request.request_id)
        desk.requests.package_export.action.trigger()
        qtbot.waitUntil(lambda: bool(told), timeout=60_000)
        assert "rtcc verify-package" in told[0] and zipped.exists()
        assert rtcc("verify-package", str(zipped)).returncode == 0
        qtbot.waitUntil(lambda: any(r.record.action == "package.export" and r.server_seq
                                    for r in desk.p.outbox.delivered()), timeout=30_000)

        out = tmp_path / "package"
        exported = rtcc("export-package", "--server", demo.server.base_url, "--case", CASE,
                        "--out", str(out), "--username", account["username"],
                        "--password", account["password"], "--code", "")
        assert exported.returncode == 0, exported.stderr
        verified = rtcc("verify-package", str(out))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        [original] = [p for p in (out / "originals").rglob("*") if p.is_file()]
        assert original.read_bytes() == clip
        data = bytearray(original.read_bytes())
        data[len(data) // 2] ^= 0x01
        original.write_bytes(bytes(data))
        tampered = rtcc("verify-package", str(out))
        assert tampered.returncode != 0
        assert original.name in tampered.stdout + tampered.stderr
    finally:
        desk.stop()
