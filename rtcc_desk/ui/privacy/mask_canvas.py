"""The reviewer's canvas: the live picture with mask polygons drawn, moved and deleted on it.

Click to place corners, double-click or Enter to close a mask, Esc to drop the one being
drawn, drag a corner to move it, click a mask to select it and Delete to remove it
(Backspace while drawing takes back the last corner). "Preview" shows the picture exactly as
a wall will: the masks blacked out by the same ``PrivacyMask`` the wall uses.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from rtcc_desk.core.privacy_mask import PrivacyMask
from rtcc_desk.core.privacy_review import MaskError, Point
from rtcc_desk.ui.privacy.live_view import FrameView
from rtcc_desk.ui.privacy.mask_draft import DraftRefused, MaskDraft

#: A corner is grabbed within this many pixels of the pointer.
GRAB_PX = 9
HINT = ("Click to place corners; double-click or Enter closes a mask; Esc drops it. Drag a "
        "corner to move it; click a mask and press Delete to remove it.")

_FILL = QColor(229, 83, 75, 90)
_EDGE = QColor("#e5534b")
_SELECTED = QColor("#f0ad4e")


class MaskCanvas(FrameView):
    masks_changed = Signal()
    refused = Signal(str)  #: a drawing step the rules refused, in words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = MaskDraft()
        self.preview = False
        self._drag: tuple[int, int] | None = None  # (polygon, corner) being moved
        self._pointer: Point | None = None
        self._masked: tuple[tuple[int, int], object] | None = None  # ((serial, version), image)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(HINT)

    # -- what the dialog sets -------------------------------------------------------------

    def load_masks(self, masks) -> None:
        self.draft.load(masks)
        self._drag = None
        self.update()

    def set_preview(self, on: bool) -> None:
        self.preview = bool(on)
        self.update()

    def delete_selected(self) -> bool:
        if self.draft.delete():
            self._changed()
            return True
        return False

    def clear_masks(self) -> None:
        self.draft.clear()
        self._changed()

    # -- coordinates ----------------------------------------------------------------------

    def to_frame(self, pos: QPointF) -> Point:
        """A widget position as frame fractions (clamped into the picture)."""
        r = self.picture_rect()
        x = (pos.x() - r.x()) / r.width() if r.width() else 0.0
        y = (pos.y() - r.y()) / r.height() if r.height() else 0.0
        return (min(1.0, max(0.0, x)), min(1.0, max(0.0, y)))

    def to_widget(self, point: Point) -> QPointF:
        r = self.picture_rect()
        return QPointF(r.x() + point[0] * r.width(), r.y() + point[1] * r.height())

    def corner_at(self, pos: QPointF) -> tuple[int, int] | None:
        best, best_distance = None, float(GRAB_PX)
        for index, polygon in enumerate(self.draft.polygons):
            for corner, point in enumerate(polygon):
                there = self.to_widget(point)
                distance = ((there.x() - pos.x()) ** 2 + (there.y() - pos.y()) ** 2) ** 0.5
                if distance <= best_distance:
                    best, best_distance = (index, corner), distance
        return best

    # -- painting ---------------------------------------------------------------------------

    def image_to_paint(self):
        image = super().image_to_paint()
        if image is None or not self.preview:
            return image
        key = (self.frame.serial, self.draft.version)
        if self._masked is None or self._masked[0] != key:
            try:
                mask = PrivacyMask(self.draft.polygons)
            except MaskError:
                mask = PrivacyMask()  # a corner dragged onto another: shown unmasked until fixed
            copy = image.copy()
            mask.apply(copy, copy.shape[1], copy.shape[0])
            self._masked = (key, copy)
        return self._masked[1]

    def paint_over(self, painter: QPainter, target: QRectF) -> None:
        if self.preview:
            if self.frame is None:  # no picture to mask yet: show where the black will be
                for polygon in self.draft.polygons:
                    painter.setBrush(QBrush(QColor("black")))
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.drawPolygon(self._qpolygon(polygon))
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for index, polygon in enumerate(self.draft.polygons):
            chosen = index == self.draft.selected
            painter.setBrush(QBrush(_FILL))
            painter.setPen(QPen(_SELECTED if chosen else _EDGE, 2.5 if chosen else 1.5))
            painter.drawPolygon(self._qpolygon(polygon))
            painter.setBrush(QBrush(_SELECTED if chosen else _EDGE))
            for point in polygon:
                there = self.to_widget(point)
                painter.drawRect(QRectF(there.x() - 3.5, there.y() - 3.5, 7, 7))
        if self.draft.drawing:
            points = [self.to_widget(p) for p in self.draft.drawing]
            painter.setPen(QPen(_SELECTED, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolyline(QPolygonF(points))
            if self._pointer is not None:
                painter.setPen(QPen(_SELECTED, 1, Qt.PenStyle.DashLine))
                painter.drawLine(points[-1], self.to_widget(self._pointer))
            painter.setBrush(QBrush(_SELECTED))
            for there in points:
                painter.drawEllipse(there, 3.5, 3.5)

    def _qpolygon(self, polygon: list[Point]) -> QPolygonF:
        return QPolygonF([self.to_widget(p) for p in polygon])

    # -- mouse and keys ---------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() != Qt.MouseButton.LeftButton or self.preview:
            return super().mousePressEvent(event)
        pos = event.position()
        if not self.picture_rect().contains(pos):
            return None
        if not self.draft.drawing:
            grabbed = self.corner_at(pos)
            if grabbed is not None:
                self._drag = grabbed
                self.draft.select(grabbed[0])
                self.update()
                return None
            inside = self.draft.polygon_at(self.to_frame(pos))
            if inside is not None:
                self.draft.select(inside)
                self.update()
                return None
        self._step(lambda: self.draft.add_corner(self.to_frame(pos)))
        return None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        point = self.to_frame(event.position())
        if self._drag is not None:
            self.draft.move_corner(*self._drag, point)
        self._pointer = point
        self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._drag is not None:
            self._drag = None
            self._changed()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self.draft.drawing and not self.preview:
            # The double-click's own first click has normally placed this corner already
            # (add_corner ignores it a second time); then the mask is closed.
            point = self.to_frame(event.position())
            self._step(lambda: (self.draft.add_corner(point), self.draft.close()))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.draft.drawing:
            self._step(self.draft.close)
        elif key == Qt.Key.Key_Escape and (self.draft.drawing or self.draft.selected is not None):
            self.draft.cancel()
            self.draft.select(None)
            self.update()
        elif key == Qt.Key.Key_Backspace and self.draft.drawing:
            self.draft.undo_corner()
            self.update()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
        else:
            super().keyPressEvent(event)

    def _step(self, action) -> None:
        closed_before = len(self.draft.polygons)
        try:
            action()
        except DraftRefused as exc:
            self.refused.emit(str(exc)[0].upper() + str(exc)[1:] + ".")
        self.update()
        if len(self.draft.polygons) != closed_before:
            self._changed()

    def _changed(self) -> None:
        self.update()
        self.masks_changed.emit()
