"""The feed-health log the analyst opens: recent problems in memory, all of them on disk."""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rtcc_desk.adapters.feeds.base import FeedProblem
from rtcc_desk.adapters.feeds.errors import FeedError

log = logging.getLogger("rtcc.feeds")

LOG_NAME = "feed-problems.jsonl"


@dataclass(frozen=True, slots=True)
class SourceCounters:
    """What one source sent since the log was opened (problems also from earlier sessions)."""

    accepted: int = 0
    rejected: int = 0
    last_call_at: datetime | None = None
    last_problem_at: datetime | None = None


class FeedHealthLog:
    """The last ``capacity`` problems and per-source counters, shared by every feed thread.

    With a ``folder``, each problem is also appended as one JSON line to ``feed-problems.jsonl``
    there, and the log reopens with the problems of earlier sessions. When the file passes
    ``max_file_bytes`` it is rotated to ``.1`` … ``.{backups}`` (the oldest dropped), so the
    disk use stays under about ``(backups + 1) × max_file_bytes``. All methods are thread-safe.
    """

    def __init__(self, folder: Path | str | None = None, *, capacity: int = 10_000,
                 max_file_bytes: int = 5_000_000, backups: int = 2) -> None:
        if capacity < 1 or max_file_bytes < 1 or backups < 0:
            raise FeedError("capacity and max_file_bytes must be positive, backups 0 or more")
        self.capacity, self.max_file_bytes, self.backups = capacity, max_file_bytes, backups
        self._lock = threading.Lock()
        self._problems: deque[FeedProblem] = deque(maxlen=capacity)
        self._counters: dict[str, SourceCounters] = {}
        self.path: Path | None = None
        if folder is not None:
            folder = Path(folder)
            folder.mkdir(parents=True, exist_ok=True)
            self.path = folder / LOG_NAME
            self._load()

    def record(self, problem: FeedProblem) -> None:
        """Keep one problem (in memory and on disk); disk errors are logged, never raised."""
        with self._lock:
            self._problems.append(problem)
            counters = self._counters.get(problem.source, SourceCounters())
            self._counters[problem.source] = replace(
                counters, rejected=counters.rejected + 1, last_problem_at=problem.at)
            if self.path is not None:
                self._append(problem)

    def count_call(self, source_name: str, at: datetime | None = None) -> None:
        """Count one call delivered by a source."""
        with self._lock:
            counters = self._counters.get(source_name, SourceCounters())
            self._counters[source_name] = replace(
                counters, accepted=counters.accepted + 1, last_call_at=at or datetime.now(UTC))

    def problems(self, source: str | None = None) -> list[FeedProblem]:
        """The kept problems, oldest first (one source's, or all)."""
        with self._lock:
            return [p for p in self._problems if source is None or p.source == source]

    def counters(self) -> dict[str, SourceCounters]:
        with self._lock:
            return dict(self._counters)

    def __len__(self) -> int:
        with self._lock:
            return len(self._problems)

    # --- the file ---------------------------------------------------------------------------

    def _files_oldest_first(self) -> list[Path]:
        rotated = [self.path.with_name(f"{LOG_NAME}.{n}") for n in range(self.backups, 0, -1)]
        return [*rotated, self.path]

    def _load(self) -> None:
        skipped = 0
        for path in self._files_oldest_first():
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.error("feed health log: cannot read %s: %s", path, exc)
                continue
            for line in lines:
                try:
                    problem = FeedProblem.from_json(json.loads(line))
                except (ValueError, KeyError, TypeError):
                    skipped += 1  # a line cut short by a crash; the rest still loads
                    continue
                self._problems.append(problem)
                counters = self._counters.get(problem.source, SourceCounters())
                self._counters[problem.source] = replace(
                    counters, rejected=counters.rejected + 1, last_problem_at=problem.at)
        if skipped:
            log.warning("feed health log: %d unreadable lines in %s skipped", skipped, self.path)

    def _append(self, problem: FeedProblem) -> None:
        line = json.dumps(problem.to_json(), ensure_ascii=False) + "\n"
        try:
            if self.path.exists() and self.path.stat().st_size + len(line) > self.max_file_bytes:
                self._rotate()
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as exc:
            log.error("feed health log: cannot write %s: %s", self.path, exc)

    def _rotate(self) -> None:
        if self.backups == 0:
            self.path.unlink(missing_ok=True)
            return
        files = self._files_oldest_first()  # .{backups}, …, .1, current
        files[0].unlink(missing_ok=True)
        for older, newer in zip(files, files[1:], strict=False):
            if newer.exists():
                newer.replace(older)
