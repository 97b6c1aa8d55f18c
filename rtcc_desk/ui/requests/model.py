"""The request queue's table model: one row per request, most urgent first, live countdowns."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from rtcc_desk.core.countdown import countdown_text, local_time_text
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


class RequestTableModel(ColumnsModel):
    """Shows a ``RequestQueue`` through a ``RequestFilter``; ``refresh()`` after it changed,
    ``tick()`` once a second (countdowns repaint; the order moves only when flags change)."""

    COLUMNS = COLUMNS

    def __init__(self, queue: RequestQueue, zone: tzinfo, now_fn: Callable[[], datetime],
                 camera_name: Callable[[str], str | None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue, self.zone, self.now_fn = queue, zone, now_fn
        self.camera_name = camera_name or (lambda camera_id: None)
        self.wanted = RequestFilter()
        self._ids: list[str] = []
        self._now = now_fn()
        self._escalated: frozenset[str] = frozenset()

    def rowCount(self, parent: QModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def request_at(self, row: int) -> FootageRequest:
        return self.queue.get(self._ids[row])

    def row_of(self, request_id: str) -> int | None:
        try:
            return self._ids.index(request_id)
        except ValueError:
            return None

    def escalated(self) -> frozenset[str]:
        return self._escalated

    def set_filter(self, wanted: RequestFilter) -> None:
        self.wanted = wanted
        self.refresh()

    def refresh(self, changed: frozenset[str] = frozenset()) -> None:
        """Re-read the queue: new order and rows (selections kept by id), changed rows redrawn."""
        self._now = self.now_fn()
        ordered = [r.request_id for r in self.queue.ordered(self._now, self.wanted)]
        self._escalated = frozenset(r.request_id for r in self.queue.escalations(self._now))
        if ordered != self._ids:
            old = list(self._ids)

            def reorder() -> dict[str, int]:
                self._ids = ordered
                return {key: row for row, key in enumerate(ordered)}

            if len(old) == len(ordered):
                self.relayout(lambda row: old[row], reorder)
            else:  # rows come and go: a reset, the pane puts the selection back by id
                self.beginResetModel()
                reorder()
                self.endResetModel()
        for request_id in changed:
            row = self.row_of(request_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def tick(self) -> None:
        self._now = self.now_fn()
        if frozenset(r.request_id for r in self.queue.escalations(self._now)) != self._escalated:
            self.refresh(frozenset(self._ids))
        elif self._ids:
            self.dataChanged.emit(self.index(0, _DEADLINE), self.index(len(self._ids) - 1, _FLAG))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        request = self.queue.get(self._ids[index.row()])
        if request is None:
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(request, column)
        if role == RequestIdRole:
            return request.request_id
        escalate = request.request_id in self._escalated
        if role == Qt.ItemDataRole.ForegroundRole:
            palette = QGuiApplication.palette()
            if escalate and column in _LOUD:
                return urgent_colour(palette)
            if request.delivery_error and column in (RequestColumn.CONTACT, RequestColumn.FLAG):
                return urgent_colour(palette)
            if request.state in _FINAL:
                return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        if role == Qt.ItemDataRole.FontRole and escalate and column in _BOLD:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(request)
        return None

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
