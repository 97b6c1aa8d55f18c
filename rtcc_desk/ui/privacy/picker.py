""""Which camera?": a city camera list to choose one from, e.g. for a supervisor's unmasked view."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from rtcc_desk.adapters.server_link.city_cameras_api import (
    CityCameraState,
    city_camera_refusal_text,
    sync_city_cameras,
)
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.privacy.camera_list import CityCameraList
from rtcc_desk.ui.theme import DANGER


class CameraPickerDialog(QDialog):
    """Lists the city cameras (``first_filter`` first); ``chosen(CityCameraState)`` on OK or a
    double-click."""

    chosen = Signal(object)

    def __init__(self, client: ServerClient, title: str, action: str, *,
                 first_filter: str = "Approved", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.client = client
        self.cameras = CityCameraList(first_filter, self)
        self.status = QLabel("Loading cameras…", self, wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.go = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.cameras.camera_selected.connect(lambda _id: self.go.setEnabled(True))
        self.cameras.camera_activated.connect(lambda _id: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.cameras, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(620, 520)

    def refresh(self) -> None:
        client = self.client
        run_in_background(lambda: sync_city_cameras(client), self._listed, self._failed)

    def _listed(self, sync) -> None:
        self.cameras.set_cameras(sync.cameras)
        shown = len(self.cameras.visible_ids())
        self.status.setText(f"{shown} shown of {len(sync.cameras)} city cameras")

    def _failed(self, exc: Exception) -> None:
        self.status.setStyleSheet(f"color: {DANGER};")
        self.status.setText(city_camera_refusal_text(exc, "list"))

    def accept(self) -> None:
        camera_id = self.cameras.selected_id()
        state: CityCameraState | None = self.cameras.model.get(camera_id) if camera_id else None
        if state is None:
            return
        super().accept()
        self.chosen.emit(state)
