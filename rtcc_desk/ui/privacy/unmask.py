"""A supervisor's audited look at a city camera without its privacy masks.

``UnmaskedViewer.ask(camera)`` is what the Privacy menu, the camera details and the wall
call: it refuses anyone but a supervisor, asks why, starts the server's unmasked-view
session (the server audits the start with the reason), and only then shows the unmasked
picture in its own window under a red "UNMASKED — audited" banner. Closing the window ends
the session (audited with the end time); so does the desk closing (``end_all``), and the
view closes itself at the server's time limit. If the end cannot be sent, the server ends
the view by itself at the limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.server_link.city_cameras_api import (
    UnmaskedView,
    city_camera_refusal_text,
    end_unmasked_view,
    start_unmasked_view,
)
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.core.privacy_review import (
    MAX_JUSTIFICATION_CHARS,
    UNMASKED_VIEW_LIMIT,
    ReviewRefused,
    check_justification,
    may_view_unmasked,
)
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.privacy.live_view import FrameView, LivePoller, StreamOpener, unmasked_stream
from rtcc_desk.ui.theme import DANGER

log = logging.getLogger("rtcc.desk")
BANNER = "UNMASKED — audited"
NOT_A_SUPERVISOR = "Only a supervisor can view a camera without its privacy masks."
_LIMIT_MIN = f"{UNMASKED_VIEW_LIMIT.total_seconds() / 60:g}"


def _local(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M}"


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class JustificationDialog(QDialog):
    """Why the supervisor needs to see past the masks; the reason goes to the audit trail."""

    def __init__(self, camera: PoleCamera, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("View unmasked")
        self.camera = camera
        about = QLabel(
            f"You are about to see <b>{camera.name or camera.camera_id}</b> without its privacy "
            "masks. Say why. Your name, the reason and the start and end times are recorded in "
            f"the audit trail. The view ends by itself after {_LIMIT_MIN} minutes.", self)
        about.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("e.g. Armed robbery suspect fled into the yard of 1207 "
                                       "Texas St (call 24-118733)")
        self.error = QLabel("", self, wordWrap=True)
        self.error.setStyleSheet(f"color: {DANGER}; font-weight: bold;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.addButton("View unmasked", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (about, self.reason, self.error, self.buttons):
            layout.addWidget(widget)
        self.justification = ""
        self.resize(520, 260)

    def accept(self) -> None:
        try:
            self.justification = check_justification(self.reason.toPlainText())
        except ReviewRefused as exc:
            self.error.setText(_sentence(str(exc)))
            return
        super().accept()


class UnmaskedPicture(FrameView):
    """The picture with a red frame and the word UNMASKED on it, so no one mistakes it."""

    def paint_over(self, painter: QPainter, target: QRectF) -> None:
        painter.setPen(QPen(QColor(DANGER), 4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(2, 2, -2, -2))
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(12, int(target.height() / 22)))
        painter.setFont(font)
        text = f"UNMASKED · {datetime.now().astimezone():%H:%M:%S}"
        box = painter.fontMetrics().boundingRect(text).adjusted(-8, -4, 8, 4)
        box.moveTopLeft(target.topLeft().toPoint() + QPoint(10, 10))
        painter.fillRect(box, QColor(DANGER))
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class UnmaskedViewWindow(QWidget):
    """One unmasked view on screen; ``closed(view_id)`` when the supervisor closes it."""

    closed = Signal(str)

    def __init__(self, view: UnmaskedView, camera: PoleCamera, poller: LivePoller | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.view, self.camera, self.poller = view, camera, poller
        self.setWindowTitle(f"{BANNER} — {camera.name or camera.camera_id}")
        self.banner = QLabel(BANNER, self)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet(f"background: {DANGER}; color: white; font-size: 16pt; "
                                  "font-weight: bold; padding: 6px;")
        self.about = QLabel(
            f"{camera.name or camera.camera_id} ({camera.camera_id}) · viewer {view.username} · "
            f"started {_local(view.started_at)}, ends by {_local(view.ends_by)} · "
            f"reason: {view.justification}", self)
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.picture = UnmaskedPicture(self)
        self.stream_state = QLabel("connecting…", self)
        self.end_button = QPushButton("End unmasked view", self)
        self.end_button.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.stream_state, 1)
        row.addWidget(self.end_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.about)
        layout.addWidget(self.picture, 1)
        layout.addLayout(row)
        self._closed = False
        if poller is not None:
            poller.frame_arrived.connect(self.picture.set_frame)
            poller.state_changed.connect(self._state)
        self.resize(1000, 680)

    def _state(self, words: str) -> None:
        self.stream_state.setText(words)
        if self.picture.frame is None:
            self.picture.set_waiting_text(_sentence(words))

    def release(self) -> Future | None:
        """Stop and let go of the player (idempotent)."""
        poller, self.poller = self.poller, None
        return poller.close() if poller is not None else None

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._closed:
            self._closed = True
            self.closed.emit(self.view.id)
        super().closeEvent(event)


class UnmaskedViewer(QObject):
    """Starts, shows and ends a desk's unmasked views (one per supervisor desk)."""

    started = Signal(object)  #: UnmaskedView, once the server has recorded the start
    ended = Signal(object)    #: UnmaskedView as the server ended it
    refused = Signal(str)     #: why a view was not started (or not ended), in words

    def __init__(self, client: ServerClient, roles, *, open_stream: StreamOpener | None = None,
                 parent_window: QWidget | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(parent_window)
        self.client, self.roles = client, tuple(roles)
        self._open_stream = open_stream or unmasked_stream
        self._parent = parent_window
        self._now = now
        self.windows: dict[str, UnmaskedViewWindow] = {}
        self.released: list[Future] = []
        self.last_refusal = ""
        self.notice: QMessageBox | None = None
        self.asking: JustificationDialog | None = None  # the newest "why?" dialog

    @property
    def allowed(self) -> bool:
        return may_view_unmasked(self.roles)

    def ask(self, camera: PoleCamera, parent: QWidget | None = None) -> JustificationDialog | None:
        """Ask the supervisor why (non-modal); the view starts when they confirm. None (and a
        refusal shown) for anyone else or a camera not in service."""
        if not self.allowed:
            self.refuse(NOT_A_SUPERVISOR)
            return None
        if not camera.in_service:
            state = "withdrawn" if camera.withdrawn else f"{camera.privacy_review} review"
            self.refuse(f"Camera {camera.camera_id} is not in service ({state}): no one may view "
                         "it, masked or not.")
            return None
        dialog = JustificationDialog(camera, parent or self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.start(camera, dialog.justification))
        dialog.finished.connect(lambda _result: self._asked(dialog))
        dialog.open()
        self.asking = dialog
        return dialog

    def _asked(self, dialog: JustificationDialog) -> None:
        if self.asking is dialog:
            self.asking = None  # it deletes itself on close

    def start(self, camera: PoleCamera, justification: str) -> None:
        """Ask the server to open the view (off the GUI thread); the window follows."""
        if not self.allowed:
            self.refuse(NOT_A_SUPERVISOR)
            return
        client = self.client
        reason = justification[:MAX_JUSTIFICATION_CHARS]
        run_in_background(lambda: start_unmasked_view(client, camera.camera_id, reason),
                          lambda view: self._started(view, camera),
                          lambda exc: self.refuse(city_camera_refusal_text(exc, "unmask")))

    def _started(self, view: UnmaskedView, camera: PoleCamera) -> None:
        poller = None
        try:
            poller = LivePoller(self._open_stream(camera))
        except ValueError as exc:  # no stream address: the session still shows as audited
            log.warning("unmasked view of %s: %s", camera.camera_id, exc)
        window = UnmaskedViewWindow(view, camera, poller, self._parent)
        if poller is not None:
            poller.setParent(window)
            poller.start()
        else:
            window.picture.set_waiting_text("This camera has no stream address")
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.closed.connect(self.end)
        self.windows[view.id] = window
        left_ms = max(0, int((view.ends_by - self._now()).total_seconds() * 1000))
        QTimer.singleShot(left_ms, window, lambda: self._time_up(view.id))
        window.show()
        self.started.emit(view)

    def camera_left_service(self, camera_id: str, why: str) -> None:
        """The camera was re-aimed, re-masked or withdrawn meanwhile: its unmasked view ends."""
        for view_id, window in list(self.windows.items()):
            if window.camera.camera_id == camera_id:
                self._notify(f"Camera {camera_id} left service ({why}); its unmasked view was "
                             "ended.")
                window.close()

    def _time_up(self, view_id: str) -> None:
        window = self.windows.get(view_id)
        if window is not None:
            self._notify(f"The unmasked view reached its {_LIMIT_MIN}-minute limit and was ended; "
                         "the camera is masked again.")
            window.close()

    def end(self, view_id: str) -> None:
        """The window closed: release the picture, tell the server (audited with the end time)."""
        window = self.windows.pop(view_id, None)
        if window is None:
            return
        released = window.release()
        if released is not None:
            self.released.append(released)
        client, ends_by = self.client, window.view.ends_by

        def failed(exc: Exception) -> None:
            log.warning("ending unmasked view %s: %s", view_id, exc)
            self.refuse(f"The end of the unmasked view could not be recorded now "
                         f"({city_camera_refusal_text(exc, 'unmask')}). The server ends it by "
                         f"itself at {_local(ends_by)}.")

        run_in_background(lambda: end_unmasked_view(client, view_id), self.ended.emit, failed)

    def end_all(self) -> int:
        """At desk exit: end every open view now, here (blocking: the event loop is ending and
        a background job's answer would never be delivered). Returns how many were ended."""
        count = 0
        for view_id, window in list(self.windows.items()):
            self.windows.pop(view_id, None)
            released = window.release()
            if released is not None:
                self.released.append(released)
            try:
                self.ended.emit(end_unmasked_view(self.client, view_id))
                count += 1
            except Exception as exc:  # noqa: BLE001 — the server ends it at the limit anyway
                log.warning("ending unmasked view %s at exit: %s", view_id, exc)
            window.close()
        return count

    def refuse(self, text: str) -> None:
        """Say why nothing was started (signal, and a non-blocking message box)."""
        self.last_refusal = text
        self.refused.emit(text)
        self._notify(text)

    def _notify(self, text: str) -> None:
        if self.notice is not None:  # one notice at a time: the newest says what matters
            self.notice.close()
            self.notice.deleteLater()
        self.notice = QMessageBox(QMessageBox.Icon.Warning, "View unmasked", text,
                                  QMessageBox.StandardButton.Ok, self._parent)
        self.notice.open()
