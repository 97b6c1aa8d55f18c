"""Worker threads where live players are made, opened, stopped and released, off the GUI thread.

libvlc's stop waits for the input thread to end, which for a dead network camera can take
seconds; making an instance loads plugins. None of that may stall the wall. Each stream gets
a *lane*: its jobs run one after another, in order, on a small shared pool, so a stop never
overtakes the open before it, while different cameras proceed side by side.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

#: libvlc's heavy calls mostly wait (for threads, sockets): a few workers keep 2 cores busy.
DEFAULT_WORKERS = 3


class Lane:
    """Jobs of one stream, run in submission order on the pool."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self._executor = executor
        self._jobs: collections.deque[tuple[Future, Callable, tuple]] = collections.deque()
        self._lock = threading.Lock()
        self._draining = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        with self._lock:
            self._jobs.append((future, fn, args))
            if not self._draining:
                self._draining = True
                self._executor.submit(self._drain)
        return future

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._draining = False
                    return
                future, fn, args = self._jobs.popleft()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001  (handed to the stream's poll)
                    future.set_exception(exc)


class PlayerPool:
    """The shared workers; one per desk (``default_pool()``), shut down when the desk closes."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rtcc-live")

    def lane(self) -> Lane:
        return Lane(self._executor)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)


_default: PlayerPool | None = None
_default_lock = threading.Lock()


def default_pool() -> PlayerPool:
    global _default  # noqa: PLW0603  (one pool per process, made on first use)
    with _default_lock:
        if _default is None:
            _default = PlayerPool()
        return _default
