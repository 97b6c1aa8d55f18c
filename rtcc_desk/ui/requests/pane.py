"""The REQUEST QUEUE pane: every footage request with its state, most urgent first, filterable."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.core.request_queue import QueueChange, RequestFilter, RequestQueue, RequestState
from rtcc_desk.ui.calls.rows import select_row, selected_id, set_up_rows
from rtcc_desk.ui.candidates.model import urgent_colour
from rtcc_desk.ui.requests.model import COLUMNS, RequestColumn, RequestIdRole, RequestTableModel

_WIDTHS = {
    RequestColumn.DEADLINE: 190, RequestColumn.STATE: 270, RequestColumn.CAMERA: 220,
    RequestColumn.CONTACT: 190, RequestColumn.CALL: 140, RequestColumn.CASE: 100,
    RequestColumn.ANALYST: 80, RequestColumn.WINDOW: 140, RequestColumn.SENT: 120,
}
ALL_STATES = "All states"
#: Rows changing places closer together than this move together (see ``_queue_changed``).
COALESCE_MS = 100


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RequestQueuePane(QWidget):
    """Watches a ``RequestQueue`` (fed on the GUI thread, e.g. by a ``RequestFeed``)."""

    request_selected = Signal(str)  #: request id; "" when the selection is cleared
    request_activated = Signal(str)  #: request id, on double-click or Enter
    escalation_needed = Signal(str)  #: request id that has just become due for escalation

    def __init__(self, queue: RequestQueue, zone: tzinfo, *,
                 now_fn: Callable[[], datetime] = _utc_now, tick_ms: int = 1000,
                 camera_name: Callable[[str], str | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.model = RequestTableModel(queue, zone, now_fn, camera_name, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.model.visible_rows = self._visible_rows
        set_up_rows(self.table, COLUMNS, _WIDTHS, stretch=RequestColumn.FLAG)
        self.title = QLabel("<b>REQUESTS</b>", self)
        self.summary = QLabel(self)
        self.link = QLabel("○ not connected", self)
        self.call_filter = self._search("Call")
        self.case_filter = self._search("Case")
        self.analyst_filter = self._search("Analyst")
        self.state_filter = QComboBox(self)
        self.state_filter.addItem(ALL_STATES, None)
        for state in RequestState:
            self.state_filter.addItem(state.label, state)
        self.state_filter.currentIndexChanged.connect(self._filters_changed)
        self._lay_out()
        self._selected = ""
        self._warned: set[str] = set()
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda i: self.request_activated.emit(i.data(RequestIdRole)))
        self._order_shown_at = 0.0
        self._coalesce = QTimer(self, singleShot=True, interval=COALESCE_MS)
        self._coalesce.timeout.connect(self._show_order)
        self._unsubscribe = queue.subscribe(self._queue_changed)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self._timer = QTimer(self, interval=tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.model.refresh()
        self._update()

    # ----- from code ---------------------------------------------------------------------

    def set_filter(self, wanted: RequestFilter) -> None:
        """Show only matching requests (the filter bar follows)."""
        for box, text in ((self.call_filter, wanted.call_ref), (self.case_filter, wanted.case_ref),
                          (self.analyst_filter, wanted.analyst)):
            box.blockSignals(True)
            box.setText(text)
            box.blockSignals(False)
        state = next(iter(wanted.states)) if len(wanted.states) == 1 else None
        self.state_filter.blockSignals(True)
        self.state_filter.setCurrentIndex(max(0, self.state_filter.findData(state)))
        self.state_filter.blockSignals(False)
        self._apply(wanted)

    def set_link_status(self, up: bool, detail: str = "") -> None:
        """What the live feed says: live, or reconnecting (and why)."""
        down = f"○ reconnecting: {detail}" if detail else "○ not connected"
        self.link.setText("● live" if up else down)
        self.link.setToolTip(detail)

    def selected_request_id(self) -> str:
        return self._selected

    def select_request(self, request_id: str) -> bool:
        if self._coalesce.isActive():  # rows waiting to move: select (and scroll to) its place
            self._coalesce.stop()
            self._show_order()
        row = self.model.row_of(request_id)
        if row is None:
            return False
        select_row(self.table, row)
        return True

    def tick(self) -> None:
        """Countdowns advance; a request that now needs escalation is flagged (and moves)."""
        self.model.tick()
        self._update()

    # ----- inside -------------------------------------------------------------------------

    def _search(self, name: str) -> QLineEdit:
        box = QLineEdit(self, placeholderText=name, clearButtonEnabled=True)
        box.setToolTip(f"Show requests whose {name.lower()} contains this text")
        box.textChanged.connect(self._filters_changed)
        return box

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.summary, 1)
        top.addWidget(self.link)
        filters = QHBoxLayout()
        for box in (self.call_filter, self.case_filter, self.state_filter, self.analyst_filter):
            filters.addWidget(box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

    def _filters_changed(self, *_) -> None:
        state = self.state_filter.currentData()
        self._apply(RequestFilter(
            call_ref=self.call_filter.text(), case_ref=self.case_filter.text(),
            analyst=self.analyst_filter.text(),
            states=frozenset({state}) if state else frozenset()))

    def _apply(self, wanted: RequestFilter) -> None:
        self.model.set_filter(wanted)
        self._reselect()
        self._update()

    def _queue_changed(self, change: QueueChange) -> None:
        # New texts, and rows that come or go, show at once (cheap: off-screen rows cost
        # nothing). A request that only changes place shifts the rows in between, which
        # repaints the whole table when they are on screen: a lone move shows at once, a burst
        # (a busy event stream) is gathered and shown at most every COALESCE_MS.
        if self.model.update(change.changed) and not self._coalesce.isActive():
            if time.monotonic() - self._order_shown_at >= COALESCE_MS / 1000:
                self._show_order()
            else:
                self._coalesce.start()
        self._reselect()
        self._update()

    def _show_order(self) -> None:
        self._order_shown_at = time.monotonic()
        self.model.show_order()
        self._reselect()

    def _visible_rows(self) -> tuple[int, int]:
        top = self.table.rowAt(0)
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        return top, bottom if bottom >= 0 else self.model.rowCount() - 1

    def _reselect(self) -> None:
        if self._selected and selected_id(self.table, RequestIdRole) != self._selected:
            if not self.select_request(self._selected):
                self._selected = ""
                self.request_selected.emit("")

    def _selection_changed(self, *_) -> None:
        chosen = selected_id(self.table, RequestIdRole) or ""
        if chosen != self._selected and (chosen or self.model.row_of(self._selected) is None):
            self._selected = chosen
            self.request_selected.emit(chosen)

    def _update(self) -> None:
        escalated = self.model.escalated()
        for request_id in sorted(escalated - self._warned):
            self.escalation_needed.emit(request_id)
        self._warned = set(escalated)
        shown, total = self.model.rowCount(), len(self.queue)
        text = f"{total} requests" if shown == total else f"{shown} of {total} requests"
        if escalated:
            amber = urgent_colour(self.palette()).name()
            text += f" · <span style='color:{amber}'><b>{len(escalated)} need escalation</b></span>"
        self.summary.setText(text)
