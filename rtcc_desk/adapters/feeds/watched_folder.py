"""A drop folder: EIDO JSON and CAD CSV files put there are imported, then filed away."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rtcc_desk.adapters.cad import CadError
from rtcc_desk.adapters.feeds.base import ThreadedFeed
from rtcc_desk.adapters.feeds.clock import FeedClock
from rtcc_desk.adapters.feeds.errors import FeedError
from rtcc_desk.adapters.feeds.messages import (
    CSV_SUFFIXES,
    EIDO_SUFFIXES,
    call_versions,
    file_head,
    import_cad_file,
    rejected_text,
    rejection_where,
)
from rtcc_desk.core.call_types import CallTypeNormaliser

#: Names that writers use while a file is still being written (or for their own bookkeeping).
TEMPORARY_PREFIXES = (".", "~", "#")
TEMPORARY_SUFFIXES = ("~", ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download",
                      ".swp", ".lock", ".filepart", ".inprogress")
DONE, REJECTED = "done", "rejected"
# Names the file being filed away, written after its calls reached the sink and removed once
# it is in done/: a restart that finds it files the file without importing it again.
_IN_FLIGHT = ".in-flight.json"


class WatchedFolderFeed(ThreadedFeed):
    """Imports each ``*.json`` (EIDO) or ``*.csv`` (CAD calls) file dropped into ``folder``.

    A file is taken once its size and modification time were the same at two polls
    ``poll_s`` apart, so a file still being written waits; temporary names (``.x``, ``x.tmp``,
    ``x.part``, ``x~``…) are never touched — writing elsewhere (or under such a name) and then
    renaming is the safe way to drop a file. After import the file moves to ``done/`` (its
    calls delivered; refused rows are FeedProblems) or, when nothing in it could be used, to
    ``rejected/`` with ``<name>.reason.txt`` beside it. A name already taken there gets a
    number. Other files are reported once and left alone. Files are imported in name order.
    """

    kind = "watched-folder"

    def __init__(self, folder: Path | str, poll_s: float = 1.0, *, name: str | None = None,
                 normaliser: CallTypeNormaliser | None = None,
                 csv_options: Mapping[str, Any] | None = None,
                 clock: FeedClock | None = None) -> None:
        self.folder = Path(folder)
        super().__init__(name or f"folder:{self.folder.name}", clock)
        if not poll_s > 0:
            raise FeedError(f"poll_s {poll_s!r} must be a positive number of seconds")
        self.poll_s = poll_s
        self.normaliser = normaliser
        self.csv_options = dict(csv_options or {})
        self.done_folder = self.folder / DONE
        self.rejected_folder = self.folder / REJECTED
        self.files_done = 0
        self.files_rejected = 0
        self._reported: set[str] = set()  # files already reported as not ours
        self._detail(f"watching {self.folder}")

    def _run(self) -> None:
        for folder in (self.folder, self.done_folder, self.rejected_folder):
            folder.mkdir(parents=True, exist_ok=True)
        self._finish_in_flight()
        seen: dict[str, tuple[int, int]] = {}
        while not self._stopping.is_set():
            seen = self._poll(seen)
            if self.clock.wait(self.poll_s, self._stopping):
                return

    def _poll(self, seen: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """One look at the folder; returns each candidate's (size, mtime) for the next look."""
        current: dict[str, tuple[int, int]] = {}
        with os.scandir(self.folder) as entries:
            files = sorted((e for e in entries if e.is_file(follow_symlinks=False)),
                           key=lambda e: e.name)
        for entry in files:
            if self._stopping.is_set():
                break
            if is_temporary(entry.name):
                continue
            if not entry.name.lower().endswith(CSV_SUFFIXES + EIDO_SUFFIXES):
                self._report_foreign(entry.name)
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # renamed away between the listing and now
            signature = (stat.st_size, stat.st_mtime_ns)
            if seen.get(entry.name) == signature:
                self._take(Path(entry.path))
            else:
                current[entry.name] = signature
        return current

    def _take(self, path: Path) -> None:
        try:
            report = import_cad_file(path, normaliser=self.normaliser,
                                     csv_options=self.csv_options)
        except CadError as exc:
            self._problem(path.name, str(exc), raw=file_head(path))
            self._file_rejected(path, str(exc))
            return
        raw = rejected_text(path, report.rejected)
        for rejection in report.rejected:
            self._problem(rejection_where(rejection), rejection.reason,
                          raw=raw.get(rejection.row, ""), field=rejection.field)
        if not report.accepted:
            lines = [f"no call could be read from {path.name} ({report.summary()})",
                     *(str(r) for r in report.rejected), *report.notes]
            if not report.rejected:
                self._problem(path.name, lines[0], raw=file_head(path))
            self._file_rejected(path, "\n".join(lines))
            return
        for message in call_versions(report.accepted):
            self._deliver(message.call)
        self._file_done(path)

    # --- filing -----------------------------------------------------------------------------

    def _file_done(self, path: Path) -> None:
        marker = self.done_folder / _IN_FLIGHT
        marker.write_text(json.dumps({"name": path.name, "sha256": _digest(path)}),
                          encoding="utf-8")
        if self._move(path, self.done_folder) is not None:
            self.files_done += 1
        marker.unlink(missing_ok=True)

    def _file_rejected(self, path: Path, reason: str) -> None:
        moved = self._move(path, self.rejected_folder)
        if moved is None:
            return
        self.files_rejected += 1
        try:
            moved.with_name(moved.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
        except OSError as exc:
            self._problem(moved.name, f"cannot write the reason file: {exc.strerror or exc}")

    def _move(self, path: Path, folder: Path) -> Path | None:
        target = folder / path.name
        number = 1
        while target.exists() or target.with_name(target.name + ".reason.txt").exists():
            target = folder / f"{path.stem}.{number}{path.suffix}"
            number += 1
        try:
            path.replace(target)
        except OSError as exc:
            # Left in place, it would be imported again at every poll: stop the feed instead.
            raise OSError(f"cannot move {path.name} to {folder}: {exc.strerror or exc}") from None
        return target

    def _finish_in_flight(self) -> None:
        """A file whose calls were delivered before a crash goes to done/ without a re-import."""
        marker = self.done_folder / _IN_FLIGHT
        try:
            noted = json.loads(marker.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            noted = {}
        path = self.folder / str(noted.get("name", ""))
        if noted.get("name") and path.is_file() and _digest(path) == noted.get("sha256"):
            self._move(path, self.done_folder)
            self.files_done += 1
        marker.unlink(missing_ok=True)

    def _report_foreign(self, name: str) -> None:
        if name not in self._reported:
            self._reported.add(name)
            self._problem(name, "not a CAD CSV (.csv) or EIDO JSON (.json) file: left where it is")


def is_temporary(name: str) -> bool:
    """Whether a name is one writers use for a file that is not finished."""
    lowered = name.lower()
    return lowered.startswith(TEMPORARY_PREFIXES) or lowered.endswith(TEMPORARY_SUFFIXES)


def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
