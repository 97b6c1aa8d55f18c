"""Camera details: what the desk knows about one camera, and the owner's contact on request.

The owner's name, email and phone are private: they are fetched from the server only when
the analyst asks and gives a reason, and the server records that in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.core.cameras import Camera, EdgeChannel, PoleCamera, RegisteredCamera
from rtcc_desk.ui.background import run_in_background

KIND_TEXT = {"city_pole": "City pole camera", "business": "Registered — business",
             "residential": "Registered — residential", "edge_channel": "Edge recorder channel"}

#: ``fetch_owner(camera_id, justification)`` returns an object with name, email, phone,
#: preferred_channel and address, or raises an exception whose message the analyst can read.
FetchOwner = Callable[[str, str], object]


class CameraDetailsPane(QWidget):
    owner_shown = Signal(str)  #: camera id whose owner contact is now on screen
    request_footage = Signal(str)  #: camera id: the analyst asks its owner for footage

    def __init__(self, fetch_owner: FetchOwner | None = None) -> None:
        super().__init__()
        self._fetch_owner = fetch_owner
        self.camera: Camera | None = None
        self.edge_actions = None  # an edge channel's buttons (ui/edge_actions.py), once set
        layout = QVBoxLayout(self)
        self.title = QLabel("No camera selected")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addLayout(self.form)
        self.owner_button = QPushButton("Show owner contact…")
        self.owner_button.setToolTip("Private data: you will be asked why; the request is audited.")
        self.owner_button.clicked.connect(self.ask_for_owner)
        self.owner_button.hide()
        layout.addWidget(self.owner_button)
        self.request_button = QPushButton("Request footage…")
        self.request_button.setToolTip("Ask this camera's owner for the selected call's footage (Ctrl+R)")
        self.request_button.clicked.connect(
            lambda: self.camera is not None and self.request_footage.emit(self.camera.camera_id))
        self.request_button.hide()
        layout.addWidget(self.request_button)
        self.owner = QLabel()
        self.owner.setWordWrap(True)
        self.owner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.owner)
        layout.addStretch()

    def set_edge_actions(self, actions: QWidget) -> None:
        """Show ``actions`` (with ``show_camera``) above the owner's contact, for every camera."""
        self.edge_actions = actions
        self.layout().insertWidget(self.layout().indexOf(self.owner), actions)
        actions.show_camera(self.camera)

    def show_camera(self, camera: Camera | None) -> None:
        self.camera = camera
        if self.edge_actions is not None:
            self.edge_actions.show_camera(camera)
        self.owner.clear()
        while self.form.rowCount():
            self.form.removeRow(0)
        if camera is None:
            self.title.setText("No camera selected")
            self.owner_button.hide()
            self.request_button.hide()
            return
        self.title.setText(camera.name or camera.camera_id)
        for label, value in self._facts(camera):
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(label, text)
        self.owner_button.setVisible(isinstance(camera, RegisteredCamera) and self._fetch_owner is not None)
        self.request_button.setVisible(isinstance(camera, RegisteredCamera))
        self.owner_button.setEnabled(True)

    def _facts(self, camera: Camera) -> list[tuple[str, str]]:
        view = camera.view
        facing = "direction unknown" if view.direction_unknown else f"{view.bearing:.0f}° ({view.fov:.0f}° wide)"
        where = f"{camera.location.lat:.5f}, {camera.location.lon:.5f}" if camera.location else "no location"
        facts = [("Kind", KIND_TEXT.get(str(camera.kind), str(camera.kind))), ("Id", camera.camera_id),
                 ("Location", where), ("Facing", facing), ("Range", f"{view.range_m:.0f} m"),
                 ("Recorder keeps", f"{camera.retention_days:g} days" if camera.retention_days else "not known")]
        if isinstance(camera, PoleCamera):
            facts += [("Pole", f"{camera.pole_id}, camera {camera.position_on_pole} of 3"),
                      ("Privacy review", str(camera.privacy_review))]
        elif isinstance(camera, RegisteredCamera):
            facts += [("Recorder", str(camera.recorder_type).replace("_", " ")),
                      ("Access", "footage by request to the owner")]
        elif isinstance(camera, EdgeChannel):
            facts += [("Edge device", f"{camera.edge_device_id}, channel {camera.channel}"),
                      ("Access", "streams from the business's recorder on request")]
        if camera.withdrawn:
            facts.append(("Status", "withdrawn"))
        return facts

    def ask_for_owner(self) -> None:
        camera = self.camera
        if camera is None or self._fetch_owner is None:
            return
        reason, ok = QInputDialog.getText(self, "Owner contact",
                                          "Why do you need the owner's contact? (recorded in the audit trail)")
        if not ok or len(reason.strip()) < 3:
            return
        self.owner_button.setEnabled(False)
        self.owner.setText("Asking the server…")
        run_in_background(lambda: self._fetch_owner(camera.camera_id, reason.strip()),
                          lambda owner: self._show_owner(camera.camera_id, owner), self._owner_failed)

    def _show_owner(self, camera_id: str, owner) -> None:
        if self.camera is None or self.camera.camera_id != camera_id:
            return  # the analyst moved on to another camera meanwhile
        lines = [owner.name, owner.address, owner.phone or "no phone", owner.email,
                 f"prefers {owner.preferred_channel}"]
        # Owners typed these: escape them, a QLabel would otherwise render their HTML.
        self.owner.setText("<br>".join(escape(str(line)) for line in lines)
                           + f"<br><i>shown at {datetime.now():%H:%M}</i>")
        self.owner_shown.emit(camera_id)

    def _owner_failed(self, exc: Exception) -> None:
        self.owner_button.setEnabled(True)
        self.owner.setText(f"Could not get the owner's contact: {exc}")
