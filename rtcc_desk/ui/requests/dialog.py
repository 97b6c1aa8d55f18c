"""The "Request footage" dialog: window, call and case references, a required justification;
a warning before sending for cameras whose recorder has already overwritten the window; then
each owner contacted and by which channel (or the request queued until the server returns)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.correlation import overwrite_deadline
from rtcc_desk.core.countdown import countdown_text
from rtcc_desk.core.request_queue import RequestDraft, RequestWindow
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.requests.model import contact_text

#: What the send function returns: an object with ``requests``, ``queued`` and ``error``
#: (``request_outbox.SubmitResult``), or a list of core FootageRequest.
Send = Callable[[RequestDraft], object]
_FORMAT = "yyyy-MM-dd HH:mm"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RequestDialog(QDialog):
    """One draft per dialog: its client id is made once, so sending twice never asks twice."""

    sent = Signal(object)  #: the send function's result, on the GUI thread

    def __init__(self, cameras: Sequence[Camera], incident_time: datetime, zone: tzinfo, *,
                 call_ref: str = "", case_ref: str = "", send: Send | None = None,
                 now_fn: Callable[[], datetime] = _utc_now,
                 confirm_overwritten: Callable[[list[str]], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Request footage")
        self.cameras, self.zone, self.now_fn, self.send = list(cameras), zone, now_fn, send
        self.confirm_overwritten = confirm_overwritten or self._ask_overwritten
        self._client_id: str | None = None
        window = RequestWindow.around(incident_time)
        self.start = self._time_edit(window.start)
        self.end = self._time_edit(window.end)
        self.call_ref = QLineEdit(call_ref, self, placeholderText="CAD call number")
        self.case_ref = QLineEdit(case_ref, self, placeholderText="Case number (if one is open)")
        self.justification = QPlainTextEdit(self)
        self.justification.setPlaceholderText(
            "Required: why this footage is needed (the owner does not see it; the audit trail does)")
        self.justification.setFixedHeight(80)
        self.justification.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.justification.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.camera_list = QListWidget(self)
        self.warning = QLabel(self, wordWrap=True)
        self.status = QLabel(self, wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.send_button = self.buttons.addButton("Send request",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for signal in (self.start.dateTimeChanged, self.end.dateTimeChanged,
                       self.justification.textChanged):
            signal.connect(self._validate)
        self._lay_out()
        self._validate()

    # ----- what the analyst chose ------------------------------------------------------------

    def window(self) -> RequestWindow | None:
        return window_between(self.start, self.end)

    def set_cameras(self, cameras: Sequence[Camera]) -> None:
        """The cameras asked (the analyst removed one, or added more)."""
        self.cameras = list(cameras)
        self.heading.setText(_heading(self.cameras))
        self._validate()

    def overwritten(self) -> list[Camera]:
        """Cameras whose recorder has overwritten the window's start by now."""
        window, now = self.window(), self.now_fn()
        if window is None:
            return []
        return [c for c in self.cameras
                if (d := overwrite_deadline(c, window.start)) is not None and d <= now]

    def draft(self) -> RequestDraft:
        """The request as filled in; the same client id for every call on this dialog."""
        draft = RequestDraft(
            camera_ids=tuple(c.camera_id for c in self.cameras), window=self.window(),
            justification=self.justification.toPlainText().strip(),
            call_ref=self.call_ref.text().strip(), case_ref=self.case_ref.text().strip(),
            **({"client_id": self._client_id} if self._client_id else {}))
        self._client_id = draft.client_id
        return draft

    # ----- sending -----------------------------------------------------------------------

    def submit(self) -> None:
        """Send (after the warning for overwritten cameras); results show in the dialog."""
        if not self._validate():
            return
        gone = self.overwritten()
        if gone and not self.confirm_overwritten([c.name or c.camera_id for c in gone]):
            return
        draft = self.draft()
        if self.send is None:
            self.sent.emit(draft)
            self.accept()
            return
        self.send_button.setEnabled(False)
        self.status.setText("Sending…")
        run_in_background(lambda: self.send(draft), self._done, self._failed)

    def _done(self, result) -> None:
        requests = getattr(result, "requests", result) or ()
        queued, error = getattr(result, "queued", False), getattr(result, "error", None)
        if queued:
            self.status.setText(f"<b>Queued</b>: the server cannot be reached ({error}). "
                                "It will be sent, once, when the server returns.")
        elif error is not None:
            self.status.setText(f"<b>Refused by the server</b>: {error}")
            self.send_button.setEnabled(True)
        else:
            names = {c.camera_id: c.name or c.camera_id for c in self.cameras}
            lines = [f"{names.get(r.camera_id, r.camera_id)}: owner contacted {contact_text(r)}"
                     for r in requests]
            self.status.setText("<b>Sent</b><br>" + "<br>".join(lines))
        if queued or error is None:
            self.buttons.clear()
            close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
            close.clicked.connect(self.accept)
        self.sent.emit(result)

    def _failed(self, exc: Exception) -> None:
        self.status.setText(f"<b>Not sent</b>: {exc}")
        self.send_button.setEnabled(True)

    def _ask_overwritten(self, names: list[str]) -> bool:
        answer = QMessageBox.warning(
            self, "Footage may be gone",
            "The recorder has probably already overwritten this window for:\n\n  "
            + "\n  ".join(names) + "\n\nSend the request anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # ----- inside -------------------------------------------------------------------------

    def _time_edit(self, at: datetime) -> QDateTimeEdit:
        edit = QDateTimeEdit(self)
        edit.setTimeZone(_qt_zone(self.zone))
        edit.setDisplayFormat(_FORMAT)  # to the minute
        edit.setCalendarPopup(True)
        edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(at.timestamp()), _qt_zone(self.zone)))
        return edit

    def _lay_out(self) -> None:
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(QLabel("to", self))
        times.addWidget(self.end)
        times.addWidget(QLabel(f"{self.start.dateTime().toString('t')} (to the minute)", self))
        times.addStretch(1)
        form = QFormLayout()
        form.addRow("Window", times)
        form.addRow("Call", self.call_ref)
        form.addRow("Case", self.case_ref)
        form.addRow("Justification", self.justification)
        layout = QVBoxLayout(self)
        self.heading = QLabel(_heading(self.cameras), self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(QLabel("Cameras, and when each recorder overwrites this window:", self))
        layout.addWidget(self.camera_list, 1)
        layout.addWidget(self.warning)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(680, 460)

    def _validate(self, *_) -> bool:
        window, now = self.window(), self.now_fn()
        self.camera_list.clear()
        for camera in self.cameras:
            deadline = overwrite_deadline(camera, window.start) if window else None
            name = camera.name or camera.camera_id
            self.camera_list.addItem(
                f"{name}  ·  {camera.camera_id}  ·  {_deadline_text(deadline, now)}")
        problems = []
        if window is None:
            problems.append("the window must end after it starts")
        elif window.start > now:
            problems.append("the window has not happened yet")
        if len(self.justification.toPlainText().strip()) < 3:
            problems.append("a justification is required")
        gone = self.overwritten()
        warning = ""
        if gone:
            warning = ("⚠ Probably already overwritten: "
                       + ", ".join(c.name or c.camera_id for c in gone)
                       + ". You will be asked to confirm.")
        if problems:
            missing = "To send: " + "; ".join(problems) + "."
            warning = f"{warning}<br>{missing}" if warning else missing
        self.warning.setText(warning)
        self.send_button.setEnabled(not problems)
        return not problems


def _qt_zone(zone: tzinfo) -> QTimeZone:
    key = getattr(zone, "key", None)
    return QTimeZone(key.encode()) if key else QTimeZone.utc()


def _heading(cameras: Sequence[Camera]) -> str:
    return f"<b>Request footage from {len(cameras)} camera{'s' if len(cameras) != 1 else ''}</b>"


def _deadline_text(deadline: datetime | None, now: datetime) -> str:
    text = countdown_text(deadline, now)
    return text if deadline is None or deadline <= now else f"overwritten in {text}"


def window_between(start_edit, end_edit) -> RequestWindow | None:
    """The window two date-time editors give, or None while it ends before it starts."""
    start, end = (e.dateTime().toSecsSinceEpoch() for e in (start_edit, end_edit))
    if end <= start:
        return None
    return RequestWindow(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
