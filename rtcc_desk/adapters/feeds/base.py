"""The one interface every CAD feed source shares: sink, problems, health, and its thread."""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from rtcc_desk.adapters.feeds.clock import FeedClock, SystemClock
from rtcc_desk.adapters.feeds.errors import FeedError
from rtcc_desk.core.calls import Call

log = logging.getLogger("rtcc.feeds")

#: How much of a refused message is kept for the analyst; the rest is cut with a marker.
RAW_LIMIT = 2000
#: How long stop() waits for a source's thread before saying it did not end.
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class FeedProblem:
    """One message a source refused (or could not deliver), where it was and why.

    ``where`` is ``file:row`` for files, ``HTTP <request id>`` for the listener, or a file
    name; ``field`` names the column or EIDO field when the importer knew it; ``raw`` is the
    offending text cut to ``RAW_LIMIT`` characters.
    """

    source: str
    where: str
    reason: str
    raw: str = ""
    at: datetime = datetime.min.replace(tzinfo=UTC)
    field: str = ""

    def __post_init__(self) -> None:
        if len(self.raw) > RAW_LIMIT:
            cut = len(self.raw) - RAW_LIMIT
            object.__setattr__(self, "raw", f"{self.raw[:RAW_LIMIT]}… [{cut} more characters]")

    def __str__(self) -> str:
        column = f" [{self.field}]" if self.field else ""
        return f"{self.source}: {self.where}{column}: {self.reason}"

    def to_json(self) -> dict:
        return {"source": self.source, "where": self.where, "field": self.field,
                "reason": self.reason, "raw": self.raw, "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> FeedProblem:
        return cls(source=str(data["source"]), where=str(data["where"]),
                   reason=str(data["reason"]), raw=str(data.get("raw", "")),
                   at=datetime.fromisoformat(data["at"]), field=str(data.get("field", "")))


@runtime_checkable
class FeedSink(Protocol):
    """Where a source delivers. Both methods are called on the SOURCE's thread, never the GUI's."""

    def on_call(self, call: Call, source_name: str) -> None: ...

    def on_problem(self, problem: FeedProblem) -> None: ...


@dataclass(frozen=True, slots=True)
class CallbackSink:
    """A sink made of two callables (for instance two Qt signals' ``emit``)."""

    call: Callable[[Call, str], None]
    problem: Callable[[FeedProblem], None] = lambda problem: None

    def on_call(self, call: Call, source_name: str) -> None:
        self.call(call, source_name)

    def on_problem(self, problem: FeedProblem) -> None:
        self.problem(problem)


class FeedState(enum.StrEnum):
    """Where a source is in its life; ``reason`` in the health says why it got there."""

    IDLE = "idle"  # never started
    RUNNING = "running"
    FINISHED = "finished"  # ran out of messages (a replay or folder import that ended)
    STOPPED = "stopped"  # stop() was called
    FAILED = "failed"  # could not go on (file unusable, port taken, an unexpected error)


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A snapshot of one source for the status bar and the feed-health window."""

    name: str
    kind: str
    state: FeedState = FeedState.IDLE
    reason: str = ""
    accepted: int = 0  # calls (call versions) delivered to the sink
    rejected: int = 0  # messages refused, each also a FeedProblem
    last_message_at: datetime | None = None  # wall-clock UTC of the last message either way
    started_at: datetime | None = None
    detail: str = ""  # where it reads from: a file, a URL, a folder


@runtime_checkable
class FeedSource(Protocol):
    """A source of calls. ``start`` returns at once; ``stop`` is idempotent and joins its thread."""

    @property
    def name(self) -> str: ...

    def start(self, sink: FeedSink) -> None: ...

    def stop(self) -> None: ...

    def health(self) -> FeedHealth: ...


class ThreadedFeed:
    """Runs ``_run()`` on one thread; counts, delivers and reports for the concrete sources.

    A subclass implements ``_run`` (return when done or when ``_stopping`` is set) and may
    override ``_prepare`` (runs in ``start`` on the caller's thread) and ``_interrupt`` (runs
    in ``stop`` before the join, to wake a blocking ``_run``). Sink calls are serialised per
    source; an exception from the sink becomes a FeedProblem and the source keeps going.
    """

    kind = "feed"

    def __init__(self, name: str, clock: FeedClock | None = None) -> None:
        if not name:
            raise FeedError("a feed source needs a name")
        self._name = name
        self.clock: FeedClock = clock or SystemClock()
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # guards the health snapshot and the thread handle
        self._sink_lock = threading.Lock()  # one sink call at a time from this source
        self._thread: threading.Thread | None = None
        self._sink: FeedSink | None = None
        self._health = FeedHealth(name=name, kind=self.kind)

    @property
    def name(self) -> str:
        return self._name

    def health(self) -> FeedHealth:
        with self._lock:
            return self._health

    def start(self, sink: FeedSink) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise FeedError(f"feed {self._name!r} is already running")
            self._sink = sink
            self._stopping.clear()
            self._health = replace(self._health, state=FeedState.RUNNING, reason="",
                                   started_at=self.clock.now())
        try:
            self._prepare()
        except Exception as exc:  # reported, not raised: one bad source must not stop the others
            self._fail(exc)
            return
        thread = threading.Thread(target=self._main, name=f"feed:{self._name}", daemon=True)
        with self._lock:
            self._thread = thread
        thread.start()

    def stop(self) -> None:
        """Ask the thread to end and join it (up to STOP_TIMEOUT_S); safe to call again."""
        self._stopping.set()
        try:
            self._interrupt()
        except Exception:  # stopping must always finish
            log.exception("feed %s: error while interrupting", self._name)
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_TIMEOUT_S)
            if thread.is_alive():  # stuck in the sink or in a huge import: say so, do not hang
                log.error("feed %s: thread did not end within %.0f s", self._name, STOP_TIMEOUT_S)
                self._set_state(FeedState.FAILED,
                                f"did not stop within {STOP_TIMEOUT_S:.0f} s (still busy)")
                return
        self._set_state(FeedState.STOPPED, "stopped by the analyst", only_if_running=True)

    # --- for subclasses ---------------------------------------------------------------------

    def _prepare(self) -> None:
        """Set-up that must finish before start() returns (binding a port)."""

    def _interrupt(self) -> None:
        """Wake a ``_run`` blocked somewhere other than ``clock.wait``."""

    def _run(self) -> None:
        raise NotImplementedError

    def _detail(self, text: str) -> None:
        with self._lock:
            self._health = replace(self._health, detail=text)

    def _deliver(self, call: Call) -> bool:
        """Hand one call to the sink; False (and a problem) when the sink raised."""
        try:
            with self._sink_lock:
                self._sink.on_call(call, self._name)
        except Exception as exc:
            log.exception("feed %s: the sink refused call %s", self._name, call.call_id)
            self._problem(call.source or call.call_id,
                          f"the desk could not take call {call.call_id}: {exc}")
            return False
        self._count(accepted=1)
        return True

    def _problem(self, where: str, reason: str, *, raw: str = "", field: str = "") -> FeedProblem:
        """Count one refused message and report it to the sink."""
        problem = FeedProblem(source=self._name, where=where, reason=reason, raw=raw,
                              at=self.clock.now(), field=field)
        self._count(rejected=1)
        try:
            with self._sink_lock:
                self._sink.on_problem(problem)
        except Exception:
            log.exception("feed %s: the sink raised on a problem: %s", self._name, problem)
        return problem

    def _finish(self, reason: str) -> None:
        self._set_state(FeedState.FINISHED, reason, only_if_running=True)

    # --- inside ----------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            self._run()
        except Exception as exc:
            self._fail(exc)
            return
        if self._stopping.is_set():
            self._set_state(FeedState.STOPPED, "stopped by the analyst", only_if_running=True)
        else:
            self._finish("no more messages")

    def _fail(self, exc: Exception) -> None:
        log.error("feed %s failed: %s", self._name, exc, exc_info=exc)
        reason = str(exc) or type(exc).__name__
        self._problem(self.health().detail or self._name, f"feed stopped: {reason}")
        self._set_state(FeedState.FAILED, reason)

    def _count(self, *, accepted: int = 0, rejected: int = 0) -> None:
        now = self.clock.now()
        with self._lock:
            h = self._health
            self._health = replace(h, accepted=h.accepted + accepted,
                                   rejected=h.rejected + rejected, last_message_at=now)

    def _set_state(self, state: FeedState, reason: str, *, only_if_running: bool = False) -> None:
        with self._lock:
            if only_if_running and self._health.state is not FeedState.RUNNING:
                return
            self._health = replace(self._health, state=state, reason=reason)
