"""One wall tile: the latest masked picture, the camera's name, pole, state and the time over it.

The tile only paints and reports what the analyst does (drop, double-click, snapshot, select);
the window decides. It never touches a player: it reads the masked frame its ``TileFeed``
holds, which the window's timer refreshes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from rtcc_desk.adapters.live import LiveFrame, LiveState
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.core.wall import Stream
from rtcc_desk.ui import theme
from rtcc_desk.ui.wall.feed import TileFeed
from rtcc_desk.ui.wall.mime import (
    CAMERA_MIME,
    TILE_MIME,
    dropped_camera_ids,
    dropped_tile,
    tile_mime,
)

_STATE_COLOURS = {
    LiveState.LIVE: theme.OK, LiveState.CONNECTING: theme.WARNING,
    LiveState.LOST: theme.DANGER, LiveState.RECONNECTING: theme.DANGER,
    LiveState.STOPPED: theme.MUTED,
}
#: How long a refusal ("awaiting privacy review") stays written on the tile.
NOTICE_MS = 8000


def fit(area: QRect, width: int, height: int) -> QRect:
    """The largest ``width``:``height`` rectangle centred in ``area`` (letterboxed)."""
    if width <= 0 or height <= 0:
        return QRect(area)
    scale = min(area.width() / width, area.height() / height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    return QRect(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2, w, h)


def frame_image(frame: LiveFrame) -> QImage:
    """A QImage over the frame's (read-only) pixels, no copy: keep ``frame`` alive while used."""
    return QImage(frame.image.data, frame.width, frame.height, frame.width * 4,
                  QImage.Format.Format_RGB32)


class WallTile(QWidget):
    dropped = Signal(int, object, bool)  #: tile, camera ids, sure (False: words from plain text)
    tile_dropped = Signal(int, int)  #: tile dragged, tile it was dropped on
    activated = Signal(int)  #: double-click: maximise or restore
    snapshot_wanted = Signal(int)
    pressed = Signal(int, bool)  #: tile, added to the selection (Ctrl)
    menu_wanted = Signal(int, QPoint)  #: tile, global position

    def __init__(self, index: int, wall_id: str, zone: tzinfo,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), parent=None) -> None:
        super().__init__(parent)
        self.index, self.wall_id, self._zone, self._now = index, wall_id, zone, now
        self.camera: PoleCamera | None = None
        self.feed: TileFeed | None = None
        self.toured = False
        self.selected = False
        self._notice = ""
        self._notice_until = 0.0
        self._image: tuple[int, QImage, LiveFrame] | None = None
        self._press: QPoint | None = None
        self._drop_hover = False
        self.setObjectName(f"wall-tile-{index + 1}")
        self.setAcceptDrops(True)
        self.setMinimumSize(96, 64)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.snapshot_button = QToolButton(self, text="Snapshot", autoRaise=False)
        self.snapshot_button.setToolTip("Save this picture (privacy masks applied) to the case folder")
        self.snapshot_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.snapshot_button.setStyleSheet(
            "QToolButton { background: rgba(20,24,28,190); color: #e6edf3;"
            " border: 1px solid #4a535d; border-radius: 3px; padding: 1px 6px; }")
        self.snapshot_button.clicked.connect(lambda: self.snapshot_wanted.emit(self.index))
        self.snapshot_button.hide()

    # -- what the window sets ------------------------------------------------------------------

    def show_camera(self, camera: PoleCamera | None, feed: TileFeed | None, *,
                    toured: bool = False) -> None:
        if feed is not self.feed:
            self._image = None
        self.camera, self.feed, self.toured = camera, feed, toured
        self._place_button()
        self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    def notify(self, text: str, ms: int = NOTICE_MS) -> None:
        """Write ``text`` across the tile for a while (a refused drop, a camera taken off)."""
        self._notice, self._notice_until = text, time.monotonic() + ms / 1000
        self.update()

    @property
    def notice(self) -> str:
        return self._notice if time.monotonic() < self._notice_until else ""

    def state_text(self) -> str:
        if self.feed is None:
            return "" if self.camera is None else "stopped"
        return self.feed.state_text()

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        area = self.rect()
        painter.fillRect(area, QColor("#050607"))
        frame = self.feed.frame if self.feed is not None else None
        if frame is not None:
            self._paint_frame(painter, area, frame)
        if self.camera is None:
            self._paint_empty(painter, area)
        else:
            self._paint_overlay(painter, area)
        if self.notice:
            self._paint_notice(painter, area)
        if self.selected or self._drop_hover:
            painter.setPen(QPen(QColor(theme.ACCENT), 3))
            painter.drawRect(area.adjusted(1, 1, -2, -2))
        painter.end()
        self.snapshot_button.setVisible(frame is not None and self.camera is not None)

    def _paint_frame(self, painter: QPainter, area: QRect, frame: LiveFrame) -> None:
        if self._image is None or self._image[0] != frame.serial or self._image[2] is not frame:
            self._image = (frame.serial, frame_image(frame), frame)
        target = fit(area, *frame.picture_size)
        # Smooth scaling costs more: worth it on a maximised tile, not on 25 small ones.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, target.width() > 900)
        painter.drawImage(QRectF(target), self._image[1])
        if self.feed is not None and self.feed.state is not LiveState.LIVE:
            painter.fillRect(target, QColor(0, 0, 0, 120))  # an old picture: say so by dimming it

    def _font(self, area: QRect, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(10, min(16, area.height() // 16)))
        font.setBold(bold)
        return font

    def _paint_empty(self, painter: QPainter, area: QRect) -> None:
        painter.fillRect(area.adjusted(1, 1, -1, -1), QColor("#101317"))
        painter.setFont(self._font(area))
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter,
                         f"Tile {self.index + 1}\ndrag a camera here")

    def _paint_overlay(self, painter: QPainter, area: QRect) -> None:
        camera, pad = self.camera, 6
        title_font, small_font = self._font(area, bold=True), self._font(area)
        painter.setFont(title_font)
        metrics = painter.fontMetrics()
        line = metrics.height()
        # The state, top right, as a coloured chip; the names get the room left of it.
        state = self.state_text()
        colour = _STATE_COLOURS.get(self.feed.state if self.feed else LiveState.STOPPED, theme.MUTED)
        chip_w = metrics.horizontalAdvance(state) + 2 * pad
        chip = QRect(area.right() - pad - chip_w, area.y() + pad, chip_w, line + 4)
        painter.fillRect(chip, QColor(colour))
        painter.setPen(QColor("#0b0d0f"))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, state)
        title = camera.name or camera.camera_id
        where = f"{camera.camera_id} · pole {camera.pole_id}"
        if self.feed is not None and self.feed.stream_kind is Stream.MAIN:
            where += " · MAIN"
        if self.toured:
            where += " · tour"
        room = chip.left() - area.x() - 2 * pad
        text_w = max(metrics.horizontalAdvance(title), metrics.horizontalAdvance(where))
        width = min(room, text_w + 2 * pad + 6)
        if width > 3 * pad:
            painter.fillRect(QRect(area.x() + pad, area.y() + pad, width, 2 * line + 6),
                             QColor(0, 0, 0, 150))
            text_box = QRect(area.x() + 2 * pad, area.y() + pad + 2, width - 2 * pad, line)
            painter.setPen(QColor("#f0f3f6"))
            painter.drawText(text_box, Qt.AlignmentFlag.AlignLeft, metrics.elidedText(
                title, Qt.TextElideMode.ElideRight, text_box.width()))
            painter.setFont(small_font)
            painter.setPen(QColor("#c9d1d9"))
            painter.drawText(text_box.translated(0, line), Qt.AlignmentFlag.AlignLeft,
                             painter.fontMetrics().elidedText(where, Qt.TextElideMode.ElideRight,
                                                              text_box.width()))
        # The time, bottom left, in the workstation's zone (the date too where there is room).
        painter.setFont(small_font)
        metrics = painter.fontMetrics()
        now = self._now().astimezone(self._zone)
        room = self.snapshot_button.x() - area.x() - 3 * pad
        clock = now.strftime("%Y-%m-%d %H:%M:%S %Z")
        if metrics.horizontalAdvance(clock) + 2 * pad > room:
            clock = now.strftime("%H:%M:%S %Z")
        clock_w = min(room, metrics.horizontalAdvance(clock) + 2 * pad)
        if clock_w > 2 * pad:
            box = QRect(area.x() + pad, area.bottom() - pad - line - 2, clock_w, line + 2)
            painter.fillRect(box, QColor(0, 0, 0, 150))
            painter.setPen(QColor("#f0f3f6"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(clock, Qt.TextElideMode.ElideRight, clock_w))

    def _paint_notice(self, painter: QPainter, area: QRect) -> None:
        painter.setFont(self._font(area, bold=True))
        band = QRect(area.x(), area.center().y() - area.height() // 6, area.width(), area.height() // 3)
        painter.fillRect(band, QColor(90, 20, 20))
        painter.setPen(QColor("#ffe2e0"))
        painter.drawText(band.adjusted(8, 4, -8, -4),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.notice)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._place_button()
        super().resizeEvent(event)

    def _place_button(self) -> None:
        hint = self.snapshot_button.sizeHint()
        self.snapshot_button.move(self.width() - hint.width() - 6, self.height() - hint.height() - 6)

    # -- mouse and drops -----------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            adding = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.pressed.emit(self.index, adding)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if (self._press is not None and self.camera is not None
                and (event.position().toPoint() - self._press).manhattanLength()
                >= QApplication.startDragDistance()):
            self._press = None
            drag = QDrag(self)
            drag.setMimeData(tile_mime(self.wall_id, self.index))
            drag.exec(Qt.DropAction.MoveAction)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(self.index)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        self.menu_wanted.emit(self.index, event.globalPos())

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        data = event.mimeData()
        if data.hasFormat(CAMERA_MIME) or data.hasFormat(TILE_MIME) or data.hasText():
            self._drop_hover = True
            self.update()
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._drop_hover = False
        self.update()

    def dropEvent(self, event) -> None:  # noqa: N802
        self._drop_hover = False
        self.update()
        data = event.mimeData()
        moved = dropped_tile(data)
        if moved is not None:
            if moved[0] == self.wall_id and moved[1] != self.index:
                self.tile_dropped.emit(moved[1], self.index)
            event.acceptProposedAction()
            return
        ids, sure = dropped_camera_ids(data)
        if ids:
            event.acceptProposedAction()
            self.dropped.emit(self.index, ids, sure)
