"""The CALL FEED pane: live table of calls with filters, search, flash-and-chime for urgent ones."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.core.call_filter import CallColumn, CallFilter
from rtcc_desk.core.calls import Call, CallBook
from rtcc_desk.ui.calls.chime import Chime
from rtcc_desk.ui.calls.filter_bar import CallFilterBar
from rtcc_desk.ui.calls.model import COLUMNS, CallFeedModel, CallIdRole
from rtcc_desk.ui.calls.priority_chip import CHIP_SIZE
from rtcc_desk.ui.calls.rows import select_row, selected_id, set_up_rows
from rtcc_desk.ui.calls.table import FeedTableView

_WIDTHS = {
    CallColumn.PRIORITY: 120, CallColumn.TYPE: 300, CallColumn.DISTRICT: 90,
    CallColumn.RECEIVED: 100, CallColumn.AGE: 80, CallColumn.STATUS: 110, CallColumn.CALL_ID: 150,
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CallsPane(QWidget):
    """The feed: ``add_or_update(call)`` in, ``call_selected(call_id)`` out.

    ``zone`` is the jurisdiction's time zone (received times are shown in it); ``now_fn``
    is the clock, injectable for tests. Calls at or above ``high_priority`` (0–10) flash for
    ``flash_seconds`` and chime once per batch unless muted.
    """

    call_selected = Signal(str)  #: the selected call's id; "" when the selection is cleared
    high_priority_call = Signal(str)  #: a call that just became urgent (new or reclassified)

    def __init__(
        self,
        zone: tzinfo,
        *,
        now_fn: Callable[[], datetime] = _utc_now,
        book: CallBook | None = None,
        high_priority: int = 8,
        flash_seconds: float = 4.0,
        tick_ms: int = 500,
        flush_interval_ms: int = 200,
        use_audio: bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = CallFeedModel(
            zone, now_fn, book=book, high_priority=high_priority,
            flash_seconds=flash_seconds, flush_interval_ms=flush_interval_ms, parent=self,
        )
        self.chime = Chime(self, use_audio=use_audio)
        self.filter_bar = CallFilterBar(self.model.distinct, self)
        self.table = self._make_table()
        self.count_label = QLabel(self)
        self.mute_button = QToolButton(self, checkable=True)
        self.mute_button.toggled.connect(self.set_muted)
        self._selected_id = ""
        self._lay_out()
        self.filter_bar.filter_changed.connect(self._filter_changed)
        self.model.alerted.connect(self._alert)
        self.model.flushed.connect(self._update_count)
        self.model.layoutChanged.connect(self._update_count)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        # A filter change re-lays rows out without selectionChanged; removals may too.
        self.model.layoutChanged.connect(self._selection_changed)
        self.model.rowsRemoved.connect(self._selection_changed)
        self._timer = QTimer(self, interval=tick_ms)
        self._timer.timeout.connect(self.model.tick)
        self._timer.start()
        find = QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear_search)
        for shortcut in (find, escape):
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.set_muted(False)
        self._update_count()

    # ----- feeding ---------------------------------------------------------------------------

    def add_or_update(self, call: Call, *, alert: bool = True) -> Call:
        """Queue a new call or an update of a known one; returns the merged call."""
        return self.model.add_or_update(call, alert=alert)

    def add_many(self, calls: Iterable[Call], *, alert: bool = True) -> None:
        """A backlog at start-up: pass ``alert=False`` so old calls neither flash nor chime."""
        self.model.add_many(calls, alert=alert)

    def flush(self) -> None:
        """Show queued calls now instead of at the next frame (tests, shutdown)."""
        self.model.flush()

    def tick(self) -> None:
        """What the pane's timer does: ages and flashing advance to ``now_fn()``."""
        self.model.tick()

    def call(self, call_id: str) -> Call | None:
        """The merged call as the feed knows it (queued updates included)."""
        return self.model.call(call_id)

    # ----- selection -------------------------------------------------------------------------

    def selected_call_id(self) -> str:
        return self._selected_id

    def select_call(self, call_id: str) -> bool:
        """Select (and scroll to) a call; False if it is unknown or filtered out."""
        self.model.flush()
        row = self.model.row_of(call_id)
        if row is None:
            return False
        select_row(self.table, row)
        return True

    # ----- filters, sort, chime --------------------------------------------------------------

    @property
    def call_filter(self) -> CallFilter:
        return self.model.call_filter

    def set_filter(self, call_filter: CallFilter) -> None:
        self.filter_bar.set_filter(call_filter)

    def sort_by(self, column: CallColumn, *, descending: bool = False) -> None:
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.sortByColumn(COLUMNS.index(column), order)

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    def clear_search(self) -> None:
        had_focus = self.filter_bar.search.hasFocus()
        self.filter_bar.clear_search()
        if had_focus:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @property
    def muted(self) -> bool:
        return self.chime.muted

    def set_muted(self, muted: bool) -> None:
        self.chime.muted = muted
        self.mute_button.setChecked(muted)
        self.mute_button.setText("Chime: muted" if muted else "Chime: on")
        self.mute_button.setToolTip("Sound for new urgent calls (they flash either way)")

    @property
    def chime_count(self) -> int:
        return self.chime.count

    # ----- internals -------------------------------------------------------------------------

    def _make_table(self) -> FeedTableView:
        table = FeedTableView(self)
        table.setModel(self.model)
        table.setIconSize(QSize(*CHIP_SIZE))
        set_up_rows(table, COLUMNS, _WIDTHS, stretch=CallColumn.ADDRESS)
        received = COLUMNS.index(CallColumn.RECEIVED)
        table.horizontalHeader().setSortIndicator(received, Qt.SortOrder.DescendingOrder)
        table.setSortingEnabled(True)
        return table

    def _lay_out(self) -> None:
        title = QLabel("<b>CALL FEED</b>", self)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(self.mute_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)

    def _filter_changed(self, call_filter: CallFilter) -> None:
        self.model.set_filter(call_filter)

    def _alert(self, call_ids: list[str]) -> None:
        for call_id in call_ids:
            self.high_priority_call.emit(call_id)
        self.chime.ring()

    def _update_count(self, *_: object) -> None:
        shown, total = self.model.rowCount(), self.model.total
        self.count_label.setText(
            f"{total:,} calls" if shown == total else f"{shown:,} of {total:,} calls shown"
        )

    def _selection_changed(self, *_: object) -> None:
        call_id = selected_id(self.table, CallIdRole)
        if call_id != self._selected_id:
            self._selected_id = call_id
            self.call_selected.emit(call_id)
