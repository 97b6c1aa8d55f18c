"""Run work off the GUI thread and deliver its result on it (Anki's ``CollectionOp`` idea).

Widgets never run on a worker thread: ``run_in_background(fn, on_done, on_error)`` runs
``fn()`` in Qt's global thread pool and calls ``on_done(result)`` or ``on_error(exc)`` back on
the GUI thread. Keep ``fn`` free of widget code. When the desk closes, ``drop_pending_results()``
makes the results of work still running go nowhere: the widgets they were for are being deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger("rtcc.desk")


class _Relay(QObject):
    """Lives on the GUI thread; its queued signals carry results back there."""

    done = Signal(object)
    failed = Signal(object)
    dropped = False  # the desk closed: the result goes nowhere


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # handed to the GUI thread, never lost
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


_live: set[_Relay] = set()  # relays of jobs still running (so they are not garbage-collected)


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[Exception], None] | None = None,
                      pool: QThreadPool | None = None) -> None:
    """Run ``fn`` on a worker thread; call back on the GUI thread with its result or error."""
    relay = _Relay()  # created here, on the calling (GUI) thread: signals are queued to it
    _live.add(relay)

    def finish(result: Any) -> None:
        _live.discard(relay)
        if relay.dropped:
            return
        if on_done is not None:
            on_done(result)

    def fail(exc: Exception) -> None:
        _live.discard(relay)
        if relay.dropped:
            log.info("background work failed after the desk closed: %s", exc)
            return
        if on_error is not None:
            on_error(exc)
        else:
            log.error("background work failed", exc_info=exc)

    relay.done.connect(finish)
    relay.failed.connect(fail)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))


def drop_pending_results() -> None:
    """Forget the callbacks of work still running; the work itself finishes (e.g. a player's release)."""
    for relay in _live:
        relay.dropped = True
