"""Dragging cameras out of a pane that knows nothing of walls (the candidate list).

An event filter on the view's viewport starts a drag carrying the camera id under the mouse,
so the pane itself stays unchanged and keeps its own click and selection behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView, QApplication

from rtcc_desk.ui.wall.mime import camera_mime


class CameraDragSource(QObject):
    """Makes rows of ``view`` draggable; ``role`` is the item data role holding the camera id."""

    def __init__(self, view: QAbstractItemView, role: int) -> None:
        super().__init__(view)
        self.view, self.role = view, role
        self._press: QPoint | None = None
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._press = None
        elif (kind == QEvent.Type.MouseMove and self._press is not None
              and event.buttons() & Qt.MouseButton.LeftButton
              and (event.position().toPoint() - self._press).manhattanLength()
              >= QApplication.startDragDistance()):
            camera_id = self.camera_at(self._press)
            self._press = None
            if camera_id:
                drag = QDrag(self.view)
                drag.setMimeData(camera_mime([camera_id]))
                drag.exec(Qt.DropAction.CopyAction)
                return True
        return False

    def camera_at(self, point: QPoint) -> str:
        index = self.view.indexAt(point)
        return str(index.data(self.role) or "") if index.isValid() else ""
