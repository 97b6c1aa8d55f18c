"""The Privacy menu: camera review for privacy reviewers, audited unmasked views for supervisors,
the pole camera inventory for admins, and the unmasked-view log for all three.

``add_privacy_menu`` is called once from ``app.assemble``; it returns the ``DeskPrivacy``
(or None for roles with no privacy work). The wall calls ``DeskPrivacy.view_unmasked(camera)``
for its "View unmasked…" tile action. Open unmasked views are ended when the application
quits, before the event loop stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from rtcc_desk.adapters.server_link.city_cameras_api import (
    CityCameraChange,
    CityCameraState,
    city_camera_refusal_text,
    get_city_camera,
)
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.core.privacy_review import REVIEW_ROLE, UNMASK_ROLE, PrivacyReview
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.privacy.inventory_dialog import PoleInventoryDialog
from rtcc_desk.ui.privacy.live_view import StreamOpener
from rtcc_desk.ui.privacy.picker import CameraPickerDialog
from rtcc_desk.ui.privacy.review_dialog import PrivacyReviewDialog
from rtcc_desk.ui.privacy.unmask import NOT_A_SUPERVISOR, UnmaskedViewer
from rtcc_desk.ui.privacy.unmasked_log import UnmaskedViewsDialog

log = logging.getLogger("rtcc.desk")
ADMIN_ROLE = "admin"
#: Roles that get the Privacy menu.
PRIVACY_ROLES = {REVIEW_ROLE, UNMASK_ROLE, ADMIN_ROLE}

Audit = Callable[..., None]  # Desk.audit(action, object, **fields)


class DeskPrivacy:
    """The privacy windows of one signed-in desk, made on first use."""

    def __init__(self, window: QMainWindow, client: ServerClient, username: str, roles, *,
                 details=None, audit: Audit | None = None,
                 open_stream: StreamOpener | None = None) -> None:
        self.window, self.client, self.username = window, client, username
        self.roles = tuple(roles)
        self.details = details  # the camera details pane: its pole camera is the default target
        self.audit = audit  # every desk role reports to the audit trail, reviewers included
        self.open_stream = open_stream
        self.review_dialog: PrivacyReviewDialog | None = None
        self.inventory_dialog: PoleInventoryDialog | None = None
        self.log_dialog: UnmaskedViewsDialog | None = None
        self.picker: CameraPickerDialog | None = None
        self.viewer = UnmaskedViewer(client, self.roles, open_stream=open_stream,
                                     parent_window=window)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    @property
    def may_review(self) -> bool:
        return REVIEW_ROLE in self.roles

    @property
    def may_unmask(self) -> bool:
        return UNMASK_ROLE in self.roles

    @property
    def may_edit_inventory(self) -> bool:
        return ADMIN_ROLE in self.roles

    def open_review(self) -> PrivacyReviewDialog | None:
        if not self.may_review:
            return None
        if self.review_dialog is None:
            self.review_dialog = PrivacyReviewDialog(
                self.client, self.username, open_stream=self.open_stream, parent=self.window)
            self.review_dialog.viewed.connect(self._review_viewed)
        self._raise(self.review_dialog)
        self.review_dialog.refresh()
        return self.review_dialog

    def _review_viewed(self, camera_id: str, seconds: float) -> None:
        if self.audit is not None:
            self.audit("video.view", f"camera:{camera_id}",
                       justification=f"privacy review, unmasked, {seconds:.0f} s")
        else:
            log.info("privacy review: %s watched unmasked for %.0f s", camera_id, seconds)

    def open_inventory(self) -> PoleInventoryDialog | None:
        if not self.may_edit_inventory:
            return None
        if self.inventory_dialog is None:
            self.inventory_dialog = PoleInventoryDialog(self.client, parent=self.window)
        self._raise(self.inventory_dialog)
        self.inventory_dialog.refresh()
        return self.inventory_dialog

    def show_unmasked_log(self) -> UnmaskedViewsDialog:
        if self.log_dialog is None:
            self.log_dialog = UnmaskedViewsDialog(self.client, parent=self.window)
        self._raise(self.log_dialog)
        self.log_dialog.refresh()
        return self.log_dialog

    def view_unmasked(self, camera: PoleCamera | None = None,
                      parent: QWidget | None = None) -> None:
        """"View unmasked…" for ``camera`` (the wall's tile), else the camera in the details
        pane, else one the supervisor picks. The camera is read afresh from the server first."""
        if not self.may_unmask:
            self.viewer.refuse(NOT_A_SUPERVISOR)
            return
        shown = getattr(self.details, "camera", None)
        if camera is None and isinstance(shown, PoleCamera):
            camera = shown
        if camera is None:
            self.picker = CameraPickerDialog(self.client, "View a camera unmasked",
                                             "View unmasked…", parent=self.window)
            self.picker.chosen.connect(lambda state: self.viewer.ask(state.camera, parent))
            self.picker.open()
            self.picker.refresh()
            return
        client, camera_id = self.client, camera.camera_id
        run_in_background(lambda: get_city_camera(client, camera_id),
                          lambda state: self._ask(state, parent),
                          lambda exc: self.viewer.refuse(city_camera_refusal_text(exc, "unmask")))

    def _ask(self, state: CityCameraState, parent: QWidget | None) -> None:
        self.viewer.ask(state.camera, parent)

    def on_city_camera_change(self, change: CityCameraChange) -> None:
        """A ``city_camera.change`` event (``city_camera_change(event)``): an unmasked view of
        a camera now out of service ends; an open review list is read again."""
        if not change.in_service:
            why = change.pending_reason or (
                "withdrawn" if change.review_state is PrivacyReview.APPROVED
                else f"{change.review_state} review")
            self.viewer.camera_left_service(change.camera_id, why)
        if self.review_dialog is not None and self.review_dialog.isVisible():
            self.review_dialog.refresh()

    def cameras_changed(self, index) -> None:
        """The desk's copy of the city cameras changed (its sync with the server): an unmasked
        view of a camera no longer approved ends; an open review list is read again."""
        for window in list(self.viewer.windows.values()):
            camera_id = window.camera.camera_id
            if not index.is_in_service(camera_id):
                self.viewer.camera_left_service(camera_id, "no longer approved for viewing")
        if self.review_dialog is not None and self.review_dialog.isVisible():
            self.review_dialog.refresh()

    def stop(self) -> None:
        """The desk is closing: end open unmasked views now (each end is audited)."""
        ended = self.viewer.end_all()
        if ended:
            log.info("ended %d unmasked view(s) at exit", ended)

    @staticmethod
    def _raise(dialog) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()


def add_privacy_menu(window: QMainWindow, client: ServerClient, session, *, details=None,
                     audit: Audit | None = None,
                     open_stream: StreamOpener | None = None) -> DeskPrivacy | None:
    """Add the Privacy menu for the signed-in roles; None (no menu) for roles without any
    privacy work."""
    if not PRIVACY_ROLES & set(session.roles):
        return None
    privacy = DeskPrivacy(window, client, session.username, session.roles, details=details,
                          audit=audit, open_stream=open_stream)
    menu = window.menuBar().addMenu("&Privacy")
    if privacy.may_review:
        menu.addAction("Review city cameras…").triggered.connect(privacy.open_review)
    if privacy.may_unmask:
        menu.addAction("View camera unmasked…").triggered.connect(lambda: privacy.view_unmasked())
    if privacy.may_edit_inventory:
        menu.addAction("Edit pole cameras…").triggered.connect(privacy.open_inventory)
    menu.addSeparator()
    menu.addAction("Unmasked views log…").triggered.connect(privacy.show_unmasked_log)
    return privacy
