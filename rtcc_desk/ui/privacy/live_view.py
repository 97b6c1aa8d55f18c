"""A camera's live picture in the privacy windows: the stream, its clock and a widget showing it.

Only two places in the desk play a city camera without its masks, both here: the privacy
reviewer judging what a camera shows (they must see what the masks would hide to place
them), and a supervisor's audited unmasked view. Everything else — wall tiles, snapshots,
exports — plays through the wall's streams, which always carry the masks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QObject, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from rtcc_desk.adapters.live import LiveFrame, LiveState, LiveStream, PlayerPool
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.core.wall.stream_urls import Stream

log = logging.getLogger("rtcc.desk")

#: Poll the stream about as often as a camera sends pictures (15 fps sub streams).
POLL_MS = 66
#: The shape shown before the first picture says otherwise.
DEFAULT_PICTURE = (16, 9)

#: Makes the stream for a camera; tests pass one on a private pool.
StreamOpener = Callable[[PoleCamera], LiveStream]


def unmasked_stream(camera: PoleCamera, *, pool: PlayerPool | None = None) -> LiveStream:
    """The camera's stream with no mask: for the reviewer and the audited unmasked view only."""
    return LiveStream(camera.camera_id, main_url=camera.main_stream_url,
                      sub_url=camera.sub_stream_url, mask=None, pool=pool)


def fit(area: QRect | QRectF, width: int, height: int) -> QRectF:
    """The largest rectangle of ``width:height`` centred in ``area``."""
    area = QRectF(area)
    if width <= 0 or height <= 0 or area.isEmpty():
        return area
    scale = min(area.width() / width, area.height() / height)
    w, h = width * scale, height * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


def frame_image(image) -> QImage:
    """A QImage over a (height, width, 4) BGRA array, no copy: keep the array alive while used."""
    height, width = image.shape[:2]
    return QImage(image.data, width, height, width * 4, QImage.Format.Format_RGB32)


class LivePoller(QObject):
    """Drives one LiveStream from a GUI-thread timer: ``frame_arrived`` with each new picture,
    ``state_changed`` with the stream's state in words."""

    frame_arrived = Signal(object)  # LiveFrame
    state_changed = Signal(str)

    def __init__(self, stream: LiveStream, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stream = stream
        self._serial = -1
        self._timer = QTimer(self, interval=POLL_MS, timeout=self._poll)
        self.message = "connecting"

    @property
    def state(self) -> LiveState:
        return self.stream.state

    def start(self, kind: Stream = Stream.MAIN) -> None:
        # The main stream: a reviewer judges windows and doorways at full detail.
        self.stream.start(kind)
        self._timer.start()

    def close(self) -> Future:
        """Stop the clock and release the player (on its worker); the Future says when."""
        self._timer.stop()
        return self.stream.close()

    def _poll(self) -> None:
        for event in self.stream.poll():
            self.message = event.message.split(": ", 1)[-1]
            self.state_changed.emit(self.message)
        if self.stream.serial != self._serial:
            frame = self.stream.latest_frame()
            if frame is not None:
                self._serial = frame.serial
                self.frame_arrived.emit(frame)


class FrameView(QWidget):
    """Paints the newest picture scaled to fit, or a line of text while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame: LiveFrame | None = None
        self.waiting_text = "Connecting to the camera…"
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_frame(self, frame: LiveFrame | None) -> None:
        self.frame = frame
        self.update()

    def set_waiting_text(self, text: str) -> None:
        self.waiting_text = text
        if self.frame is None:
            self.update()

    def picture_rect(self) -> QRectF:
        """Where the picture is (or will be) drawn, in widget pixels."""
        size = self.frame.picture_size if self.frame is not None else DEFAULT_PICTURE
        return fit(self.rect().adjusted(4, 4, -4, -4), *size)

    def image_to_paint(self):
        """The pixels to draw (subclasses may mask a copy); None when there is no picture."""
        return self.frame.image if self.frame is not None else None

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#0b0d10"))
        target = self.picture_rect()
        image = self.image_to_paint()
        if image is None:
            painter.fillRect(target, QColor("#15191d"))
            painter.setPen(QColor("#8b949e"))
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, self.waiting_text)
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, frame_image(image))
        self.paint_over(painter, target)
        painter.end()

    def paint_over(self, painter: QPainter, target: QRectF) -> None:
        """Drawn on top of the picture (masks being edited, banners)."""
