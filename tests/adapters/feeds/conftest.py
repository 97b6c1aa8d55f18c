"""Helpers for the feed tests: a recording sink, waiting on conditions, and test clocks."""

from __future__ import annotations

import http.client
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from rtcc_desk.adapters.feeds import EidoHttpListener, FeedProblem
from rtcc_desk.core.calls import Call

#: Only ever a limit for a condition that should come true much sooner; never a speed test.
TIMEOUT_S = 30.0


def wait_for(condition, timeout: float = TIMEOUT_S, what: str = "condition") -> None:
    """Poll ``condition`` until it holds; fail the test (saying what) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.01)


def post(listener: EidoHttpListener, body: bytes, path: str | None = None,
         headers: dict | None = None) -> tuple[int, dict]:
    """POST a body to the listener over loopback; the status and the JSON answer."""
    connection = http.client.HTTPConnection("127.0.0.1", listener.port, timeout=30)
    try:
        connection.request("POST", path or listener.path, body=body,
                           headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


class RecordingSink:
    """Keeps what a source delivers, from whichever thread, and which threads delivered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[tuple[Call, str]] = []
        self.problems: list[FeedProblem] = []
        self.threads: set[str] = set()

    def on_call(self, call: Call, source_name: str) -> None:
        with self._lock:
            self.calls.append((call, source_name))
            self.threads.add(threading.current_thread().name)

    def on_problem(self, problem: FeedProblem) -> None:
        with self._lock:
            self.problems.append(problem)

    def call_list(self) -> list[Call]:
        with self._lock:
            return [call for call, _ in self.calls]

    def problem_list(self) -> list[FeedProblem]:
        with self._lock:
            return list(self.problems)


class FakeClock:
    """Virtual time: every wait is recorded and passes at once (the feed never really sleeps)."""

    def __init__(self) -> None:
        self.t = 0.0
        self.waits: list[float] = []

    def now(self) -> datetime:
        return datetime(2026, 3, 6, 18, 0, tzinfo=UTC) + timedelta(seconds=self.t)

    def monotonic(self) -> float:
        return self.t

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        self.waits.append(seconds)
        self.t += seconds
        return stop.is_set()


class TickClock(FakeClock):
    """A poll loop's clock that the test steps: each wait blocks until ``step`` lets it pass."""

    def __init__(self) -> None:
        super().__init__()
        self.polls = 0  # waits entered, i.e. polls finished
        self._released = 0
        self._cv = threading.Condition()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        with self._cv:
            self.polls += 1
            self._cv.notify_all()
            while self._released < self.polls and not stop.is_set():
                self._cv.wait(0.05)
        return stop.is_set()

    def wait_polls(self, count: int) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: self.polls >= count, TIMEOUT_S):
                pytest.fail(f"the folder was not polled {count} times")

    def step(self) -> None:
        """Let the feed run exactly one more poll, and wait until it has."""
        with self._cv:
            target = self.polls + 1
            self._released = self.polls
            self._cv.notify_all()
        self.wait_polls(target)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def no_thread_left():
    """After the test, no thread it started is left: stop() joined them all (no waiting here)."""
    before = set(threading.enumerate())
    yield
    left = [t.name for t in set(threading.enumerate()) - before]
    assert not left, f"threads still running after stop(): {left}"
