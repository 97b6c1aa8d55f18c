"""Several feed sources into one sink, with the health log kept on the way."""

from __future__ import annotations

import logging
import threading

from rtcc_desk.adapters.feeds.base import FeedHealth, FeedProblem, FeedSink, FeedSource
from rtcc_desk.adapters.feeds.errors import FeedError
from rtcc_desk.adapters.feeds.health_log import FeedHealthLog
from rtcc_desk.core.calls import Call

log = logging.getLogger("rtcc.feeds")


class FeedHub:
    """Runs sources into ``sink``, keeping every problem and counting every call in ``health_log``.

    The hub hands the sink one message at a time whichever source it came from, but still on
    that source's thread: a Qt sink emits a signal and lets Qt queue it to the GUI thread.
    A source added while the hub runs starts at once. ``stop`` stops every source (the last
    added first) and returns when all their threads have ended; it may be called again.
    """

    def __init__(self, sink: FeedSink, health_log: FeedHealthLog | None = None) -> None:
        self.sink = sink
        self.health_log = health_log if health_log is not None else FeedHealthLog()
        self._sources: dict[str, FeedSource] = {}
        self._lock = threading.Lock()  # the source list and the running flag
        self._deliver_lock = threading.Lock()  # one sink call at a time across sources
        self._running = False

    @property
    def sources(self) -> list[FeedSource]:
        with self._lock:
            return list(self._sources.values())

    @property
    def running(self) -> bool:
        return self._running

    def add(self, source: FeedSource) -> FeedSource:
        with self._lock:
            if source.name in self._sources:
                raise FeedError(f"a feed named {source.name!r} is already in the hub")
            self._sources[source.name] = source
            running = self._running
        if running:
            source.start(self)
        return source

    def remove(self, name: str) -> FeedSource:
        """Stop one source and take it out of the hub."""
        with self._lock:
            source = self._sources.pop(name)
        source.stop()
        return source

    def start(self) -> None:
        with self._lock:
            self._running = True
            sources = list(self._sources.values())
        for source in sources:
            source.start(self)

    def stop(self) -> None:
        with self._lock:
            self._running = False
            sources = list(self._sources.values())
        for source in reversed(sources):
            source.stop()

    def health(self) -> list[FeedHealth]:
        return [source.health() for source in self.sources]

    # --- the sink the sources see -----------------------------------------------------------

    def on_call(self, call: Call, source_name: str) -> None:
        with self._deliver_lock:
            self.sink.on_call(call, source_name)
        self.health_log.count_call(source_name)  # counted once the sink has it

    def on_problem(self, problem: FeedProblem) -> None:
        self.health_log.record(problem)
        with self._deliver_lock:
            self.sink.on_problem(problem)
