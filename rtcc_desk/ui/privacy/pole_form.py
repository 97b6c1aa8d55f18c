"""The form for one pole camera in the inventory: view, range, stream addresses, passwords hidden.

Passwords never appear in clear: an address is shown without its password (``credentials``),
the password field shows •••• when one is stored and replaces it only when something is
typed there. While editing, the form says whether saving would send the camera back to
privacy review (``changes_needing_review``: bearing, field of view, stream source, …).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from rtcc_desk.adapters.server_link.city_cameras_api import CityCameraState
from rtcc_desk.core.cameras import PoleCamera, View
from rtcc_desk.core.privacy_review import changes_needing_review
from rtcc_desk.ui.privacy.credentials import DOTS, address_to_save, has_password, shown_address


def _spin(minimum: float, maximum: float, suffix: str, decimals: int = 1) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(minimum, maximum)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    spin.setMinimumWidth(120)
    spin.setMaximumWidth(160)
    return spin


def _unless_rounded(shown: float, stored: float | None, decimals: int) -> float:
    """The stored value where the field only shows it rounded: opening and saving a camera
    must not move it by a rounding."""
    if stored is not None and round(stored, decimals) == round(shown, decimals):
        return stored
    return round(shown, decimals)


class StreamFields(QWidget):
    """An address field and its password field side by side."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.stored = ""
        self.address = QLineEdit(self, placeholderText="rtsp://user@host:554/path, http(s)://…, "
                                                       "or a file")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setToolTip("Leave empty to keep the stored password; type to replace it.")
        self.password.setMaximumWidth(180)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.address, 1)
        row.addWidget(QLabel("password", self))
        row.addWidget(self.password)
        self.address.textEdited.connect(lambda _t: self.changed.emit())
        self.password.textEdited.connect(lambda _t: self.changed.emit())

    def load(self, url: str) -> None:
        self.stored = url
        self.address.setText(shown_address(url))
        self.password.clear()
        self.password.setPlaceholderText(f"{DOTS} (stored)" if has_password(url) else "none stored")

    def value(self) -> str:
        """The address to save (stored secrets put back); ValueError naming the field."""
        return address_to_save(self.address.text(), self.stored, self.password.text(),
                               label=self.label)


class PoleCameraForm(QWidget):
    """Edits a ``CityCameraState``'s camera; ``edited()`` gives the camera to save."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: CityCameraState | None = None
        self.identity = QLabel("", self)
        self.name = QLineEdit(self)
        self.bearing = _spin(0.0, 359.9, "°")
        self.bearing.setWrapping(True)
        self.direction_unknown = QCheckBox("direction unknown", self)
        self.fov = _spin(1.0, 360.0, "°")
        self.range_m = _spin(1.0, 5000.0, " m", 0)
        self.main = StreamFields("main stream", self)
        self.sub = StreamFields("sub stream", self)
        bearing_row = QHBoxLayout()
        bearing_row.addWidget(self.bearing)
        bearing_row.addWidget(self.direction_unknown)
        bearing_row.addStretch()
        form = QFormLayout(self)
        form.addRow("Camera", self.identity)
        form.addRow("Name", self.name)
        form.addRow("Bearing", bearing_row)
        form.addRow("Field of view", self.fov)
        form.addRow("Range", self.range_m)
        form.addRow("Main stream", self.main)
        form.addRow("Sub stream", self.sub)
        self.direction_unknown.toggled.connect(self.bearing.setDisabled)
        for signal in (self.name.textEdited, self.bearing.valueChanged, self.fov.valueChanged,
                       self.range_m.valueChanged, self.direction_unknown.toggled,
                       self.main.changed, self.sub.changed):
            signal.connect(lambda *_: self.changed.emit())
        self.setEnabled(False)

    def load(self, state: CityCameraState) -> None:
        self.state = state
        camera = state.camera
        widgets = (self.name, self.bearing, self.fov, self.range_m, self.direction_unknown)
        for widget in widgets:
            widget.blockSignals(True)
        self.identity.setText(f"{camera.camera_id} · pole {camera.pole_id}, camera "
                              f"{camera.position_on_pole} of 3")
        self.name.setText(camera.name)
        self.direction_unknown.setChecked(camera.view.bearing is None)
        self.bearing.setDisabled(camera.view.bearing is None)
        self.bearing.setValue(camera.view.bearing or 0.0)
        self.fov.setValue(camera.view.fov)
        self.range_m.setValue(camera.view.range_m)
        self.main.load(camera.main_stream_url)
        self.sub.load(camera.sub_stream_url)
        for widget in widgets:
            widget.blockSignals(False)
        self.setEnabled(True)
        self.changed.emit()

    def edited(self) -> PoleCamera:
        """The camera as the form has it; ValueError saying which field is wrong."""
        if self.state is None:
            raise ValueError("choose a camera first")
        stored = self.state.camera.view
        bearing = None if self.direction_unknown.isChecked() else _unless_rounded(
            self.bearing.value(), stored.bearing, self.bearing.decimals())
        fov = _unless_rounded(self.fov.value(), stored.fov, self.fov.decimals())
        range_m = _unless_rounded(self.range_m.value(), stored.range_m, self.range_m.decimals())
        try:
            view = View(bearing, fov, range_m)
        except ValueError as exc:
            raise ValueError(f"view: {exc}") from None
        return replace(self.state.camera, name=self.name.text().strip(), view=view,
                       main_stream_url=self.main.value(), sub_stream_url=self.sub.value())

    def review_reasons(self) -> tuple[str, ...]:
        """Why saving would send the camera back to review (empty: the review stands)."""
        if self.state is None:
            return ()
        return changes_needing_review(self.state.camera, self.edited())
