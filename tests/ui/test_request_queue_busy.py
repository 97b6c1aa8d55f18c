"""A long request queue under a stream of events: rows in urgency order with the right texts,
the analyst's selection kept, changes off screen not repainted, a burst of events from the
stream reader applied as one batch."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.core.request_queue import (
    FootageRequest,
    QueueChange,
    RequestFilter,
    RequestQueue,
    RequestState,
    ServerEvent,
)
from rtcc_desk.ui.requests import RequestFeed, RequestQueuePane
from rtcc_desk.ui.requests.model import COLUMNS, RequestColumn
from tests.ui.test_calls_pane import Clock

ZONE = ZoneInfo("America/Chicago")
T0 = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


def waiting(n: int) -> FootageRequest:
    """Request n: no answer yet, n hours before its recorder overwrites (row n, most urgent
    first)."""
    return FootageRequest(request_id=f"req-{n:03d}", camera_id=f"REG-{n:03d}",
                          state=RequestState.SENT, channel="email",
                          overwrite_deadline=T0 + timedelta(hours=n + 1),
                          created_at=T0 - timedelta(minutes=n))


def status(event_id: int, n: int, value: str) -> ServerEvent:
    return ServerEvent(event_id, "request.status", {
        "request_id": f"req-{n:03d}", "camera_id": f"REG-{n:03d}", "status": value})


def shown(pane: RequestQueuePane) -> list[str]:
    return [pane.model.request_at(row).request_id for row in range(pane.model.rowCount())]


def state_cell(pane: RequestQueuePane, n: int) -> str:
    row = pane.model.row_of(f"req-{n:03d}")
    return pane.model.index(row, COLUMNS.index(RequestColumn.STATE)).data()


class Paints(QObject):
    """Counts the table's paints."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        self.count += event.type() == QEvent.Type.Paint
        return False


def test_rows_move_with_events_the_selection_stays_and_off_screen_moves_are_not_painted(qtbot):
    clock, queue = Clock(T0), RequestQueue()
    queue.upsert([waiting(n) for n in range(300)])
    pane = RequestQueuePane(queue, ZONE, now_fn=clock, tick_ms=60_000)
    qtbot.addWidget(pane)
    pane.resize(1400, 600)
    pane.show()
    qtbot.waitExposed(pane)
    in_order = lambda: shown(pane) == [r.request_id for r in queue.ordered(clock.now)]  # noqa: E731
    assert in_order() and pane.table.rowAt(0) == 0 and pane.table.rowAt(500) < 30
    pane.select_request("req-005")
    qtbot.wait(150)  # the pane shows the first move at once, later ones within 100 ms
    paints = Paints(pane.table.viewport())

    # Far down the list: the row moves to the end (answered), no row on screen changes.
    queue.apply_event(status(1, 200, "uploading"))
    assert state_cell(pane, 200) == "uploading"  # its text at once
    qtbot.waitUntil(in_order, timeout=5_000)
    qtbot.wait(50)
    assert paints.count == 0 and pane.selected_request_id() == "req-005"

    # Above the selection: every row below moves up one; the selection follows its request.
    queue.apply_event(status(2, 3, "uploading"))
    qtbot.waitUntil(in_order, timeout=5_000)
    assert pane.selected_request_id() == "req-005" and pane.model.row_of("req-005") == 4
    assert pane.table.selectionModel().selectedRows()[0].row() == 4
    qtbot.waitUntil(lambda: paints.count > 0, timeout=5_000)  # on screen: repainted

    # A burst: some on screen, some off; "opened" keeps its place, "declined" goes last.
    for event_id, (n, value) in enumerate([(10, "opened"), (11, "declined"), (150, "uploading"),
                                           (12, "uploading"), (151, "no_relevant_footage")],
                                          start=3):
        queue.apply_event(status(event_id, n, value))
    assert state_cell(pane, 11) == "declined" and state_cell(pane, 10) == "opened"
    qtbot.waitUntil(in_order, timeout=5_000)
    assert pane.selected_request_id() == "req-005"
    assert [state_cell(pane, n) for n in (10, 11, 12, 150, 151)] == [
        "opened", "declined", "uploading", "uploading", "no relevant footage"]

    # Selecting a request that is about to move selects it where it goes.
    queue.apply_event(status(8, 13, "opened"))
    queue.apply_event(status(9, 14, "declined"))  # moves to the end, soon
    assert pane.select_request("req-014") and in_order()
    assert pane.table.selectionModel().selectedRows()[0].row() == pane.model.row_of("req-014")
    assert pane.selected_request_id() == "req-014"

    # Filters still show the right rows, in order.
    pane.set_filter(RequestFilter(states=frozenset({RequestState.UPLOADING})))
    assert shown(pane) == [r.request_id for r in queue.ordered(
        clock.now, RequestFilter(states=frozenset({RequestState.UPLOADING})))]
    assert len(shown(pane)) == 4


def test_events_the_reader_hands_over_while_the_desk_is_busy_apply_as_one_batch(qtbot):
    queue = RequestQueue()
    queue.upsert([waiting(n) for n in range(5)])
    client = ServerClient("http://127.0.0.1:9")  # never connects: the events come from a thread
    feed = RequestFeed(client, queue)
    changes: list[QueueChange] = []
    queue.subscribe(changes.append)
    events = [status(1, 0, "opened"), status(2, 1, "opened"), status(3, 0, "uploading"),
              status(4, 2, "declined"), status(5, 0, "uploaded")]

    def reader() -> None:  # as EventStream.follow hands them over: one at a time
        for event in events:
            feed._events.emit([event])

    thread = threading.Thread(target=reader)
    thread.start()
    thread.join()  # the GUI thread was busy meanwhile: nothing applied yet
    assert changes == []
    qtbot.waitUntil(lambda: len(changes) > 0, timeout=5_000)
    qtbot.wait(50)
    assert len(changes) == 1 and changes[0].changed == {"req-000", "req-001", "req-002"}
    assert [queue.get(f"req-00{n}").state for n in range(3)] == [
        RequestState.UPLOADED, RequestState.OPENED, RequestState.DECLINED]  # in stream order
    assert queue.last_event_id == 5
    client.close()
