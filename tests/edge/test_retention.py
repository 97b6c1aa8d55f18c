"""Retention with a controlled clock: the owner's days, the disk guard, the segment being written kept."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rtcc_edge.retention import DiskUsage, RetentionPolicy
from rtcc_edge.segments import channel_dir, list_segments, segment_name

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
HALF_HOUR = 1800  # the segment length here: 30 days of them is 1,440 files a channel
PER_DAY = 48


def record_days(recordings: Path, channel: int, *, days: int, until: datetime = NOW,
                step: int = HALF_HOUR, size: int = 1000) -> list[Path]:
    """Synthetic segment files, one every ``step`` seconds for ``days`` days up to ``until``."""
    paths = []
    moment = until - timedelta(days=days)
    while moment <= until:
        path = channel_dir(recordings, channel) / segment_name(moment, "ts")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x47" * size)
        paths.append(path)
        moment += timedelta(seconds=step)
    return paths


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


def test_thirty_days_are_kept_and_older_footage_goes(recordings, caplog):
    first = record_days(recordings, 1, days=35)
    record_days(recordings, 2, days=35)
    policy = RetentionPolicy(recordings, days=30, segment_seconds=HALF_HOUR, min_free_percent=0,
                             disk_usage=lambda _p: DiskUsage(10**12, 0, 10**12))
    with caplog.at_level(logging.INFO, logger="rtcc_edge.retention"):
        removed = policy.prune(now=NOW, writing={first[-1]})

    cutoff = NOW - timedelta(days=30)
    for channel in (1, 2):
        kept = list_segments(channel_dir(recordings, channel))
        # The segment ending exactly at the cutoff went; every one holding newer footage stays.
        assert kept[0].start == cutoff
        assert len(kept) == 30 * PER_DAY + 1
        assert kept[-1].start == NOW
    assert {(r.channel, r.count) for r in removed} == {(1, 5 * PER_DAY), (2, 5 * PER_DAY)}
    assert all(r.reason == "older than 30 days" for r in removed)
    # Day folders emptied by pruning are gone; the log says what was removed.
    days = sorted(p.name for p in channel_dir(recordings, 1).iterdir())
    assert days[0] == cutoff.strftime("%Y-%m-%d")
    assert "removed 240 segment(s) of channel 1 (0.2 MB, starting 2026-02-24 12:00:00Z to " in caplog.text
    assert "removed empty folder" in caplog.text


def test_the_segment_being_written_is_never_deleted(recordings):
    paths = record_days(recordings, 1, days=2, until=NOW - timedelta(days=40))
    writing = paths[-1]
    policy = RetentionPolicy(recordings, days=30, segment_seconds=HALF_HOUR, min_free_percent=0,
                             disk_usage=lambda _p: DiskUsage(10**12, 0, 10**12))
    # The box's clock is 40 days past the last segment (the camera froze mid-segment): all of
    # it is too old, yet the file ffmpeg still has open stays.
    policy.prune(now=NOW, writing={writing})
    assert [s.path for s in list_segments(channel_dir(recordings, 1))] == [writing]


def test_the_disk_guard_removes_the_oldest_footage_of_any_channel_first(recordings):
    one = record_days(recordings, 1, days=3, size=10_000)
    two = record_days(recordings, 2, days=3, size=10_000, until=NOW - timedelta(minutes=5))
    total = 10_000_000

    def usage(_path: Path) -> DiskUsage:
        used = sum(p.stat().st_size for p in recordings.rglob("*.ts"))
        return DiskUsage(total, used, total - used)

    before = usage(recordings).free
    policy = RetentionPolicy(recordings, days=30, segment_seconds=HALF_HOUR, min_free_percent=95,
                             min_free_bytes=0, disk_usage=usage)
    removed = policy.prune(now=NOW, writing={one[-1], two[-1]})

    needed = 0.95 * total
    assert before < needed <= usage(recordings).free
    assert all(r.reason.startswith("disk guard: keeping") for r in removed)
    # Oldest first across channels: what is left of each channel starts at about the same time.
    left_one = list_segments(channel_dir(recordings, 1))
    left_two = list_segments(channel_dir(recordings, 2))
    assert abs((left_one[0].start - left_two[0].start).total_seconds()) <= HALF_HOUR
    assert left_one[-1].path == one[-1] and left_two[-1].path == two[-1]


def test_a_full_disk_never_takes_the_newest_segment_of_a_channel(recordings, caplog):
    one = record_days(recordings, 1, days=1)
    policy = RetentionPolicy(recordings, days=30, segment_seconds=HALF_HOUR, min_free_bytes=10**9,
                             disk_usage=lambda _p: DiskUsage(10**9, 10**9, 0))
    with caplog.at_level(logging.WARNING, logger="rtcc_edge.retention"):
        policy.prune(now=NOW)
    assert [s.path for s in list_segments(channel_dir(recordings, 1))] == [one[-1]]
    assert "disk still short" in caplog.text


def test_todays_empty_folder_stays_for_ffmpeg(recordings):
    today = channel_dir(recordings, 1) / NOW.strftime("%Y-%m-%d")
    tomorrow = channel_dir(recordings, 1) / (NOW + timedelta(days=1)).strftime("%Y-%m-%d")
    old = channel_dir(recordings, 1) / "2026-01-02"
    for folder in (today, tomorrow, old):
        folder.mkdir(parents=True)
    RetentionPolicy(recordings, days=30, segment_seconds=60, min_free_percent=0,
                    disk_usage=lambda _p: DiskUsage(1, 0, 1)).prune(now=NOW)
    assert today.is_dir() and tomorrow.is_dir() and not old.exists()
