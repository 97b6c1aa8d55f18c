"""ReviewPlayerPane: one upload reviewed — player (or native-file export), snapshot, verdict."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QRadioButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from rtcc_desk.adapters.player import Player, PlayerError, PlayerState, VlcPlayer
from rtcc_desk.ui.review.timeline import WindowTimeline

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)


@dataclass(frozen=True)
class ReviewUpload:
    """What the pane shows: one uploaded file and the request window it answers."""

    upload_id: str
    camera: str  # camera name or id, for captions
    source: str  # local path or http(s) URL of the file
    filename: str
    playable: bool = True  # False for files the server classified as native/proprietary
    size_bytes: int | None = None
    sha256: str | None = None
    clip_start: datetime | None = None  # wall-clock time of the clip's first frame
    window_start: datetime | None = None  # the requested window
    window_end: datetime | None = None


def _fmt_ms(ms: int) -> str:
    s = ms // 1000
    return f"{s // 60:02d}:{s % 60:02d}.{ms % 1000 // 100}"


class ReviewPlayerPane(QWidget):
    """Review one upload. ``player_factory`` builds the ``Player`` (default: ``VlcPlayer``)."""

    verdict = Signal(str, bool, str)  # upload_id, valuable, notes
    viewed = Signal(str, float)  # upload_id, seconds played (on pause/end/close)
    snapshot_taken = Signal(str, str)  # upload_id, PNG path
    exported = Signal(str, str)  # upload_id, destination path (native files)

    def __init__(self, upload: ReviewUpload, snapshot_dir: Path,
                 player_factory: Callable[[], Player] = VlcPlayer, parent=None) -> None:
        super().__init__(parent)
        self.upload, self.snapshot_dir = upload, Path(snapshot_dir)
        self.player: Player | None = None
        self._played_since: float | None = None
        self._last_serial = 0
        self.setObjectName("review-player")
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{upload.filename}</b> — upload {upload.upload_id} · camera {upload.camera}")
        layout.addWidget(title)
        if upload.playable:
            self._build_player(layout, player_factory)
        else:
            self._build_native(layout)
        self._build_verdict(layout)

    # -- construction ---------------------------------------------------------------------

    def _build_player(self, layout: QVBoxLayout, factory: Callable[[], Player]) -> None:
        self.video = QLabel("Opening…", alignment=Qt.AlignmentFlag.AlignCenter)
        self.video.setMinimumSize(320, 240)
        self.video.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.video.setStyleSheet("background: black; color: #ccc;")
        layout.addWidget(self.video, 1)
        self.timeline = WindowTimeline()
        self.timeline.sliderReleased.connect(lambda: self.seek(self.timeline.value()))
        self.time_label = QLabel("00:00.0 / 00:00.0")
        row = QHBoxLayout()
        self.play_button = QPushButton("Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.step_button = QPushButton("Frame ▸")
        self.step_button.clicked.connect(self.step_frame)
        self.speed = QComboBox()
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(lambda i: self.set_rate(SPEEDS[i]))
        self.snapshot_button = QPushButton("Snapshot")
        self.snapshot_button.clicked.connect(self.take_snapshot)
        for w in (self.play_button, self.step_button, QLabel("Speed"), self.speed,
                  self.snapshot_button):
            row.addWidget(w)
        row.addWidget(self.timeline, 1)
        row.addWidget(self.time_label)
        layout.addLayout(row)
        self.window_label = QLabel(self._window_text())
        layout.addWidget(self.window_label)
        try:
            self.player = factory()
            self.player.open(self.upload.source)
            self.player.play()
        except PlayerError as exc:
            self.player = None
            self.video.setText(f"Player unavailable: {exc}")
            for w in (self.play_button, self.step_button, self.speed, self.snapshot_button):
                w.setEnabled(False)
            return
        self._timer = QTimer(self, interval=40, timeout=self._poll)
        self._timer.start()

    def _build_native(self, layout: QVBoxLayout) -> None:
        u = self.upload
        box = QFormLayout()
        box.addRow("Format", QLabel("Native / proprietary recorder format — not playable here"))
        box.addRow("File", QLabel(u.filename))
        size = f"{u.size_bytes:,} bytes" if u.size_bytes is not None else "unknown"
        box.addRow("Size", QLabel(size))
        sha = QLabel(u.sha256 or "not computed")
        sha.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addRow("SHA-256", sha)
        layout.addLayout(box)
        self.export_button = QPushButton("Export file…")
        self.export_button.clicked.connect(self._ask_export)
        layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def _build_verdict(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        self.valuable = QRadioButton("Valuable")
        self.not_valuable = QRadioButton("Not valuable")
        group = QButtonGroup(self)
        group.addButton(self.valuable)
        group.addButton(self.not_valuable)
        self.notes = QLineEdit(placeholderText="Notes (what is seen, times, why)")
        self.save_verdict = QPushButton("Save verdict")
        self.save_verdict.clicked.connect(self._emit_verdict)
        for w in (self.valuable, self.not_valuable):
            row.addWidget(w)
        row.addWidget(self.notes, 1)
        row.addWidget(self.save_verdict)
        layout.addLayout(row)

    def _window_text(self) -> str:
        u = self.upload
        if u.window_start is None or u.window_end is None:
            return "Requested window: not given"
        text = (f"Requested window (shaded on the timeline): {u.window_start:%Y-%m-%d %H:%M:%S}"
                f" – {u.window_end:%H:%M:%S %Z}")
        if u.clip_start is not None:
            text += f" (clip starts {u.clip_start:%H:%M:%S})"
        return text

    # -- actions --------------------------------------------------------------------------

    def toggle_play(self) -> None:
        if self.player is None:
            return
        if self.player.state() == PlayerState.PLAYING:
            self.pause()
        else:
            self.player.play()

    def pause(self) -> None:
        if self.player is not None:
            self.player.pause()

    def seek(self, ms: int) -> None:
        if self.player is not None:
            self.player.seek(ms)

    def step_frame(self) -> None:
        if self.player is not None:
            self.player.step_frame()

    def set_rate(self, rate: float) -> None:
        if self.player is not None:
            self.player.set_rate(rate)

    def clip_time(self, position_ms: int) -> datetime | None:
        """Wall-clock time of a position in the clip, if the clip's start is known."""
        if self.upload.clip_start is None:
            return None
        return self.upload.clip_start + timedelta(milliseconds=position_ms)

    def take_snapshot(self) -> Path | None:
        """Save the current frame as PNG (caption in the file's text chunk and its name)."""
        frame = self.player.current_frame() if self.player is not None else None
        if frame is None:
            return None
        at = self.clip_time(frame.position_ms)
        when = at.isoformat(timespec="milliseconds") if at else f"+{frame.position_ms} ms"
        caption = f"{when} · upload {self.upload.upload_id} · camera {self.upload.camera}"
        image = QImage(frame.pixels, frame.width, frame.height, frame.width * 4,
                       QImage.Format.Format_RGB32).copy()
        image.setText("Caption", caption)
        image.setText("Source", self.upload.source)
        stamp = at.strftime("%Y%m%dT%H%M%S.%f")[:-3] if at else f"{frame.position_ms}ms"
        safe_cam = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.upload.camera)
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.snapshot_dir / f"snapshot_{self.upload.upload_id}_{safe_cam}_{stamp}.png"
        if not image.save(str(path), "PNG"):
            return None
        self.snapshot_taken.emit(self.upload.upload_id, str(path))
        return path

    def export_to(self, destination: Path) -> Path:
        """Copy the native file byte for byte; refuse if its SHA-256 no longer matches."""
        destination = Path(destination)
        if destination.is_dir():
            destination = destination / self.upload.filename
        shutil.copyfile(self.upload.source, destination)
        if self.upload.sha256:
            digest = hashlib.sha256(destination.read_bytes()).hexdigest()
            if digest != self.upload.sha256.lower():
                destination.unlink()
                raise OSError(f"exported copy's SHA-256 {digest} differs from the upload's")
        self.exported.emit(self.upload.upload_id, str(destination))
        return destination

    def _ask_export(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, "Export file", self.upload.filename)
        if target:
            self.export_to(Path(target))

    def _emit_verdict(self) -> None:
        if not (self.valuable.isChecked() or self.not_valuable.isChecked()):
            return
        self.verdict.emit(self.upload.upload_id, self.valuable.isChecked(), self.notes.text())

    def close_review(self) -> None:
        """Stop playback, report the viewing time, release the player."""
        if self.player is None:
            return
        self._timer.stop()
        self._stopped_playing()
        self.player.close()
        self.player = None

    def closeEvent(self, event) -> None:  # noqa: N802
        self.close_review()
        super().closeEvent(event)

    # -- polling the player (GUI thread) --------------------------------------------------

    def _stopped_playing(self) -> None:
        if self._played_since is not None:
            self.viewed.emit(self.upload.upload_id, time.monotonic() - self._played_since)
            self._played_since = None

    def _poll(self) -> None:
        player = self.player
        if player is None:
            return
        for kind, value in player.take_events():
            if kind == "state":
                if value == PlayerState.PLAYING and self._played_since is None:
                    self._played_since = time.monotonic()
                elif value in (PlayerState.PAUSED, PlayerState.ENDED, PlayerState.IDLE):
                    self._stopped_playing()
                self.play_button.setText("Pause" if value == PlayerState.PLAYING else "Play")
            elif kind == "duration":
                self._set_duration(int(value))
        frame = player.current_frame()
        if frame is not None and frame.serial != self._last_serial:
            self._last_serial = frame.serial
            self._show(frame)
        if self.timeline.maximum() == 0 and player.duration_ms() > 0:
            self._set_duration(player.duration_ms())
        position = player.position_ms()
        if not self.timeline.isSliderDown():
            self.timeline.setValue(position)
        self.time_label.setText(f"{_fmt_ms(position)} / {_fmt_ms(player.duration_ms())}")

    def _set_duration(self, ms: int) -> None:
        self.timeline.setRange(0, ms)
        u = self.upload
        if u.clip_start and u.window_start and u.window_end:
            start = int((u.window_start - u.clip_start).total_seconds() * 1000)
            end = int((u.window_end - u.clip_start).total_seconds() * 1000)
            self.timeline.set_window(start, end)

    def _show(self, frame) -> None:
        image = QImage(frame.pixels, frame.width, frame.height, frame.width * 4,
                       QImage.Format.Format_RGB32)
        pixmap = QPixmap.fromImage(image).scaled(self.video.size(),
                                                 Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation)
        self.video.setPixmap(pixmap)
