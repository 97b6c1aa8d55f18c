"""The queue's live feed: the server's event stream, read on a thread of its own, relayed to the
GUI thread (a QObject's queued signals) and applied to the ``RequestQueue`` there. Events that
arrive while the GUI thread is busy are applied together, as one batch.

After every (re)connect the queue is reconciled with ``GET /api/requests``; events that arrive
meanwhile wait and are applied after the list, in order (each carries the request's whole
state, so the last one wins). A request known only from an event is fetched in full. The
desk's own marks (reviewed, shared, the officer's first opening) come back with every reload
from the server's uploads and shares, and live from "share.viewed" events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.requests_api import EventStream, get_request, list_requests
from rtcc_desk.adapters.server_link.shares_api import DeskMarks, desk_marks
from rtcc_desk.core.request_queue import RequestQueue, ServerEvent
from rtcc_desk.ui.background import run_in_background

log = logging.getLogger("rtcc.desk.requests")


class RequestFeed(QObject):
    """Keeps a ``RequestQueue`` live; create and use it on the GUI thread."""

    link_changed = Signal(bool, str)  #: up?, detail: for the pane's "live" label
    reconciled = Signal(int)  #: the queue was reloaded from the server (how many requests)
    failed = Signal(str)  #: a reload or fetch did not work (the reason)
    _events = Signal(object)  # list[ServerEvent], from the reader thread: kept in the inbox
    _waiting = Signal()  # the inbox has events for the GUI thread
    _link = Signal(bool, str)

    def __init__(self, client: ServerClient, queue: RequestQueue, *,
                 list_fn: Callable[[ServerClient], list] = list_requests,
                 marks_fn: Callable[[ServerClient], DeskMarks] = desk_marks,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client, self.queue, self.list_fn, self.marks_fn = client, queue, list_fn, marks_fn
        self._stream: EventStream | None = None
        self._thread: threading.Thread | None = None
        self._held: list[ServerEvent] | None = None  # events waiting for a reload to finish
        self._inbox: list[ServerEvent] = []  # read, not yet taken by the GUI thread
        self._inbox_lock = threading.Lock()
        self._events.connect(self._post, Qt.ConnectionType.DirectConnection)  # reader's thread
        self._waiting.connect(self._take)
        self._link.connect(self.link_changed)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Follow the stream from the queue's last event id (after signing in)."""
        if self.running:
            return
        self._stream = EventStream(self.client, self.queue.last_event_id)
        stream = self._stream
        self._thread = threading.Thread(
            target=lambda: stream.follow(self._events.emit, self._link.emit),
            name="rtcc-request-events", daemon=True)
        self._thread.start()

    def stop(self, wait_s: float = 5.0) -> None:
        if self._stream is not None:
            self._stream.stop()
        if self._thread is not None:
            self._thread.join(wait_s)
        self._stream = self._thread = None

    def reload(self) -> None:
        """Reload the whole queue from the server now; events wait until it is in."""
        if self._held is None:
            self._held = []
        run_in_background(lambda: (self.list_fn(self.client), self.marks_fn(self.client)),
                          self._reloaded, self._reload_failed)

    # ----- on the reader's thread ---------------------------------------------------------------

    def _post(self, events: list[ServerEvent]) -> None:
        # The stream hands events over one by one; the GUI thread is woken only for the first
        # of those it has not taken yet and takes them all at once (one queue update, one
        # pane refresh for what one poll of the server brought).
        with self._inbox_lock:
            wake = not self._inbox
            self._inbox.extend(events)
        if wake:
            self._waiting.emit()

    # ----- on the GUI thread ------------------------------------------------------------------

    def _take(self) -> None:
        with self._inbox_lock:
            events, self._inbox = self._inbox, []
        if events:
            self._received(events)

    def _received(self, events: list[ServerEvent]) -> None:
        if any(e.kind == "ready" for e in events):
            self.reload()  # a (re)connect: whatever the cursor, make sure nothing was missed
        if self._held is not None:
            self._held.extend(events)
            return
        self._apply(events)

    def _apply(self, events: list[ServerEvent]) -> None:
        change = self.queue.apply_events(events)
        for request_id in change.incomplete:
            run_in_background(lambda rid=request_id: get_request(self.client, rid),
                              lambda request: self.queue.upsert([request]),
                              lambda exc: self.failed.emit(str(exc)))

    def _reloaded(self, loaded: tuple[list, DeskMarks]) -> None:
        requests, marks = loaded
        held, self._held = self._held or [], None
        self.queue.reconcile(requests)
        self.queue.restore_desk_marks(marks.states, marks.openings)  # which the list omits
        self._apply(held)  # in stream order: "ready" (the cursor) first, then what followed
        self.reconciled.emit(len(requests))

    def _reload_failed(self, exc: Exception) -> None:
        held, self._held = self._held or [], None
        log.warning("reloading the request queue failed: %s", exc)
        self._apply(held)
        self.failed.emit(str(exc))
