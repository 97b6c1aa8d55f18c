"""The feed's table view: repaints only the cells a change touches, not the whole viewport."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QTableView


class FeedTableView(QTableView):
    """QAbstractItemView repaints its whole viewport for any change of more than one cell.

    The age column changes every second on every row, and each flush touches rows here and
    there, so that would be a full-table repaint (~25 ms of GUI thread at 1920×1080) several
    times a second. This repaints the strip the change covers, clipped to what is on screen
    (with a screen reader active, Qt's own handling runs so that it hears of every change).
    """

    def dataChanged(self, top_left: QModelIndex, bottom_right: QModelIndex, roles=()) -> None:
        if QAccessible.isActive() or not (top_left.isValid() and bottom_right.isValid()):
            super().dataChanged(top_left, bottom_right, roles)
            return
        viewport = self.viewport().rect()
        if top_left.column() == bottom_right.column():
            left = self.columnViewportPosition(top_left.column())
            width = self.columnWidth(top_left.column())
        else:  # several columns: the whole width (sections may have been reordered)
            left, width = viewport.left(), viewport.width()
        # positions of rows off screen lie outside the viewport; the intersection clips them
        top = self.rowViewportPosition(top_left.row())
        bottom = self.rowViewportPosition(bottom_right.row()) + self.rowHeight(bottom_right.row())
        strip = QRect(left, top, width, bottom - top).intersected(viewport)
        if not strip.isEmpty():
            self.viewport().update(strip)
