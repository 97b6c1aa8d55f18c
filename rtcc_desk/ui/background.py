"""Run work off the GUI thread and deliver its result on it (Anki's ``CollectionOp`` idea).

Widgets never run on a worker thread: ``run_in_background(fn, on_done, on_error)`` runs
``fn()`` in Qt's global thread pool and calls ``on_done(result)`` or ``on_error(exc)`` back on
the GUI thread. Keep ``fn`` free of widget code. Pass ``owner=`` the widget the callbacks
update: if it was deleted while the work ran (its window closed), they are skipped. Callbacks
that clean up (stop what the work started) take no owner: they must always run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger("rtcc.desk")


class _Relay(QObject):
    """Lives on the GUI thread; its queued signals carry results back there."""

    done = Signal(object)
    failed = Signal(object)


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
                      pool: QThreadPool | None = None, owner: QObject | None = None) -> None:
    """Run ``fn`` on a worker thread; call back on the GUI thread with its result or error
    (unless ``owner`` has been deleted by then)."""
    relay = _Relay()  # created here, on the calling (GUI) thread: signals are queued to it
    _live.add(relay)

    def gone() -> bool:
        return owner is not None and not shiboken6.isValid(owner)

    def finish(result: Any) -> None:
        _live.discard(relay)
        if on_done is not None and not gone():
            on_done(result)

    def fail(exc: Exception) -> None:
        _live.discard(relay)
        if gone():
            log.info("background work failed after its window closed: %s", exc)
        elif on_error is not None:
            on_error(exc)
        else:
            log.error("background work failed", exc_info=exc)

    relay.done.connect(finish)
    relay.failed.connect(fail)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))
