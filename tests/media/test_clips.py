"""Test clips: real ffmpeg output a player and a recorder can start on within a second."""

from __future__ import annotations

import json
import subprocess

import pytest

from rtcc_media.clips import make_test_clip
from rtcc_media.errors import MediaError
from tests.streams import probe, require_media_tools


@pytest.fixture(autouse=True)
def _tools():
    require_media_tools()


def test_clip_is_h264_baseline_with_the_asked_size_rate_and_length(tmp_path):
    clip = make_test_clip(tmp_path / "door.mp4", seconds=2, size=(320, 180), fps=10, label="DOOR")
    info = probe(clip)
    assert info["codec_name"] == "h264"
    assert "Baseline" in info["profile"]
    assert (info["width"], info["height"]) == (320, 180)
    assert info["avg_frame_rate"] == "10/1"
    assert float(info["duration"]) == pytest.approx(2.0, abs=0.15)


def test_a_keyframe_every_second_so_players_start_quickly(tmp_path):
    clip = make_test_clip(tmp_path, seconds=3, size=(320, 180), fps=10, label="GOP")
    frames = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame",
         "-of", "json", str(clip)], capture_output=True, text=True, check=True)
    keys = [i for i, f in enumerate(json.loads(frames.stdout)["frames"]) if f["key_frame"]]
    assert keys[:3] == [0, 10, 20]


def test_made_once_per_set_of_parameters(tmp_path):
    first = make_test_clip(tmp_path, seconds=1, size=(160, 90), label="CAM 7")
    made_at = first.stat().st_mtime_ns
    again = make_test_clip(tmp_path, seconds=1, size=(160, 90), label="CAM 7")
    assert again == first and again.stat().st_mtime_ns == made_at
    other = make_test_clip(tmp_path, seconds=1, size=(160, 90), label="CAM 8")
    assert other != first and other.is_file()
    # the same file name asked with other parameters is made again, not reused
    remade = make_test_clip(first, seconds=2, size=(160, 90), label="CAM 7")
    assert remade == first and float(probe(remade)["duration"]) == pytest.approx(2.0, abs=0.15)


def test_odd_sizes_are_refused_with_a_readable_error(tmp_path):
    with pytest.raises(MediaError, match="even"):
        make_test_clip(tmp_path, size=(641, 360))
