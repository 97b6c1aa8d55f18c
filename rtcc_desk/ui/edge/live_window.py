"""A live view of an edge channel in a small window of its own: libvlc plays the server's relay,
the window says whether it is live and until when, and closing it ends the session (the box
stops sending)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta, tzinfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from rtcc_desk.adapters.player import Player, PlayerError, PlayerState
from rtcc_desk.adapters.server_link.edge_api import EdgeLiveView
from rtcc_desk.core.cameras import EdgeChannel
from rtcc_desk.ui.background import run_in_background

#: Pictures are taken from the player about as often as a camera sends them.
POLL_MS = 66
#: How often the session's state is asked (it may end at its limit, or the business pauses).
STATE_EVERY_MS = 3000
#: libvlc buffers this much of the relay: low, it is live, but enough to ride out jitter.
LIVE_OPTIONS = (":network-caching=300",)


class EdgeLiveWindow(QWidget):
    """Plays ``view.stream_url``; ``end_session()`` (or closing) ends it once, off the GUI
    thread."""

    ended = Signal(str)  #: why the view ended, in words

    def __init__(self, camera: EdgeChannel, view: EdgeLiveView, player: Player, zone: tzinfo, *,
                 end: Callable[[str], object], state: Callable[[str], EdgeLiveView],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.camera, self.view, self.player, self.zone = camera, view, player, zone
        self._end, self._state = end, state
        self._ending = False
        self._last_serial = 0
        self._asking = False
        self.frames_shown = 0
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Live — {camera.name or camera.camera_id}")
        self.video = QLabel("Waiting for the edge box…", alignment=Qt.AlignmentFlag.AlignCenter)
        self.video.setMinimumSize(480, 270)
        self.video.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.video.setStyleSheet("background: black; color: #ccc;")
        self.status = QLabel(self._status_text(), wordWrap=True)
        self.end_button = QPushButton("End live view")
        self.end_button.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.end_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.video, 1)
        layout.addLayout(row)
        self.resize(660, 440)
        self._frames = QTimer(self, interval=POLL_MS, timeout=self._show_frame)
        self._states = QTimer(self, interval=STATE_EVERY_MS, timeout=self._ask_state)
        try:
            player.open(view.stream_url, LIVE_OPTIONS)
            player.play()
        except PlayerError as exc:
            self.video.setText(f"The player cannot open the live view: {exc}")
        self._frames.start()
        self._states.start()

    def _status_text(self) -> str:
        view = self.view
        if not view.open:
            return view.reason or "The live view has ended."
        limit = ""
        if view.started_at and view.max_seconds:
            until = (view.started_at + timedelta(seconds=view.max_seconds)).astimezone(self.zone)
            limit = f"; ends by itself at {until:%H:%M}"
        since = (f" since {view.started_at.astimezone(self.zone):%H:%M:%S}"
                 if view.started_at else "")
        state = ("Live from the business's edge box" if view.state == "streaming"
                 else "Waiting for the edge box")
        return f"{state}{since}{limit}. Closing this window ends it."

    def _show_frame(self) -> None:
        frame = self.player.current_frame()
        if frame is None or frame.serial == self._last_serial:
            if self.player.state() is PlayerState.ERROR and not self.frames_shown:
                self.video.setText("The live stream could not be played.")
            return
        self._last_serial = frame.serial
        self.frames_shown += 1
        image = QImage(frame.pixels, frame.width, frame.height, frame.width * 4,
                       QImage.Format.Format_RGB32)
        self.video.setPixmap(QPixmap.fromImage(image).scaled(
            self.video.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    def _ask_state(self) -> None:
        if self._asking or self._ending:
            return
        self._asking = True
        session_id = self.view.session_id
        run_in_background(lambda: self._state(session_id), self._got_state, self._state_failed)

    def _got_state(self, view: EdgeLiveView) -> None:
        self._asking = False
        if self._ending:
            return
        self.view = replace(view, stream_url=self.view.stream_url)
        self.status.setText(self._status_text())
        if not view.open:
            self._stop_playing()
            self.end_button.setText("Close")
            self.ended.emit(self.status.text())

    def _state_failed(self, _exc: Exception) -> None:
        self._asking = False  # the server may be back at the next tick; the picture goes on

    def end_session(self) -> None:
        """End the session on the server (the box is told to stop) and release the player."""
        if self._ending:
            return
        self._ending = True
        self._stop_playing()
        if self.view.open:
            session_id = self.view.session_id
            run_in_background(lambda: self._end(session_id))

    def _stop_playing(self) -> None:
        self._frames.stop()
        self._states.stop()
        player, self.player = self.player, _Closed()
        # Stopping a network stream blocks until libvlc's input thread ends: not on the GUI thread.
        run_in_background(player.close)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.end_session()
        super().closeEvent(event)


class _Closed:
    """Stands in for the released player, so a late timer tick finds nothing to show."""

    def current_frame(self):
        return None

    def state(self) -> PlayerState:
        return PlayerState.IDLE

    def close(self) -> None:
        pass
