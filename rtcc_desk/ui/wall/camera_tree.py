"""The camera tree beside a wall: poles, each with its three cameras, to drag onto tiles.

Cameras that may not be shown (awaiting privacy review, rejected, withdrawn) are listed too,
greyed, with the reason as a tooltip, so the analyst sees why a camera is missing from a wall.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.wall import PoleNode, pole_tree
from rtcc_desk.ui.wall.mime import CAMERA_MIME, camera_mime

_IDS = Qt.ItemDataRole.UserRole + 1  # camera ids an item stands for (a pole: its placeable ones)


class _Tree(QTreeWidget):
    def mimeData(self, items) -> object:  # noqa: N802 (Qt's name)
        ids: list[str] = []
        for item in items:
            ids += [c for c in item.data(0, _IDS) or [] if c not in ids]
        return camera_mime(ids)

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [CAMERA_MIME]


class CameraTree(QWidget):
    """Filterable pole → camera tree; drag items onto tiles, double-click to place one."""

    camera_activated = Signal(str)  #: a camera double-clicked (the window puts it on a free tile)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("wall-camera-tree")
        self.filter = QLineEdit(placeholderText="Find a pole, camera or street…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.tree = _Tree()
        self.tree.setHeaderLabels(["Pole / camera", "State"])
        self.tree.setColumnWidth(0, 190)
        self.setMinimumWidth(240)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)

    def set_cameras(self, cameras: Iterable[Camera]) -> None:
        """Rebuild from the inventory, keeping what was expanded."""
        open_poles = {self.tree.topLevelItem(n).text(0).split(" ")[0]
                      for n in range(self.tree.topLevelItemCount())
                      if self.tree.topLevelItem(n).isExpanded()}
        self.tree.clear()
        self.tree.addTopLevelItems([self._pole_item(node, node.pole_id in open_poles)
                                    for node in pole_tree(cameras)])
        for n in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(n)
            item.setExpanded(item.data(0, Qt.ItemDataRole.UserRole + 2) or False)
        self._apply_filter(self.filter.text())

    def selected_camera_ids(self) -> list[str]:
        """Cameras of the selected items (a pole counts as its cameras that may be shown)."""
        ids: list[str] = []
        for item in self.tree.selectedItems():
            ids += [c for c in item.data(0, _IDS) or [] if c not in ids]
        return ids

    def _pole_item(self, node: PoleNode, expanded: bool) -> QTreeWidgetItem:
        street = node.cameras[0].camera.name.split(" – ")[0] if node.cameras else ""
        placeable = node.placeable_ids
        pole = QTreeWidgetItem([f"{node.pole_id}  {street}".strip(),
                                f"{len(placeable)} of {len(node.cameras)} ready"])
        pole.setData(0, _IDS, placeable)
        pole.setData(0, Qt.ItemDataRole.UserRole + 2, expanded)
        pole.setToolTip(0, "Drag the pole to put its cameras on a tile and the ones after it")
        for entry in node.cameras:
            camera = entry.camera
            item = QTreeWidgetItem([f"{camera.camera_id}  {camera.name.split(' – ')[-1]}",
                                    "ready" if entry.placeable else "not shown"])
            # Refused cameras stay draggable: the tile then says why (awaiting privacy review).
            item.setData(0, _IDS, [camera.camera_id])
            item.setToolTip(0, camera.name)
            if not entry.placeable:
                item.setToolTip(1, f"Not shown on walls: {entry.refused}")
                item.setToolTip(0, f"{camera.name} — not shown on walls: {entry.refused}")
                for column in (0, 1):
                    item.setForeground(column, self.palette().placeholderText())
            pole.addChild(item)
        return pole

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for n in range(self.tree.topLevelItemCount()):
            pole = self.tree.topLevelItem(n)
            pole_hit = all(w in pole.text(0).lower() for w in words)
            any_child = False
            for k in range(pole.childCount()):
                child = pole.child(k)
                said = f"{child.text(0)} {child.toolTip(0)}".lower()
                hit = pole_hit or all(w in said for w in words)
                child.setHidden(not hit)
                any_child |= hit
            pole.setHidden(not (pole_hit or any_child))
            if words and any_child and not pole_hit:
                pole.setExpanded(True)

    def _double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        ids = item.data(0, _IDS) or []
        if item.parent() is not None and ids:
            self.camera_activated.emit(ids[0])
