"""The city cameras as the server keeps them, filterable by review state and by text.

Used by the review dialog (pending first), the inventory dialog and the supervisor's
"which camera?" picker. Rows are ``CityCameraState``s from ``city_cameras_api``.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.server_link.city_cameras_api import CityCameraState
from rtcc_desk.core.privacy_review import PrivacyReview
from rtcc_desk.ui.theme import DANGER, MUTED, OK, WARNING

#: The filter's choices: label → states shown.
FILTERS = {
    "Pending review": {PrivacyReview.PENDING},
    "Rejected": {PrivacyReview.REJECTED},
    "Approved": {PrivacyReview.APPROVED},
    "All cameras": set(PrivacyReview),
}
STATE_COLOURS = {PrivacyReview.PENDING: WARNING, PrivacyReview.REJECTED: DANGER,
                 PrivacyReview.APPROVED: OK}
COLUMNS = ("Camera", "Pole", "Review", "Why / note")


def why_text(state: CityCameraState) -> str:
    """The pending reason, or the last reviewer's note."""
    if state.camera.privacy_review is PrivacyReview.PENDING:
        return state.pending_reason or "waiting for review"
    who = f"{state.reviewed_by}: " if state.reviewed_by else ""
    return f"{who}{state.review_note}" if state.review_note else who.rstrip(": ")


class CityCameraModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._all: dict[str, CityCameraState] = {}
        self.rows: list[CityCameraState] = []
        self.states: set[PrivacyReview] = set(FILTERS["Pending review"])
        self.text = ""

    def set_cameras(self, states: Iterable[CityCameraState]) -> None:
        self._all = {s.camera_id: s for s in states if not s.camera.withdrawn}
        self._refilter()

    def put(self, state: CityCameraState) -> None:
        """One camera changed (a decision, an edit): update its row in place, keep the filter."""
        self._all[state.camera_id] = state
        for row, shown in enumerate(self.rows):
            if shown.camera_id == state.camera_id:
                self.rows[row] = state
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return
        self._refilter()

    def get(self, camera_id: str) -> CityCameraState | None:
        return self._all.get(camera_id)

    def set_filter(self, states: set[PrivacyReview], text: str) -> None:
        self.states, self.text = set(states), text.strip().lower()
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self.rows = sorted(
            (s for s in self._all.values()
             if s.camera.privacy_review in self.states and self._matches(s)),
            key=lambda s: (s.camera.pole_id, s.camera.position_on_pole, s.camera_id))
        self.endResetModel()

    def _matches(self, state: CityCameraState) -> bool:
        if not self.text:
            return True
        camera = state.camera
        return any(self.text in field.lower() for field in (
            camera.camera_id, camera.name, camera.pole_id, state.pending_reason, state.review_note))

    # -- Qt's model interface ---------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        state = self.rows[index.row()]
        camera, column = state.camera, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{camera.camera_id}" + (f" — {camera.name}" if camera.name else ""),
                    f"{camera.pole_id} / {camera.position_on_pole}",
                    str(camera.privacy_review), why_text(state))[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QColor(STATE_COLOURS.get(camera.privacy_review, MUTED))
        if role == Qt.ItemDataRole.ToolTipRole:
            return why_text(state) if column == 3 else f"{camera.camera_id} {camera.name}".strip()
        if role == Qt.ItemDataRole.UserRole:
            return camera.camera_id
        return None


class CityCameraList(QWidget):
    """Filter row above a table; ``camera_selected(id)`` on selection, ``camera_activated(id)``
    on double-click or Enter."""

    camera_selected = Signal(str)
    camera_activated = Signal(str)

    def __init__(self, first_filter: str = "Pending review", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CityCameraModel()
        self.filter = QComboBox(self)
        self.filter.addItems(list(FILTERS))
        self.filter.setCurrentText(first_filter)
        self.search = QLineEdit(self, placeholderText="Find a camera, pole or note…",
                                clearButtonEnabled=True)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 190)  # long names elide; the why/note column gets the rest
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        row = QHBoxLayout()
        row.addWidget(self.filter)
        row.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.filter.currentTextChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda index: self.camera_activated.emit(
            self.model.rows[index.row()].camera_id))
        self.model.set_filter(FILTERS[first_filter], "")

    def set_cameras(self, states: Iterable[CityCameraState]) -> None:
        chosen = self.selected_id()
        self.model.set_cameras(states)
        if chosen:
            self.select(chosen)

    def put(self, state: CityCameraState) -> None:
        self.model.put(state)

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()].camera_id if index.isValid() else None

    def select(self, camera_id: str) -> bool:
        """Select a camera's row if the filter shows it."""
        for row, state in enumerate(self.model.rows):
            if state.camera_id == camera_id:
                self.table.selectRow(row)
                return True
        return False

    def visible_ids(self) -> list[str]:
        return [s.camera_id for s in self.model.rows]

    def _refilter(self) -> None:
        chosen = self.selected_id()
        self.model.set_filter(FILTERS[self.filter.currentText()], self.search.text())
        if chosen:
            self.select(chosen)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.camera_selected.emit(self.model.rows[current.row()].camera_id)
