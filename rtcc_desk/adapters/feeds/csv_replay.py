"""Replaying a CAD CSV export as a live feed, at a chosen multiple of its own pace."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rtcc_desk.adapters.cad import CadError, import_calls_csv
from rtcc_desk.adapters.feeds.base import FeedState, ThreadedFeed
from rtcc_desk.adapters.feeds.clock import FeedClock, Pacer, check_speed
from rtcc_desk.adapters.feeds.messages import (
    call_versions,
    file_head,
    rejected_text,
    rejection_where,
)


class CsvReplayFeed(ThreadedFeed):
    """Replays ``path`` through the CAD CSV importer, ``speed`` times faster than it happened.

    The gaps between messages are the gaps between the calls' received times (and their
    updates' times) divided by ``speed``; 0 or ``inf`` sends everything as fast as the sink
    takes it. ``max_gap_s`` caps a quiet spell (in the file's own seconds, before scaling).
    The file is read on the feed's thread. Rows the importer refuses carry no usable time, so
    they are reported as FeedProblems (``file:row [column]: reason``) before the first call,
    and the replay goes on. A file unusable as a whole fails the feed with the reason.
    ``csv_options`` go to ``import_calls_csv`` (``columns``, ``timezone``, ``priority_scale``…).
    """

    kind = "csv-replay"

    def __init__(self, path: Path | str, speed: float = 1.0, *, name: str | None = None,
                 max_gap_s: float | None = None, clock: FeedClock | None = None,
                 csv_options: Mapping[str, Any] | None = None) -> None:
        self.path = Path(path)
        super().__init__(name or f"csv:{self.path.name}", clock)
        self.speed = check_speed(speed)
        Pacer(self.clock, self._stopping, self.speed, max_gap_s)  # checks max_gap_s now
        self.max_gap_s = max_gap_s
        self.csv_options = dict(csv_options or {})
        self.total_messages: int | None = None  # known once the file is read
        paced = 0 < self.speed < math.inf
        self._detail(f"{self.path} at {self.speed:g}×" if paced else f"{self.path}, unpaced")

    def _run(self) -> None:
        try:
            report = import_calls_csv(self.path, **self.csv_options)
        except CadError as exc:
            self._problem(self.path.name, str(exc), raw=file_head(self.path))
            self._set_state(FeedState.FAILED, str(exc))
            return
        raw = rejected_text(self.path, report.rejected)
        for rejection in report.rejected:
            self._problem(rejection_where(rejection), rejection.reason,
                          raw=raw.get(rejection.row, ""), field=rejection.field)
        messages = call_versions(report.accepted)
        self.total_messages = len(messages)
        pacer = Pacer(self.clock, self._stopping, self.speed, self.max_gap_s)
        for message in messages:
            if not pacer.wait_until(message.moment.timestamp()):
                return
            self._deliver(message.call)
        self._finish(f"replay finished: {len(messages)} messages from {len(report.accepted)} "
                     f"calls, {len(report.rejected)} rows refused")
