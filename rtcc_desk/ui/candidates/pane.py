"""The CANDIDATES pane: cameras that may have seen the call, with overwrite countdowns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.correlation import (
    DEFAULT_RADIUS_M,
    CorrelationResult,
    CorrelationStatus,
    overwrite_deadline,
)
from rtcc_desk.ui.calls.rows import select_row, selected_id, set_up_rows
from rtcc_desk.ui.candidates.cells import CandidateColumn, CandidateRow
from rtcc_desk.ui.candidates.model import COLUMNS, CameraIdRole, CandidateTableModel

NOTHING_SELECTED = "Select a call, or right-click the map and choose “find cameras here”."
_WIDTHS = {
    # Narrow enough that the name (the stretching column) stays readable in a half-screen pane.
    CandidateColumn.KIND: 90, CandidateColumn.DISTANCE: 70, CandidateColumn.VIEW: 120,
    CandidateColumn.RETENTION: 150, CandidateColumn.COUNTDOWN: 130, CandidateColumn.OWNER: 100,
    CandidateColumn.ACCESS: 90,
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def empty_reason(result: CorrelationResult, subject: str, withdrawn: int = 0) -> str:
    """Why the list is empty, in the analyst's words."""
    if result.status is CorrelationStatus.NO_USABLE_LOCATION:
        return (
            f"{subject} has no usable location yet: "
            "no cameras can be matched until it is placed."
        )
    if result.status is CorrelationStatus.OUTSIDE_JURISDICTION:
        return f"{subject} lies outside the jurisdiction: no cameras are searched there."
    gone = f" ({withdrawn} withdrawn since the search)" if withdrawn else ""
    return (
        f"No camera within {result.radius_m:,.0f} m sees {subject}{gone}. "
        "Widen the radius to look further."
    )


class CandidatesPane(QWidget):
    """Fed by ``show_result``; reports the analyst's picks and radius changes as signals."""

    radius_changed = Signal(float)  #: metres, when the analyst changes the radius
    candidate_selected = Signal(str)  #: camera id; "" when the selection is cleared
    candidate_activated = Signal(str)  #: camera id, on double-click or Enter

    def __init__(
        self,
        *,
        now_fn: Callable[[], datetime] = _utc_now,
        tick_ms: int = 1000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = CandidateTableModel(now_fn, self)
        self.table = self._make_table()
        self.radius = QDoubleSpinBox(self, decimals=0, minimum=10, maximum=2000, singleStep=25)
        self.radius.setSuffix(" m")
        self.radius.setKeyboardTracking(False)  # typed values count on Enter, not per digit
        self.radius.setValue(DEFAULT_RADIUS_M)
        self.radius.setToolTip("Search radius around the location")
        self.radius.valueChanged.connect(lambda metres: self.radius_changed.emit(float(metres)))
        self.title = QLabel(self)
        self.summary = QLabel(self)
        self.empty = QLabel(NOTHING_SELECTED, self, wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self._lay_out()
        self._call_id: str | None = None
        self._selected_id = ""
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(
            lambda index: self.candidate_activated.emit(index.data(CameraIdRole))
        )
        self._timer = QTimer(self, interval=tick_ms)
        self._timer.timeout.connect(self.tick)
        self.clear()

    # ----- feeding ---------------------------------------------------------------------------

    def show_result(
        self,
        result: CorrelationResult,
        cameras_by_id: Callable[[str], Camera | None] | None = None,
        incident_time: datetime | None = None,
        now_fn: Callable[[], datetime] | None = None,
        *,
        subject: str = "",
    ) -> None:
        """Show the candidates of a call (or map point); the same call keeps its selection.

        ``cameras_by_id`` gives each camera's current registry record (None: withdrawn since
        the search, so it is left out); with ``incident_time`` the overwrite deadline is
        recomputed from that record's retention. ``subject`` names the call or point.
        """
        keep = self._selected_id if result.call_id == self._call_id else ""
        self._call_id = result.call_id
        subject = subject or result.call_id or "this point"
        rows, withdrawn = [], 0
        for rank, candidate in enumerate(result.candidates):
            camera = candidate.camera
            if cameras_by_id is not None:
                camera = cameras_by_id(camera.camera_id)
            if camera is None:
                withdrawn += 1
                continue
            deadline = (
                overwrite_deadline(camera, incident_time)
                if incident_time is not None
                else candidate.overwrite_deadline
            )
            rows.append(
                CandidateRow(
                    camera, candidate.distance_m, candidate.direction_unknown, deadline, rank
                )
            )
        self.set_radius(result.radius_m)
        self.model.set_rows(rows, now_fn or self.model.now_fn)
        self.title.setText(f"<b>CANDIDATES</b> · {subject}")
        if rows:
            self.stack.setCurrentWidget(self.table)
            self._timer.start()
        else:
            self.empty.setText(empty_reason(result, subject, withdrawn))
            self.stack.setCurrentWidget(self.empty)
            self._timer.stop()
        self._summarise()
        self._reselect(keep)

    def clear(self, message: str = NOTHING_SELECTED) -> None:
        """No call or point chosen: an empty list that says what to do."""
        self._call_id = None
        self.model.set_rows([], self.model.now_fn)
        self.title.setText("<b>CANDIDATES</b>")
        self.summary.setText("")
        self.empty.setText(message)
        self.stack.setCurrentWidget(self.empty)
        self._timer.stop()
        self._reselect("")

    def tick(self) -> None:
        """What the pane's one-second timer does: countdowns advance; passed deadlines sink."""
        self.model.tick()
        self._summarise()

    # ----- radius and selection --------------------------------------------------------------

    def set_radius(self, metres: float) -> None:
        """Show a radius without announcing it (it came from the search, not the analyst)."""
        self.radius.blockSignals(True)
        self.radius.setValue(metres)
        self.radius.blockSignals(False)

    def selected_camera_id(self) -> str:
        return self._selected_id

    def select_camera(self, camera_id: str) -> bool:
        """Select a candidate (a camera clicked on the map); False if it is not in the list."""
        row = self.model.row_of(camera_id)
        if row is None:
            return False
        select_row(self.table, row)
        return True

    # ----- internals -------------------------------------------------------------------------

    def _make_table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.model)
        set_up_rows(table, COLUMNS, _WIDTHS, stretch=CandidateColumn.NAME)
        # no indicator: the correlation's ranking until the analyst clicks a header
        table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        return table

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.summary)
        top.addSpacing(12)
        top.addWidget(QLabel("Radius", self))
        top.addWidget(self.radius)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    def _summarise(self) -> None:
        rows = [self.model.row_at(n) for n in range(self.model.rowCount())]
        if not rows:
            self.summary.setText("")
            return
        open_now = sum(r.camera.kind.open_now for r in rows)
        expired = self.model.expired_count()
        text = f"{len(rows)} cameras within {self.radius.value():,.0f} m · {open_now} open now"
        self.summary.setText(text + (f" · {expired} overwritten" if expired else ""))

    def _reselect(self, camera_id: str) -> None:
        if not (camera_id and self.select_camera(camera_id)):
            self.table.selectionModel().clearSelection()
            self._selection_changed()

    def _selection_changed(self, *_: object) -> None:
        camera_id = selected_id(self.table, CameraIdRole)
        if camera_id != self._selected_id:
            self._selected_id = camera_id
            self.candidate_selected.emit(camera_id)
