"""The request queue's table model: one row per request, most urgent first, live countdowns."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from rtcc_desk.core.countdown import countdown_text, local_time_text
from rtcc_desk.core.request_order import UrgencyOrder
from rtcc_desk.core.request_queue import FootageRequest, RequestFilter, RequestQueue, RequestState
from rtcc_desk.ui.calls.rows import ROOT, ColumnsModel
from rtcc_desk.ui.candidates.model import urgent_colour

RequestIdRole = Qt.ItemDataRole.UserRole + 1
ESCALATE_TEXT = "ESCALATE · send an officer to canvass"
_FINAL = {RequestState.NO_RELEVANT_FOOTAGE, RequestState.DECLINED, RequestState.EXPIRED,
          RequestState.REVIEWED_NOT_VALUABLE}


class RequestColumn(enum.Enum):
    DEADLINE = "Overwritten in"
    STATE = "State"
    CAMERA = "Camera"
    CONTACT = "Owner contacted"
    CALL = "Call"
    CASE = "Case"
    ANALYST = "Analyst"
    WINDOW = "Window"
    SENT = "Sent"
    FLAG = "Attention"


COLUMNS = tuple(RequestColumn)
_DEADLINE = COLUMNS.index(RequestColumn.DEADLINE)
_BOLD = (RequestColumn.FLAG, RequestColumn.DEADLINE)  # escalated: bold amber
_LOUD = (*_BOLD, RequestColumn.STATE)  # escalated: amber
_FLAG = COLUMNS.index(RequestColumn.FLAG)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
#: The roles ``data()`` answers; the rest (asked on every paint of every cell) are None at once.
_ANSWERED = frozenset({_DISPLAY, _FOREGROUND, _FONT, int(Qt.ItemDataRole.ToolTipRole),
                       RequestIdRole})
_URGENT, _DIM = "urgent", "dim"  # a cell's colour: amber, or greyed out (a closed request)


def state_text(request: FootageRequest, zone: tzinfo | None = None,
               now: datetime | None = None) -> str:
    """The state as the row shows it; a shared request says whether the officer opened it
    (and when, in ``zone``: the clock time, with the date when it was not today)."""
    if request.state is RequestState.UPLOADING and request.upload_percent is not None:
        return f"uploading {request.upload_percent} %"
    if request.state is RequestState.SHARED:
        opened = request.shared_opened_at
        if opened is None:
            return "shared · not opened yet"
        when = local_time_text(opened, zone or UTC, now or opened)[:-3]  # to the minute
        by = f" by {request.shared_opened_by}" if request.shared_opened_by else ""
        return f"shared · opened{by} {when}"
    return request.state.label


def contact_text(request: FootageRequest) -> str:
    channel = {"sms": "by SMS", "email": "by email"}.get(request.channel, request.channel or "—")
    if request.delivery_error:
        return f"FAILED {channel}: {request.delivery_error}"
    return channel


class _Cells(NamedTuple):
    """One row as shown at the model's clock: its request, texts by column (worked out when
    first asked: the clock's tick repaints one column), colours by column, escalated?"""

    request: FootageRequest
    texts: list[str | None]
    looks: tuple[str | None, ...]
    escalate: bool


class _Rows(Mapping[str, int]):
    """The new row of each request id after a relayout, looked up in the order (a bisect)
    rather than a 5,000-entry dict made for the few rows the views hold on to."""

    def __init__(self, order: UrgencyOrder) -> None:
        self.order = order

    def __getitem__(self, request_id: str) -> int:
        row = self.order.row_of(request_id)
        if row is None:
            raise KeyError(request_id)
        return row

    def __iter__(self) -> Iterator[str]:
        return iter(self.order.ids())

    def __len__(self) -> int:
        return len(self.order)


def _changed_span(old: list[str], new: list[str]) -> tuple[int, int]:
    """The first and last row whose request differs (the lists differ, same length)."""
    first = next(row for row, (a, b) in enumerate(zip(old, new)) if a != b)
    last = next(row for row in range(len(old) - 1, first - 1, -1) if old[row] != new[row])
    return first, last


class RequestTableModel(ColumnsModel):
    """Shows a ``RequestQueue`` through a ``RequestFilter``, most urgent first.

    After the queue changed: ``update(changed)`` shows their new texts, and new or gone rows,
    at once; if they only change places it returns True and the rows move at the next
    ``show_order()`` (a move on screen repaints the whole table: the pane gathers them).
    ``refresh()`` re-reads everything; ``tick()`` once a second advances the countdowns (a
    request whose deadline passes moves at once).

    The order is kept by an ``UrgencyOrder`` (only changed requests are re-placed), and each
    row's texts and colours are worked out once per clock reading, when a view first asks: a
    1920×1080 table asks ~2,700 times per paint."""

    COLUMNS = COLUMNS

    def __init__(self, queue: RequestQueue, zone: tzinfo, now_fn: Callable[[], datetime],
                 camera_name: Callable[[str], str | None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue, self.zone, self.now_fn = queue, zone, now_fn
        self.camera_name = camera_name or (lambda camera_id: None)
        self.wanted = RequestFilter()
        self._now = now_fn()
        self._order = UrgencyOrder(queue, self._now, self.wanted)  # the order as it is
        self._ids: list[str] = []  # the rows as the views know them (moves may wait)
        self._rows: dict[str, int] | None = {}  # row of each id in _ids, made when asked
        self._escalated: frozenset[str] = frozenset()
        self._cells: dict[str, _Cells | None] = {}  # by request id, at the clock's reading
        #: The first and last row on screen, when a view says (its pane sets this): changes
        #: elsewhere are not repainted, since rows scrolled to are read afresh anyway.
        self.visible_rows: Callable[[], tuple[int, int]] | None = None

    def rowCount(self, parent: QModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def request_at(self, row: int) -> FootageRequest:
        return self.queue.get(self._ids[row])

    def row_of(self, request_id: str) -> int | None:
        if self._rows is None:
            self._rows = {key: row for row, key in enumerate(self._ids)}
        return self._rows.get(request_id)

    def escalated(self) -> frozenset[str]:
        return self._escalated

    def set_filter(self, wanted: RequestFilter) -> None:
        self.wanted = wanted
        self.refresh()

    def refresh(self, changed: Iterable[str] | None = None) -> None:
        """Re-read the queue (None: all of it, sorted afresh; else the ``changed`` requests)
        and show it all now: rows in their places (selections kept by id), changed rows
        redrawn."""
        if changed is None:
            now = self.now_fn()
            self._order.rebuild(now, self.wanted)
            self._clock_moved(now, ())
            self.show_order()
        elif self.update(changed):
            self.show_order()

    def update(self, changed: Iterable[str]) -> bool:
        """The ``changed`` requests (new, changed or gone) are read from the queue: their texts
        and rows that come or go show now; True if some only change places, which shows at
        the next ``show_order()``."""
        now, changed = self.now_fn(), frozenset(changed)
        moved = self._order.update(changed, now)
        self._clock_moved(now, changed)
        if moved and any((self._order.row_of(i) is None) != (self.row_of(i) is None)
                         for i in changed):
            self.show_order()  # rows come or go: no waiting
            return False
        return moved

    def show_order(self) -> None:
        """Move the rows to where they now belong (the views keep what they hold by id)."""
        ordered = self._order.ids()
        old = self._ids
        if ordered == old:
            return

        def reorder() -> Mapping[str, int]:
            self._ids, self._rows = ordered, None
            return _Rows(self._order)

        if len(old) != len(ordered):  # rows come and go: a reset, the pane reselects by id
            self.beginResetModel()
            reorder()
            self.endResetModel()
            return
        first, last = _changed_span(old, ordered)
        if self.visible_rows is None or any(
                first <= index.row() <= last for index in self.persistentIndexList()):
            self.relayout(lambda row: old[row], reorder)
            return
        # Nothing a view holds on to (selection, current row) is among the rows that changed
        # requests: for the views they are rows with new data, and only those on screen need
        # a repaint. A layout change would repaint the whole table for a request that moved
        # from row 900 to row 4,000.
        reorder()
        top, bottom = self.visible_rows()
        for row in range(max(first, top), min(last, bottom) + 1):
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def tick(self) -> None:
        """The clock moved on: countdowns advance, escalations and deadlines that passed show;
        on a new day (in the zone) every text is redrawn (dates show when not today)."""
        now = self.now_fn()
        new_day = now.astimezone(self.zone).date() != self._now.astimezone(self.zone).date()
        moved = self._order.advance(now)
        self._clock_moved(now, ())
        if moved:
            self.show_order()
        if not self._ids:
            return
        # A range down a column spanning rows off screen repaints the whole table (Qt), so
        # only the rows on screen are told: the others are read afresh when scrolled to.
        top, bottom = self.visible_rows() if self.visible_rows else (0, len(self._ids) - 1)
        if top < 0 or bottom < top:
            return
        columns = range(len(COLUMNS)) if new_day else (_DEADLINE,)
        for column in columns:
            self.dataChanged.emit(self.index(top, column), self.index(bottom, column))

    def data(self, index: QModelIndex, role: int = _DISPLAY):
        row = index.row()
        if role not in _ANSWERED or not 0 <= row < len(self._ids):
            return None
        request_id = self._ids[row]
        if role == RequestIdRole:
            return request_id if self.queue.get(request_id) is not None else None
        cells = self._cells[request_id] if request_id in self._cells else self._cells_of(request_id)
        if cells is None:  # gone from the queue; the next refresh drops the row
            return None
        column = index.column()
        if role == _DISPLAY:
            text = cells.texts[column]
            if text is None:
                text = cells.texts[column] = self._text(cells.request, COLUMNS[column])
            return text
        if role == _FOREGROUND:
            look = cells.looks[column]
            if look is None:
                return None
            palette = QGuiApplication.palette()
            if look is _URGENT:
                return urgent_colour(palette)
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == _FONT:
            if cells.escalate and COLUMNS[column] in _BOLD:
                font = QFont()
                font.setBold(True)
                return font
            return None
        request = self.queue.get(request_id)  # the tooltip: asked on hover only
        return None if request is None else self._tooltip(request)

    # ----- inside -------------------------------------------------------------------------

    def _clock_moved(self, now: datetime, changed: Iterable[str]) -> None:
        """Read at ``now``: texts worked out afresh, and the rows that changed or whose
        escalation did redrawn where they are shown."""
        self._now = now
        self._cells.clear()
        escalated = self._order.escalated(now)
        flagged, self._escalated = escalated ^ self._escalated, escalated
        last = len(COLUMNS) - 1
        for request_id in flagged.union(changed):
            row = self.row_of(request_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _cells_of(self, request_id: str) -> _Cells | None:
        request = self.queue.get(request_id)
        cells = None if request is None else self._work_out(request)
        self._cells[request_id] = cells
        return cells

    def _work_out(self, request: FootageRequest) -> _Cells:
        escalate = request.request_id in self._escalated
        final = request.state in _FINAL
        looks = []
        for column in COLUMNS:
            if escalate and column in _LOUD:
                looks.append(_URGENT)
            elif request.delivery_error and column in (RequestColumn.CONTACT, RequestColumn.FLAG):
                looks.append(_URGENT)
            else:
                looks.append(_DIM if final else None)
        return _Cells(request, [None] * len(COLUMNS), tuple(looks), escalate)

    def _text(self, request: FootageRequest, column: RequestColumn) -> str:
        now = self._now
        if column is RequestColumn.DEADLINE:
            return countdown_text(request.overwrite_deadline, now)
        if column is RequestColumn.STATE:
            return state_text(request, self.zone, now)
        if column is RequestColumn.CAMERA:
            return self.camera_name(request.camera_id) or request.camera_id
        if column is RequestColumn.CONTACT:
            return contact_text(request)
        if column is RequestColumn.CALL:
            return request.call_ref
        if column is RequestColumn.CASE:
            return request.case_ref
        if column is RequestColumn.ANALYST:
            return request.analyst
        if column is RequestColumn.WINDOW:
            if request.window_start is None or request.window_end is None:
                return "…"
            start = local_time_text(request.window_start, self.zone, now)[:-3]
            return f"{start}–{request.window_end.astimezone(self.zone):%H:%M}"
        if column is RequestColumn.SENT:
            return local_time_text(request.created_at, self.zone, now) if request.created_at else ""
        if request.request_id in self._escalated:
            return ESCALATE_TEXT
        if request.delivery_error and request.awaiting_owner:
            return "owner NOT contacted: phone them or resend"
        if request.awaiting_owner and request.reminders_sent:
            return f"owner reminded {request.reminders_sent}×"
        return ""

    def _tooltip(self, request: FootageRequest) -> str:
        deadline = request.overwrite_deadline
        when = f"{deadline.astimezone(self.zone):%Y-%m-%d %H:%M %Z}" if deadline else "unknown"
        text = (f"Request {request.request_id} · camera {request.camera_id}\n"
                f"Recorder overwrites: {when}")
        if request.delivery_error:
            text += f"\nThe link could not be sent: {request.delivery_error}"
        if request.shared_opened_at is not None:
            text += (f"\nShare link first opened by {request.shared_opened_by or 'the officer'}: "
                     f"{request.shared_opened_at.astimezone(self.zone):%Y-%m-%d %H:%M %Z}")
        return text
