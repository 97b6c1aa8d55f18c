"""Pruning recordings: older than the owner's retention days, or oldest first while the disk is full."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from rtcc_edge.segments import (
    DAY_PATTERN,
    Segment,
    channel_of,
    day_folders,
    list_segments,
    newest_segment,
    segments_in,
)

log = logging.getLogger(__name__)


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


@dataclass
class Removed:
    """What one pruning pass took from one channel, for one reason."""

    channel: int
    reason: str
    count: int = 0
    bytes: int = 0
    first: datetime | None = None
    last: datetime | None = None
    paths: list[Path] = field(default_factory=list)

    def add(self, segment: Segment, size: int) -> None:
        self.count += 1
        self.bytes += size
        self.first = min(self.first or segment.start, segment.start)
        self.last = max(self.last or segment.start, segment.start)
        self.paths.append(segment.path)

    def sentence(self) -> str:
        span = f"{self.first:%Y-%m-%d %H:%M:%S}Z to {self.last:%Y-%m-%d %H:%M:%S}Z"
        return (f"removed {self.count} segment(s) of channel {self.channel} "
                f"({self.bytes / 1e6:.1f} MB, starting {span}): {self.reason}")


@dataclass
class RetentionPolicy:
    """The owner's days plus the disk guard, applied to one recordings folder."""

    recordings: Path
    days: int
    segment_seconds: int
    min_free_percent: float = 5
    min_free_bytes: int = 0
    disk_usage: Callable[[Path], DiskUsage] = field(default=lambda path: DiskUsage(*shutil.disk_usage(path)))

    def prune(self, *, now: datetime, writing: set[Path] = frozenset()) -> list[Removed]:
        """Delete what the policy says may go; never a segment being written nor a channel's newest."""
        folders = self._channel_folders()
        newest = [newest_segment(folder) for folder in folders.values()]
        protected = set(writing) | {segment.path for segment in newest if segment}
        removed: list[Removed] = []
        cutoff = now - timedelta(days=self.days)
        for channel, folder in folders.items():
            aged = Removed(channel, f"older than {self.days} days")
            # Only the days up to the cutoff are read: 30 days of 1-minute segments is 43,200
            # files a channel, and pruning runs every minute on a small computer.
            old = list_segments(folder, until=cutoff)
            for index, segment in enumerate(old):
                if segment.start >= cutoff:
                    break
                if segment.path not in protected and self._ends(old, index) <= cutoff:
                    _delete(segment, aged)
            removed += [aged] if aged.count else []
        removed += self._guard_disk(folders, protected)
        self._remove_empty_days(now)
        for entry in removed:
            log.info("retention: %s", entry.sentence())
            for path in entry.paths:
                log.debug("retention: removed %s", path)
        return removed

    def _channel_folders(self) -> dict[int, Path]:
        if not self.recordings.is_dir():
            return {}
        return {channel_of(folder): folder for folder in sorted(self.recordings.glob("ch[0-9]*"))
                if folder.is_dir()}

    def _ends(self, segments: list[Segment], index: int) -> datetime:
        # A segment lasts until the next one starts; after a camera outage the next start is
        # far away, so the end is capped at two segment lengths (plus slack for sparse keyframes).
        start = segments[index].start
        cap = start + timedelta(seconds=2 * self.segment_seconds + 10)
        if index + 1 < len(segments):
            return min(segments[index + 1].start, cap)
        return cap

    def needed_free(self) -> tuple[int, DiskUsage]:
        usage = self.disk_usage(self.recordings)
        return max(self.min_free_bytes, int(usage.total * self.min_free_percent / 100)), usage

    def _guard_disk(self, folders: dict[int, Path], protected: set[Path]) -> list[Removed]:
        if not folders:
            return []
        needed, usage = self.needed_free()
        free = usage.free
        by_channel: dict[int, Removed] = {}
        # Oldest first across every channel, read one day at a time.
        for day in sorted({d.name for folder in folders.values() for d in day_folders(folder)}):
            if free >= needed:
                break
            batch = sorted(segment for folder in folders.values() if (folder / day).is_dir()
                           for segment in segments_in(folder / day) if segment.path not in protected)
            for segment in batch:
                if free >= needed:
                    break
                entry = by_channel.setdefault(segment.channel, Removed(
                    segment.channel, f"disk guard: keeping {needed / 1e9:.1f} GB free"))
                free += _delete(segment, entry)
        if free < needed:
            log.warning("retention: disk still short of %.1f GB free with only the segments being "
                        "written left; recordings need a bigger disk or fewer days", needed / 1e9)
        return list(by_channel.values())

    def _remove_empty_days(self, now: datetime) -> None:
        # Today's and tomorrow's folders are made ahead for ffmpeg: only past days go.
        today = now.astimezone(UTC).strftime(DAY_PATTERN)
        for folder in self.recordings.glob("ch[0-9]*") if self.recordings.is_dir() else []:
            for day in day_folders(folder):
                if day.name < today and not any(day.iterdir()):
                    day.rmdir()
                    log.info("retention: removed empty folder %s", day)


def _delete(segment: Segment, entry: Removed) -> int:
    try:
        size = segment.path.stat().st_size
        segment.path.unlink()
    except FileNotFoundError:
        return 0
    entry.add(segment, size)
    return size
