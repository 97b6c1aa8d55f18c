"""Where recordings live on disk: ch<N>/<UTC day>/<UTC start>Z.<ext>, and reading that back."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

#: strftime patterns handed to ffmpeg's segment muxer (run with TZ=UTC, since it uses localtime).
DAY_PATTERN = "%Y-%m-%d"
NAME_PATTERN = "%Y%m%dT%H%M%SZ"
SEGMENT_SUFFIXES = (".ts", ".mkv")
#: NAME_PATTERN read back without strptime, which is ~10x slower over 30 days of files.
_NAME = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.(?:ts|mkv)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, order=True)
class Segment:
    """One recorded file; ``start`` is the UTC wall-clock time its first frame was written."""

    start: datetime
    path: Path

    @property
    def channel(self) -> int:
        return channel_of(self.path.parent.parent)


def channel_dir(recordings: Path, channel: int) -> Path:
    return recordings / f"ch{channel}"


def channel_of(folder: Path) -> int:
    return int(folder.name.removeprefix("ch"))


def ffmpeg_pattern(recordings: Path, channel: int, suffix: str) -> str:
    """The output name for ``ffmpeg -f segment -strftime 1``; '%' in the folder is escaped."""
    folder = str(channel_dir(recordings, channel)).replace("%", "%%")
    return f"{folder}/{DAY_PATTERN}/{NAME_PATTERN}.{suffix}"


def segment_name(start: datetime, suffix: str) -> str:
    """Relative path of a segment starting at ``start`` (what ffmpeg would have named it)."""
    start = start.astimezone(UTC)
    return f"{start.strftime(DAY_PATTERN)}/{start.strftime(NAME_PATTERN)}.{suffix}"


def start_of(path: Path | str) -> datetime | None:
    """The UTC start time in a segment's name, or None for a file that is not a segment."""
    match = _NAME.match(os.path.basename(path))
    if match is None:
        return None
    try:
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def ensure_day_folders(folder: Path, now: datetime) -> None:
    """Today's and tomorrow's folders: the segment muxer opens files but never makes folders."""
    for day in (now, now + timedelta(days=1)):
        (folder / day.astimezone(UTC).strftime(DAY_PATTERN)).mkdir(parents=True, exist_ok=True)


def day_folders(folder: Path) -> list[Path]:
    """The channel's day folders, oldest first (their names sort as dates)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and _is_day(p.name))


def _is_day(name: str) -> bool:
    return _DAY.match(name) is not None


def day_start(day: Path) -> datetime:
    return datetime.strptime(day.name, DAY_PATTERN).replace(tzinfo=UTC)


def segments_in(day: Path) -> list[Segment]:
    """One day folder's segments, oldest first (scandir: no stat per file)."""
    found = []
    with os.scandir(day) as entries:
        for entry in entries:
            start = start_of(entry.name)
            if start is not None and entry.is_file():
                found.append(Segment(start, day / entry.name))
    found.sort()
    return found


def list_segments(folder: Path, *, since: datetime | None = None,
                  until: datetime | None = None) -> list[Segment]:
    """Segments of one channel, oldest first; ``since``/``until`` skip whole days cheaply."""
    found: list[Segment] = []
    for day in day_folders(folder):
        begins = day_start(day)
        if since is not None and begins + timedelta(days=1) <= since - timedelta(hours=1):
            continue  # the hour of slack keeps a segment that began before midnight
        if until is not None and begins > until:
            break
        found.extend(segments_in(day))
    return found


def oldest_and_newest(folder: Path) -> tuple[Segment | None, Segment | None]:
    """The first and last segment of a channel, reading only the first and last non-empty days."""
    days = day_folders(folder)
    oldest = next((s[0] for s in (segments_in(d) for d in days) if s), None)
    return oldest, newest_segment(folder, days)


def newest_segment(folder: Path, days: list[Path] | None = None) -> Segment | None:
    """The channel's latest segment: while its recorder runs, the one being written."""
    for day in reversed(day_folders(folder) if days is None else days):
        found = segments_in(day)
        if found:
            return found[-1]
    return None
