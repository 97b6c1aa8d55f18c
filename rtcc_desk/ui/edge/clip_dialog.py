""""Ask the box for footage": the window (prefilled around the call's time), call and case, a
required justification; sent off the GUI thread, the box's first answer shown in the dialog."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.server_link.edge_api import edge_error_text
from rtcc_desk.core.cameras import EdgeChannel
from rtcc_desk.core.request_queue import RequestWindow
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.requests.dialog import _qt_zone, window_between

#: ``ask(window, justification, call_ref, case_ref, client_id)`` returns the server's first
#: answer: an object with ``state`` and ``note`` (``EdgeClip``, or one wrapping it).
Ask = Callable[[RequestWindow, str, str, str, str], object]
_FORMAT = "yyyy-MM-dd HH:mm"


def prefilled_window(incident_time: datetime | None, now: datetime) -> RequestWindow:
    """−15/+15 min around the call (as for owners), but never past now: a box has recorded
    nothing later, and it would cut a window still being written short."""
    around = RequestWindow.around(incident_time or now)
    end = min(around.end, now.replace(second=0, microsecond=0))
    if end <= around.start:
        end = around.start + timedelta(minutes=1)
    return RequestWindow(around.start, end)


class EdgeClipDialog(QDialog):
    """One ask per dialog: its client id is made once, so "Ask" twice never asks the box twice."""

    asked = Signal(object)  #: what ``ask`` returned, on the GUI thread

    def __init__(self, camera: EdgeChannel, incident_time: datetime | None, zone: tzinfo, *,
                 ask: Ask, call_ref: str = "", now: datetime | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ask the edge box for footage")
        self.camera, self.zone, self.ask = camera, zone, ask
        self.client_id = uuid.uuid4().hex
        window = prefilled_window(incident_time, now or datetime.now(UTC))
        self.start, self.end = self._time_edit(window.start), self._time_edit(window.end)
        self.call_ref = QLineEdit(call_ref, self, placeholderText="CAD call number")
        self.case_ref = QLineEdit(self, placeholderText="Case number (if one is open)")
        self.justification = QPlainTextEdit(self)
        self.justification.setPlaceholderText("Required: why this footage is needed (the "
                                              "business's access log and the audit trail show it)")
        self.justification.setFixedHeight(70)
        self.problems = QLabel(self, wordWrap=True)
        self.status = QLabel(self, wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.send_button = self.buttons.addButton("Ask the box",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for signal in (self.start.dateTimeChanged, self.end.dateTimeChanged,
                       self.justification.textChanged):
            signal.connect(self._validate)
        self._lay_out()
        self._validate()

    def window(self) -> RequestWindow | None:
        return window_between(self.start, self.end)

    def submit(self) -> None:
        if not self._validate():
            return
        window, justification = self.window(), self.justification.toPlainText().strip()
        call_ref, case_ref = self.call_ref.text().strip(), self.case_ref.text().strip()
        self.send_button.setEnabled(False)
        self.status.setText("Asking the edge box…")
        client_id = self.client_id
        run_in_background(lambda: self.ask(window, justification, call_ref, case_ref, client_id),
                          self._done, self._failed)

    def _done(self, answer) -> None:
        refused = answer.state in ("refused", "failed", "expired")
        self.status.setText(f"<b>{'Refused' if refused else 'Asked'}</b>: {answer.note}")
        self.buttons.clear()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
        self.asked.emit(answer)

    def _failed(self, exc: Exception) -> None:
        self.status.setText(f"<b>Not asked</b>: {edge_error_text(exc)}")
        self.send_button.setEnabled(True)

    def _time_edit(self, at: datetime) -> QDateTimeEdit:
        edit = QDateTimeEdit(self)
        edit.setTimeZone(_qt_zone(self.zone))
        edit.setDisplayFormat(_FORMAT)
        edit.setCalendarPopup(True)
        edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(at.timestamp()), _qt_zone(self.zone)))
        return edit

    def _lay_out(self) -> None:
        times = QHBoxLayout()
        for widget in (self.start, QLabel("to", self), self.end):
            times.addWidget(widget)
        times.addStretch(1)
        form = QFormLayout()
        form.addRow("Window", times)
        form.addRow("Call", self.call_ref)
        form.addRow("Case", self.case_ref)
        form.addRow("Justification", self.justification)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{self.camera.name or self.camera.camera_id}</b><br>"
                         "The business's edge box cuts this window from its own recording and "
                         "uploads it; it arrives in the request queue like an owner's upload.",
                         self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(560, 340)

    def _validate(self, *_) -> bool:
        window, problems = self.window(), []
        if window is None:
            problems.append("the window must end after it starts")
        elif window.start > datetime.now(UTC):
            problems.append("the window has not happened yet")
        if len(self.justification.toPlainText().strip()) < 3:
            problems.append("a justification is required")
        self.problems.setText("To ask: " + "; ".join(problems) + "." if problems else "")
        self.send_button.setEnabled(not problems)
        return not problems
