"""The candidate list's table model: live countdowns, expired cameras greyed and always last."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from rtcc_desk.core.countdown import DeadlineState, deadline_state
from rtcc_desk.ui.calls.rows import ROOT, ColumnsModel
from rtcc_desk.ui.candidates.cells import (
    CandidateColumn,
    CandidateRow,
    cell_text,
    sort_value,
    tooltip,
)

COLUMNS = tuple(CandidateColumn)
CameraIdRole = Qt.ItemDataRole.UserRole + 1
_COUNTDOWN = COLUMNS.index(CandidateColumn.COUNTDOWN)


def urgent_colour(palette: QPalette) -> QColor:
    """Amber that reads on the palette: light amber on a dark base, dark amber on a light one."""
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor("#ffb74d") if dark else QColor("#a15c00")


class CandidateTableModel(ColumnsModel):
    """Rows in the chosen order (the correlation's ranking by default), expired ones last.

    ``tick()`` repaints only the countdown column, unless a deadline passed since the last
    tick: then that row moves down with a layout change, which keeps the selection.
    """

    COLUMNS = COLUMNS

    def __init__(self, now_fn: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now_fn = now_fn
        self._rows: list[CandidateRow] = []
        self._column: CandidateColumn | None = None
        self._descending = False
        self._now = now_fn()
        self._expired: frozenset[str] = frozenset()

    # ----- content ---------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[CandidateRow], now_fn: Callable[[], datetime]) -> None:
        self.beginResetModel()
        self.now_fn = now_fn
        self._now = now_fn()
        self._rows = self._ordered(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CandidateRow:
        return self._rows[row]

    def row_of(self, camera_id: str) -> int | None:
        for row, candidate in enumerate(self._rows):
            if candidate.camera_id == camera_id:
                return row
        return None

    def expired_count(self) -> int:
        return len(self._expired)

    # ----- clock and order -------------------------------------------------------------------

    def tick(self) -> None:
        self._now = self.now_fn()
        if not self._rows:
            return
        if frozenset(r.camera_id for r in self._rows if r.expired(self._now)) != self._expired:
            self._relayout()
        else:
            self.dataChanged.emit(
                self.index(0, _COUNTDOWN), self.index(len(self._rows) - 1, _COUNTDOWN),
                [Qt.ItemDataRole.DisplayRole],
            )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._column = COLUMNS[column] if 0 <= column < len(COLUMNS) else None
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._relayout()

    def _ordered(self, rows: Sequence[CandidateRow]) -> list[CandidateRow]:
        self._expired = frozenset(r.camera_id for r in rows if r.expired(self._now))
        live = [r for r in rows if r.camera_id not in self._expired]
        gone = [r for r in rows if r.camera_id in self._expired]
        ordered = []
        for part in (live, gone):  # the chosen order inside each part; expired always below
            ordered += sorted(
                part, key=lambda r: sort_value(r, self._column), reverse=self._descending
            )
        return ordered

    def _relayout(self) -> None:
        before = self._rows

        def reorder() -> dict[str, int]:
            self._rows = self._ordered(before)
            return {r.camera_id: n for n, r in enumerate(self._rows)}

        self.relayout(lambda row: before[row].camera_id, reorder)

    # ----- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, column, self._now)
        if role == CameraIdRole:
            return row.camera_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row, column)
        state = deadline_state(row.deadline, self._now)
        if role == Qt.ItemDataRole.ForegroundRole:
            palette = QGuiApplication.palette()
            if state is DeadlineState.EXPIRED:
                return palette.brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if column is CandidateColumn.COUNTDOWN and state is DeadlineState.URGENT:
                return urgent_colour(palette)
        if (
            role == Qt.ItemDataRole.FontRole
            and column is CandidateColumn.COUNTDOWN
            and state in (DeadlineState.URGENT, DeadlineState.EXPIRED)
        ):
            font = QFont()
            font.setBold(state is DeadlineState.URGENT)
            font.setItalic(state is DeadlineState.EXPIRED)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            CandidateColumn.DISTANCE, CandidateColumn.COUNTDOWN,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
