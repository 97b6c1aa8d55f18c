"""The administrator's pole camera inventory: pick a city camera, edit its view and streams, save.

Saving goes to the server's inventory (admins only) off the GUI thread. The form warns
before saving when the edit changes what the camera shows (bearing, field of view, stream
source, …): the server then sends it back to privacy review and it leaves every wall until
a reviewer approves it again. Masks are the reviewer's and are never sent from here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.server_link.city_cameras_api import (
    CityCameraState,
    InventoryResult,
    city_camera_refusal_text,
    get_city_camera,
    push_inventory,
    sync_city_cameras,
)
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.core.privacy_review import PrivacyReview
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.privacy.camera_list import CityCameraList
from rtcc_desk.ui.privacy.pole_form import PoleCameraForm
from rtcc_desk.ui.privacy.review_dialog import review_text, sentence
from rtcc_desk.ui.theme import DANGER, MUTED, OK, WARNING


class PoleInventoryDialog(QDialog):
    """Emits ``saved(CityCameraState)`` with the camera as the server now has it."""

    saved = Signal(object)

    def __init__(self, client: ServerClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pole camera inventory")
        self.client = client
        self._opening: str | None = None
        self.cameras = CityCameraList("All cameras", self)
        self.list_status = QLabel("", self, wordWrap=True)
        self.form = PoleCameraForm(self)
        self.review_state = QLabel("", self, wordWrap=True)
        self.warning = QLabel("", self, wordWrap=True)
        self.warning.setStyleSheet(f"color: {WARNING}; font-weight: bold;")
        self.message = QLabel("", self, wordWrap=True)
        self.save_button = QPushButton("Save to the inventory", self)
        self.save_button.setAutoDefault(False)
        self.revert_button = QPushButton("Undo changes", self)
        self.revert_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.review_state)
        right_layout.addWidget(self.form)
        right_layout.addWidget(self.warning)
        right_layout.addStretch()
        right_layout.addLayout(buttons)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.cameras, 1)
        left_layout.addWidget(self.list_status)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 640])
        QVBoxLayout(self).addWidget(splitter)
        self.cameras.camera_selected.connect(self.open_camera)
        self.form.changed.connect(self._form_changed)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._revert)
        self.save_button.setEnabled(False)
        self.resize(1150, 620)

    def refresh(self) -> None:
        self.list_status.setText("Loading cameras…")
        client = self.client
        run_in_background(lambda: sync_city_cameras(client), self._listed,
                          lambda exc: self._error(city_camera_refusal_text(exc, "list"),
                                                  self.list_status))

    def _listed(self, sync) -> None:
        self.cameras.set_cameras(sync.cameras)
        count = len(sync.cameras)
        self.list_status.setText(f"{count} city camera{'' if count == 1 else 's'}")
        self.list_status.setStyleSheet("")

    def open_camera(self, camera_id: str) -> None:
        """Load the camera as the server has it now."""
        self._opening = camera_id
        self.save_button.setEnabled(False)
        client = self.client
        run_in_background(lambda: get_city_camera(client, camera_id), self._opened,
                          lambda exc: self._error(city_camera_refusal_text(exc, "list")))

    def _opened(self, state: CityCameraState) -> None:
        if state.camera_id != self._opening:
            return
        self._opening = None
        self._show(state)
        self.message.clear()

    def _show(self, state: CityCameraState) -> None:
        self.cameras.put(state)
        self.form.load(state)
        colour = {PrivacyReview.APPROVED: OK, PrivacyReview.REJECTED: DANGER}.get(
            state.camera.privacy_review, WARNING)
        self.review_state.setText(f"Privacy review: {review_text(state)}")
        self.review_state.setStyleSheet(f"color: {colour};")
        self._form_changed()

    def _revert(self) -> None:
        if self.form.state is not None:
            self.form.load(self.form.state)
            self.message.clear()

    def _form_changed(self) -> None:
        state = self.form.state
        if state is None:
            return
        try:
            camera, reasons = self.form.edited(), self.form.review_reasons()
        except ValueError as exc:
            self.warning.clear()
            self.save_button.setEnabled(False)
            self._error(sentence(str(exc)))
            return
        self.message.clear()
        self.save_button.setEnabled(camera != state.camera and self._opening is None)
        if reasons and state.camera.privacy_review is PrivacyReview.APPROVED:
            self.warning.setText(f"Saving sends this camera back to privacy review "
                                 f"({'; '.join(reasons)}): it leaves every wall until a reviewer "
                                 "approves what it shows now.")
        elif reasons:
            self.warning.setText(f"Saving restarts its privacy review ({'; '.join(reasons)}).")
        else:
            self.warning.clear()

    def save(self) -> None:
        """Send the edited camera to the inventory, then read it back from the server."""
        try:
            camera = self.form.edited()
        except ValueError as exc:
            self._error(sentence(str(exc)))
            return
        self.save_button.setEnabled(False)
        self.message.setStyleSheet(f"color: {MUTED};")
        self.message.setText("Saving…")
        client = self.client

        def send() -> tuple[InventoryResult, CityCameraState]:
            result = push_inventory(client, [camera])  # masks stay the reviewer's
            return result, get_city_camera(client, camera.camera_id)

        run_in_background(send, self._saved, self._save_failed)

    def _save_failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        self._error(city_camera_refusal_text(exc, "inventory"))

    def _saved(self, outcome: tuple[InventoryResult, CityCameraState]) -> None:
        result, state = outcome
        self._show(state)
        reasons = result.sent_to_review.get(state.camera_id)
        if reasons:
            text = f"Saved. Sent back to privacy review: {'; '.join(reasons)}."
        else:
            text = "Saved. Its privacy review stands (nothing changed in what it shows)."
        self.message.setStyleSheet(f"color: {OK};")
        self.message.setText(text)
        self.saved.emit(state)

    def _error(self, text: str, label: QLabel | None = None) -> None:
        label = label or self.message
        label.setStyleSheet(f"color: {DANGER}; font-weight: bold;")
        label.setText(text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
