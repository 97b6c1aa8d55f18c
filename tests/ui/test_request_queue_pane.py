"""The request dialog and the REQUEST QUEUE pane offscreen, against a real server on loopback
(with a real SMTP sink): owners contacted by channel, states arriving from the event stream
without a refresh, reconcile after a server restart; urgency and escalation by a moved clock;
a shared request's row saying when the officer opened the link (live, and after a restart)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from rtcc_desk.adapters.server_link import open_link_database
from rtcc_desk.adapters.server_link.request_outbox import RequestOutbox
from rtcc_desk.adapters.server_link.shares_api import create_share, list_shares
from rtcc_desk.core.cameras import RegisteredCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.request_queue import (
    FootageRequest,
    RequestFilter,
    RequestQueue,
    RequestState,
    ServerEvent,
    ShareOpening,
)
from rtcc_desk.ui.requests import RequestDialog, RequestFeed, RequestQueuePane
from rtcc_desk.ui.requests.model import COLUMNS, ESCALATE_TEXT, RequestColumn
from server_stub.models.requests import FootageRequest as ServerRequest
from tests.adapters.test_evidence_package import analyst, built, case_server  # noqa: F401
from tests.adapters.test_requests_api import answer_as_owner, owner_link, server  # noqa: F401
from tests.server.conftest import smtp_inbox  # noqa: F401
from tests.ui.test_calls_pane import Clock, assert_not_blank, dark_theme  # noqa: F401

ZONE = ZoneInfo("America/Chicago")
T0 = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


def camera(camera_id: str, name: str, days: float | None) -> RegisteredCamera:
    return RegisteredCamera(camera_id=camera_id, name=name, location=LatLon(32.5121, -93.7502),
                            view=View(180.0, 90.0, 30.0), retention_days=days, owner_ref="",
                            is_business=True)


def cell(pane: RequestQueuePane, request_id: str, column: RequestColumn) -> str:
    row = pane.model.row_of(request_id)
    return "" if row is None else pane.model.index(row, COLUMNS.index(column)).data()


def shown_ids(pane: RequestQueuePane) -> list[str]:
    return [pane.model.request_at(row).request_id for row in range(pane.model.rowCount())]


def made(request_id: str, hours_left: float, state=RequestState.SENT, **fields) -> FootageRequest:
    return FootageRequest(
        request_id=request_id, camera_id=f"REG-{request_id}", state=state, channel="email",
        window_start=T0 - timedelta(hours=2), window_end=T0 - timedelta(hours=1, minutes=30),
        overwrite_deadline=T0 + timedelta(hours=hours_left), created_at=T0 - timedelta(minutes=5),
        **fields)


NAMES = {"REG-far": "Pharmacy – parking lot", "REG-near": "Gas station – pumps",
         "REG-done": "Front porch, 712 Texas St"}


def test_urgency_order_escalation_and_filters_with_a_moved_clock(qtbot, dark_theme):  # noqa: F811
    clock, queue = Clock(T0), RequestQueue(escalate_within=timedelta(hours=24))
    queue.upsert([made("far", 80, call_ref="SPT-1", analyst="dana"),
                  made("near", 26, call_ref="SPT-2", case_ref="C-9", analyst="lee"),
                  made("done", 2, RequestState.DECLINED, call_ref="SPT-1", analyst="dana")])
    pane = RequestQueuePane(queue, ZONE, now_fn=clock, tick_ms=60_000, camera_name=NAMES.get)
    qtbot.addWidget(pane)
    flagged = []
    pane.escalation_needed.connect(flagged.append)
    assert shown_ids(pane) == ["near", "far", "done"]
    assert cell(pane, "near", RequestColumn.FLAG) == ""
    assert cell(pane, "near", RequestColumn.CAMERA) == "Gas station – pumps"
    pane.select_request("far")

    clock.advance(2 * 3600 + 1)  # "near" now has 23:59:59 left and still no answer
    pane.tick()
    assert cell(pane, "near", RequestColumn.FLAG) == ESCALATE_TEXT and flagged == ["near"]
    assert cell(pane, "near", RequestColumn.DEADLINE) == "23:59:59"
    assert "1 need escalation" in pane.summary.text()
    pane.tick()
    assert flagged == ["near"]  # told once

    pane.set_filter(RequestFilter(call_ref="spt-1"))
    assert shown_ids(pane) == ["far", "done"] and pane.selected_request_id() == "far"
    pane.state_filter.setCurrentIndex(pane.state_filter.findData(RequestState.DECLINED))
    assert shown_ids(pane) == ["done"]
    pane.set_filter(RequestFilter())
    pane.analyst_filter.setText("lee")
    assert shown_ids(pane) == ["near"]


def test_requests_from_the_dialog_go_live_in_the_queue_from_the_real_event_stream(
        qtbot, dark_theme, server, tmp_path, monkeypatch, screenshot_dir):  # noqa: F811
    store, porch = server.two_cameras()
    client = server.analyst()
    outbox = RequestOutbox(open_link_database(f"sqlite:///{tmp_path / 'server-link.sqlite3'}"))
    queue = RequestQueue()
    pane = RequestQueuePane(queue, ZONE)
    qtbot.addWidget(pane)
    pane.resize(1920, 1080)
    feed = RequestFeed(client, queue)
    feed.link_changed.connect(pane.set_link_status)
    feed.start()
    try:
        qtbot.waitUntil(lambda: pane.link.text() == "● live", timeout=30_000)
        incident = datetime.now(UTC) - timedelta(hours=1)
        dialog = RequestDialog(
            [camera(store, "Corner store – front door", 14), camera(porch, "Porch", 14),
             camera("REG-OLD", "Laundromat – rear lot", 0.01)],
            incident, ZONE, call_ref="SPT-2026-000041", send=lambda d: outbox.submit(client, d),
            confirm_overwritten=lambda names: asked.append(names) or False)
        qtbot.addWidget(dialog)
        dialog.sent.connect(lambda result: queue.upsert(result.requests))  # as the desk wires it
        asked: list[list[str]] = []
        window = dialog.window()
        assert window.end - window.start == timedelta(minutes=30)
        assert window.start == incident.replace(second=0, microsecond=0) - timedelta(minutes=15)
        assert not dialog.send_button.isEnabled()  # a justification is required
        assert "Laundromat" in dialog.warning.text()
        dialog.justification.setPlainText("Armed robbery; suspect fled north on foot")
        dialog.case_ref.setText("C-26-0107")
        assert dialog.send_button.isEnabled()
        dialog.show()
        _screenshot_with_dialog(pane, dialog, screenshot_dir / "request_dialog.png")
        dialog.submit()  # warned first: the analyst says no, nothing is sent
        assert asked == [["Laundromat – rear lot"]] and dialog.status.text() == ""
        dialog.set_cameras(dialog.cameras[:2])  # drops the overwritten one
        assert dialog.warning.text() == ""
        dialog.submit()
        qtbot.waitUntil(lambda: "Sent" in dialog.status.text(), timeout=30_000)
        assert "by email" in dialog.status.text() and "by SMS" in dialog.status.text()
        assert len(asked) == 1 and outbox.pending_count() == 0

        qtbot.waitUntil(lambda: len(queue) == 2 and all(r.complete for r in queue.requests()),
                        timeout=30_000)
        by_camera = {r.camera_id: r.request_id for r in queue.requests()}
        assert cell(pane, by_camera[store], RequestColumn.CONTACT) == "by email"
        assert cell(pane, by_camera[porch], RequestColumn.CONTACT) == "by SMS"

        link = owner_link(server.inbox.wait_for(1)[0])
        httpx.get(link)  # the owner opens the mail: "opened", with no refresh by the desk
        qtbot.waitUntil(lambda: cell(pane, by_camera[store], RequestColumn.STATE) == "opened",
                        timeout=30_000)
        answer_as_owner(link, "no_relevant_footage")
        qtbot.waitUntil(lambda: cell(pane, by_camera[store], RequestColumn.STATE)
                        == "no relevant footage", timeout=30_000)

        # A change the stream cannot tell (written while the desk is away) shows after the
        # reconnect, from the reconcile with the list.
        server.stop()
        qtbot.waitUntil(lambda: pane.link.text().startswith("○ reconnecting"), timeout=30_000)
        with server.services.sessions() as session:
            session.get(ServerRequest, by_camera[porch]).status = "declined"
            session.commit()
        server.restart_on_same_port(monkeypatch)
        qtbot.waitUntil(lambda: cell(pane, by_camera[porch], RequestColumn.STATE) == "declined",
                        timeout=60_000)
        assert pane.link.text() == "● live"

        image = pane.grab().toImage()
        image.save(str(screenshot_dir / "request_queue_live.png"))
        assert_not_blank(image)
    finally:
        feed.stop()
        client.close()


def _screenshot_with_dialog(pane: QWidget, dialog: RequestDialog, path) -> None:
    """The dialog as the analyst sees it: over the desk's queue, at 1920×1080."""
    image = QImage(1920, 1080, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    painter.drawImage(0, 0, pane.grab().toImage())
    shot = dialog.grab().toImage()
    painter.drawImage(QPoint((1920 - shot.width()) // 2, (1080 - shot.height()) // 2), shot)
    painter.end()
    image.save(str(path))
    assert_not_blank(image)


def test_screenshot_of_a_busy_queue(qtbot, dark_theme, screenshot_dir):  # noqa: F811
    clock, queue = Clock(T0), RequestQueue()
    states = [(RequestState.SENT, 20), (RequestState.OPENED, 9), (RequestState.SENT, 70),
              (RequestState.UPLOADING, 40), (RequestState.UPLOADED, 30),
              (RequestState.NO_RELEVANT_FOOTAGE, 50), (RequestState.DECLINED, 60),
              (RequestState.EXPIRED, -3), (RequestState.UPLOADED, 100), (RequestState.UPLOADED, 200),
              (RequestState.SENT, 300)]
    queue.upsert([made(f"r{i}", hours, state, call_ref=f"SPT-2026-0000{41 + i % 3}",
                       case_ref="C-26-0107" if i % 2 else "", analyst=("dana", "lee")[i % 2],
                       reminders_sent=1 if hours < 72 and state.awaiting_owner else 0,
                       delivery_error="SMTP 550 mailbox unavailable" if i == 10 else "")
                  for i, (state, hours) in enumerate(states)])
    queue.apply_event(ServerEvent(1, "upload.progress", {"request_id": "r3", "percent": 35}))
    queue.mark_reviewed("r8", valuable=True)
    queue.mark_shared("r9")
    queue.upsert([made("r11", 150, RequestState.UPLOADED, call_ref="SPT-2026-000041")])
    queue.mark_share_opened("r11", ShareOpening("Ofc. Diaz", T0 - timedelta(minutes=28)))
    names = ["Pharmacy – parking lot", "Gas station – pumps", "Front porch, 712 Texas St",
             "Liquor store – ch 1", "Corner store – front door"]
    pane = RequestQueuePane(queue, ZONE, now_fn=clock,
                            camera_name=lambda cid: names[int(cid[5:]) % len(names)])
    qtbot.addWidget(pane)
    pane.set_link_status(True)
    pane.resize(1920, 1080)
    pane.show()
    pane.select_request("r4")
    assert shown_ids(pane)[:2] == ["r1", "r0"]  # 9 h then 20 h left, both flagged
    assert cell(pane, "r3", RequestColumn.STATE) == "uploading 35 %"
    assert cell(pane, "r10", RequestColumn.CONTACT).startswith("FAILED by email")
    assert cell(pane, "r9", RequestColumn.STATE) == "shared · not opened yet"
    assert cell(pane, "r11", RequestColumn.STATE) == "shared · opened by Ofc. Diaz 12:32"
    image = pane.grab().toImage()
    image.save(str(screenshot_dir / "request_queue_pane.png"))
    assert_not_blank(image)


def test_a_shared_row_says_whether_and_when_the_officer_opened_it(qtbot):
    clock, queue = Clock(T0), RequestQueue()
    queue.upsert([made("a", 100, RequestState.UPLOADED, case_ref="C-26-0107")])
    pane = RequestQueuePane(queue, ZONE, now_fn=clock, tick_ms=60_000)
    qtbot.addWidget(pane)
    queue.mark_reviewed("a", valuable=True)
    queue.mark_shared("a")
    assert cell(pane, "a", RequestColumn.STATE) == "shared · not opened yet"
    opened = T0 + timedelta(minutes=32)  # 13:32 in Chicago (daylight time from March 8)
    queue.apply_event(ServerEvent(9, "share.viewed", {
        "request_id": "a", "officer_name": "Ofc. Diaz", "at": opened.isoformat()}))
    assert cell(pane, "a", RequestColumn.STATE) == "shared · opened by Ofc. Diaz 13:32"
    row = pane.model.row_of("a")
    tip = pane.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "first opened by Ofc. Diaz: 2026-03-14 13:32 CDT" in tip
    clock.advance(24 * 3600)  # the next day the row says which day
    pane.tick()
    assert cell(pane, "a", RequestColumn.STATE) == "shared · opened by Ofc. Diaz 03-14 13:32"


def test_the_officer_opening_the_link_shows_live_and_after_a_restart(qtbot, analyst, built):  # noqa: F811
    local = datetime.now().astimezone().tzinfo  # the workstation's zone, as the desk shows it
    queue = RequestQueue()
    pane = RequestQueuePane(queue, local)
    qtbot.addWidget(pane)
    feed = RequestFeed(analyst, queue)
    feed.link_changed.connect(pane.set_link_status)
    feed.start()
    try:
        qtbot.waitUntil(lambda: cell(pane, built.request_id, RequestColumn.STATE)
                        == "shared · not opened yet", timeout=30_000)
        share = create_share(analyst, built.clip_id, "Ofc. Dana Diaz", "+13185550177",
                             built.case_ref)
        assert httpx.get(share.url).status_code == 200  # the officer taps the text's link
        first = next(s for s in list_shares(analyst) if s.id == share.id).first_viewed_at
        expected = f"shared · opened by Ofc. Dana Diaz {first.astimezone(local):%H:%M}"
        qtbot.waitUntil(lambda: cell(pane, built.request_id, RequestColumn.STATE) == expected,
                        timeout=30_000)
    finally:
        feed.stop()

    restarted = RequestQueue()  # a desk started afresh learns it from the shares list
    again = RequestFeed(analyst, restarted)
    with qtbot.waitSignal(again.reconciled, timeout=30_000):
        again.reload()
    assert restarted.get(built.request_id).shared_opened_by == "Ofc. Dana Diaz"
    assert restarted.get(built.request_id).shared_opened_at == first
