"""Time for the feeds: a replaceable clock, and pacing messages along a scaled timeline."""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime
from typing import Protocol

from rtcc_desk.adapters.feeds.errors import FeedError


class FeedClock(Protocol):
    """What a feed needs of time; tests pass a fake so that pacing costs no real minutes."""

    def now(self) -> datetime:
        """Wall-clock time in UTC, for stamping messages and problems."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for pacing."""

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Sleep up to ``seconds``; return True at once when ``stop`` is (or becomes) set."""


class SystemClock:
    """The real clock; a wait ends early the moment the feed is stopped."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        return stop.wait(max(0.0, seconds))


def check_speed(speed: float, what: str = "speed") -> float:
    """A pacing factor: positive, or 0 / infinity for "as fast as possible"."""
    if isinstance(speed, bool) or not isinstance(speed, int | float) or math.isnan(speed) \
            or speed < 0:
        raise FeedError(f"{what} {speed!r} must be a positive number, or 0 or inf for no pacing")
    return float(speed)


class Pacer:
    """Waits until each message's moment on a timeline, run ``speed`` times faster than real.

    Moments are seconds on any timeline (a CSV's received times, a message count / rate).
    The schedule is absolute from the first message, so waits do not drift; a sink that falls
    behind gets the late messages at once (nothing is skipped). A message earlier than the one
    before goes out straight away. ``max_gap_s`` (of timeline, before scaling) shortens long
    quiet spells, such as the nights between an export's busy hours.
    """

    def __init__(self, clock: FeedClock, stop: threading.Event, speed: float = 1.0,
                 max_gap_s: float | None = None) -> None:
        self.clock, self.stop = clock, stop
        self.speed = check_speed(speed)
        if max_gap_s is not None and not max_gap_s >= 0:
            raise FeedError(f"max_gap_s {max_gap_s!r} must be 0 or more")
        self.max_gap_s = max_gap_s
        self.unpaced = self.speed == 0 or math.isinf(self.speed)
        self._origin: float | None = None  # monotonic time of the first message
        self._last = 0.0  # latest timeline moment seen
        self._elapsed = 0.0  # timeline seconds since the first message, gaps capped

    def wait_until(self, moment: float) -> bool:
        """Block until ``moment`` is due; False when the feed was stopped meanwhile."""
        if self.unpaced:
            return not self.stop.is_set()
        if self._origin is None:
            self._origin, self._last = self.clock.monotonic(), moment
            return not self.stop.is_set()
        gap = max(0.0, moment - self._last)
        if self.max_gap_s is not None:
            gap = min(gap, self.max_gap_s)
        self._elapsed += gap
        self._last = max(self._last, moment)
        delay = self._origin + self._elapsed / self.speed - self.clock.monotonic()
        if delay > 0:
            return not self.clock.wait(delay, self.stop)
        return not self.stop.is_set()
