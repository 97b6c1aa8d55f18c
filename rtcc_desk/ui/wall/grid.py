"""The tiles of the page shown, laid out by its TileLayout, or the one maximised tile alone."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QWidget

from rtcc_desk.core.wall import TileLayout
from rtcc_desk.ui.wall.tile import WallTile


class TileGrid(QWidget):
    """Holds no state of its own: ``arrange`` puts the given tiles where the layout says."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("wall-grid")
        self.setStyleSheet("#wall-grid { background: #000; }")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)

    def arrange(self, layout: TileLayout, tiles: list[WallTile], maximised: int | None) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        for n in range(self._grid.rowCount()):
            self._grid.setRowStretch(n, 0)
        for n in range(self._grid.columnCount()):
            self._grid.setColumnStretch(n, 0)
        if maximised is not None:
            for tile in tiles:
                tile.setVisible(tile.index == maximised)
            self._grid.addWidget(tiles[maximised], 0, 0)
            self._grid.setRowStretch(0, 1)
            self._grid.setColumnStretch(0, 1)
            return
        for span, tile in zip(layout.tiles, tiles, strict=True):
            tile.setParent(self)
            self._grid.addWidget(tile, span.row, span.col, span.rows, span.cols)
            tile.show()
        # Equal cells: a big tile is exactly N small ones, whatever the pictures' sizes.
        for row in range(layout.rows):
            self._grid.setRowStretch(row, 1)
            self._grid.setRowMinimumHeight(row, 0)
        for col in range(layout.cols):
            self._grid.setColumnStretch(col, 1)
