"""Cutting a window out of the segments: one file, streams copied, the right duration and its SHA-256."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from rtcc_edge.clips import ClipCutter, ClipError
from rtcc_edge.segments import channel_dir
from tests.edge.helpers import ffprobe_duration, lay_segments

START = datetime(2026, 11, 20, 14, 3, 0, tzinfo=UTC)
KEYFRAME_S = 1.0  # the test clip has one keyframe a second


@pytest.fixture
def recorded(tmp_path, two_second_pieces):
    """20 s of channel 1 as ten 2 s segments named from START, as the recorder leaves them."""
    recordings = tmp_path / "recordings"
    lay_segments(recordings, 1, two_second_pieces, START, seconds=2)
    return channel_dir(recordings, 1)


def test_a_window_across_several_segments_becomes_one_file_of_the_right_length(recorded, tmp_path):
    cutter = ClipCutter(segment_seconds=2)
    start, end = START + timedelta(seconds=3.4), START + timedelta(seconds=12.6)  # 9.2 s, 6 segments
    clip = cutter.cut(recorded, start, end, tmp_path / "out" / "clip.mp4")

    assert clip.segments == 6 and clip.first_segment == START + timedelta(seconds=2)
    duration = ffprobe_duration(clip.path)
    window = (end - start).total_seconds()
    # Streams are copied, so the clip starts on the keyframe at or before the window's start.
    assert window - 0.15 <= duration <= window + KEYFRAME_S + 0.15
    assert clip.duration_s == pytest.approx(duration, abs=0.01)
    assert clip.sha256 == hashlib.sha256(clip.path.read_bytes()).hexdigest()
    assert clip.bytes == clip.path.stat().st_size


def test_a_window_inside_one_segment(recorded, tmp_path):
    clip = ClipCutter(segment_seconds=2).cut(recorded, START + timedelta(seconds=4.0),
                                             START + timedelta(seconds=5.5), tmp_path / "one.mp4")
    assert clip.segments == 1
    assert 1.35 <= ffprobe_duration(clip.path) <= 1.5 + KEYFRAME_S + 0.15


def test_a_gap_in_the_recording_is_left_out_not_filled(tmp_path, two_second_pieces):
    recordings = tmp_path / "recordings"
    lay_segments(recordings, 1, two_second_pieces[:3], START, seconds=2)  # 0-6 s
    lay_segments(recordings, 1, two_second_pieces[3:6], START + timedelta(seconds=60), seconds=2)  # 60-66 s
    clip = ClipCutter(segment_seconds=2).cut(channel_dir(recordings, 1), START, START + timedelta(seconds=66),
                                             tmp_path / "gap.mp4")
    assert clip.segments == 6
    assert 11.5 <= ffprobe_duration(clip.path) <= 12.5  # 12 s of footage, not 66


def test_a_window_with_no_recording_is_refused_in_words(recorded, tmp_path):
    cutter = ClipCutter(segment_seconds=2)
    with pytest.raises(ClipError, match="no recording covers 2026-11-19 10:00:00Z"):
        cutter.cut(recorded, datetime(2026, 11, 19, 10, tzinfo=UTC), datetime(2026, 11, 19, 10, 5, tzinfo=UTC),
                   tmp_path / "none.mp4")
    with pytest.raises(ClipError, match="ends before it starts"):
        cutter.cut(recorded, START + timedelta(seconds=5), START, tmp_path / "backwards.mp4")
