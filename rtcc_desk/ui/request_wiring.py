"""Footage requests in the desk: the queue pane, its live feed, and "Request footage" (Ctrl+R)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.request_outbox import RequestOutbox
from rtcc_desk.core.request_queue import ESCALATE_WITHIN, RequestQueue
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.desk import Desk
from rtcc_desk.ui.main_window import MainWindow
from rtcc_desk.ui.package_export import CasePackageMenu
from rtcc_desk.ui.requests import RequestDialog, RequestFeed, RequestQueuePane


class DeskRequests:
    """Owns the request queue of one signed-in desk and the actions around it."""

    def __init__(self, window: MainWindow, desk: Desk, client: ServerClient, outbox: RequestOutbox,
                 zone: ZoneInfo, *, escalate_within: timedelta = ESCALATE_WITHIN) -> None:
        self.window, self.desk, self.client, self.outbox, self.zone = window, desk, client, outbox, zone
        self.queue = RequestQueue(escalate_within=escalate_within)
        index = desk.p.index
        self.pane = RequestQueuePane(self.queue, zone,
                                     camera_name=lambda cid: (c := index.camera(cid)) and c.name)
        self.feed = RequestFeed(client, self.queue)
        self.feed.link_changed.connect(self.pane.set_link_status)
        self.feed.link_changed.connect(lambda up, _detail: up and self.deliver_queued())
        self.dialog: RequestDialog | None = None
        action = QAction("Request footage…", window, shortcut=QKeySequence("Ctrl+R"))
        action.setToolTip("Ask the owners of the candidate cameras for the call's footage")
        action.triggered.connect(lambda: self.open_dialog())
        window.addAction(action)
        menu = window.menuBar().addMenu("&Requests")
        menu.addAction(action)
        self.action = action
        self.package_export = CasePackageMenu(self, menu)
        desk.p.details.request_footage.connect(self.open_dialog_for)

    def start(self) -> None:
        if self.client.session is not None:  # offline sign-in: the feed starts after sign-in again
            self.feed.start()
        self.deliver_queued()

    def stop(self) -> None:
        self.feed.stop()

    def deliver_queued(self) -> None:
        """Requests made while the server was away go now (exactly once: client ids)."""
        if self.client.session is None or not self.outbox.pending_count():
            return
        run_in_background(lambda: self.outbox.deliver(self.client), self._delivered)

    def _delivered(self, results) -> None:
        self.queue.upsert([r for result in results for r in result.requests])

    def open_dialog_for(self, camera_id: str) -> None:
        """"Request footage…" in a camera's details: that camera, for the selected call."""
        camera = self.desk.p.index.camera(camera_id)
        if camera is not None:
            self.open_dialog([camera])

    def open_dialog(self, chosen: list | None = None) -> None:
        call, incident_time, cameras = self.desk.request_subject()
        cameras = chosen or cameras
        if not cameras:
            QMessageBox.information(self.window, "Request footage",
                                    "Select a call (or search a map point) with registered cameras "
                                    "among its candidates first.")
            return
        self.dialog = RequestDialog(cameras, incident_time or datetime.now(UTC), self.zone,
                                    call_ref=call.call_id if call else "",
                                    send=lambda draft: self.outbox.submit(self.client, draft),
                                    parent=self.window)
        self.dialog.sent.connect(lambda result: self.queue.upsert(result.requests))
        self.dialog.open()
