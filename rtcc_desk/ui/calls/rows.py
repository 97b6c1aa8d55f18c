"""Row-table plumbing the desk's list panes share: set-up, selection by id, rows kept by id."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

ROOT = QModelIndex()  #: the invisible root: every row of a flat table hangs from it


class ColumnsModel(QAbstractTableModel):
    """A flat table whose columns are the members of ``COLUMNS`` (an enum; values are titles)."""

    COLUMNS: tuple[enum.Enum, ...] = ()

    def columnCount(self, parent: QModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section].value
        return None

    def relayout(
        self, id_at: Callable[[int], str], reorder: Callable[[], Mapping[str, int]]
    ) -> None:
        """Reorder (or re-filter) the rows and let the views keep what they hold by id.

        ``id_at(row)`` names a row before; ``reorder()`` changes the rows and returns the
        new row of every id still shown. Selections on rows that went away are dropped.
        """
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [id_at(i.row()) for i in old]
        rows = reorder()
        new = [
            self.index(rows[key], i.column()) if key in rows else QModelIndex()
            for key, i in zip(ids, old, strict=True)
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()


def set_up_rows(table: QTableView, columns: tuple, widths: Mapping, stretch) -> None:
    """One selectable row at a time, read-only, compact, one column taking the spare width."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    for column, width in widths.items():
        table.setColumnWidth(columns.index(column), width)
    header.setSectionResizeMode(columns.index(stretch), QHeaderView.ResizeMode.Stretch)


def select_row(table: QTableView, row: int) -> None:
    index = table.model().index(row, 0)
    flag = QItemSelectionModel.SelectionFlag
    table.selectionModel().setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
    table.scrollTo(index)


def selected_id(table: QTableView, role: int) -> str:
    """The id (``role``'s value) of the selected row, "" when nothing is selected."""
    rows = table.selectionModel().selectedRows()
    return rows[0].data(role) if rows else ""
