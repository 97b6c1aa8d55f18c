"""Recording real local streams (RTSP and HTTP) into time-named UTC segments, and restarting lost cameras."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest

from rtcc_edge.segments import channel_dir, list_segments, start_of
from tests.edge.helpers import BoxThread, camera, wait_until, write_config

pytestmark = pytest.mark.slow
SECRET = "Hunter2-secret"


def with_credentials(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"viewer:{SECRET}@{parts.netloc}"))


def probe_video(path) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                           "stream=codec_name,width,height", "-of", "json", str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)["streams"][0]


def recording_config(tmp_path, cameras):
    return write_config(tmp_path, cameras, segment_seconds=2, stall_seconds=8, restart_max_seconds=2,
                        retention={"check_seconds": 3600})


def segments(box: BoxThread, channel: int):
    return list_segments(channel_dir(box.settings.recordings_dir, channel))


def test_rtsp_and_http_cameras_are_recorded_into_utc_segments(tmp_path, live_streams, small_clip, caplog):
    rtsp, http = live_streams.start(["rtsp", "http"], clip_path=small_clip)
    began = datetime.now(UTC)
    box = BoxThread(recording_config(tmp_path, [camera(1, with_credentials(rtsp.url)),
                                                camera(2, with_credentials(http.url))]), owner_page=False)
    with caplog.at_level(logging.DEBUG, logger="rtcc_edge"):
        box.start()
        try:
            wait_until(lambda: all(len(segments(box, ch)) >= 4 for ch in (1, 2)), 60, "four segments a channel")
            health = {h.channel: dataclasses.replace(h) for h in box.box.health()}
        finally:
            box.stop()

    for channel in (1, 2):
        assert health[channel].state == "recording", health[channel]
        found = segments(box, channel)
        for segment in found:
            # Named by ffmpeg from the UTC wall clock, in that UTC day's folder.
            assert began - timedelta(seconds=5) <= segment.start <= datetime.now(UTC) + timedelta(seconds=5)
            assert segment.path.parent.name == segment.start.strftime("%Y-%m-%d")
            assert start_of(segment.path) == segment.start
        # Streams copied: the source's H.264 at its own size, not re-encoded.
        assert probe_video(found[1].path) == {"codec_name": "h264", "width": 320, "height": 240}
        assert health[channel].oldest == found[0].start and health[channel].newest is not None
    # VLC's RTSP server refuses interleaved TCP: the recorder fell back to UDP by itself.
    assert health[1].transport == "udp" and health[2].transport == ""
    assert "-rtsp_transport tcp" in caplog.text and "-rtsp_transport udp" in caplog.text
    assert SECRET not in caplog.text  # the password; the user name may show
    assert [h.state for h in box.box.recorders.health()] == ["stopped", "stopped"]


def test_a_lost_camera_is_reported_failed_restarted_with_backoff_and_recorded_again(tmp_path, live_streams, small_clip):
    (http,) = live_streams.start(["http"], clip_path=small_clip)
    box = BoxThread(recording_config(tmp_path, [camera(1, http.url)]), owner_page=False).start()
    recorder = box.box.recorders.channels[1]
    try:
        wait_until(lambda: recorder.health.state == "recording", 60, "recording")
        http.stop()  # the camera goes away
        wait_until(lambda: recorder.health.state == "failed" and recorder.health.restarts >= 2, 60,
                   "the channel failed and retried")
        report = recorder.health.report()
        assert report["state"] == "failed" and report["error"]
        assert recorder.health.restarts >= 2
        lost_at = datetime.now(UTC)
        http.start()  # and comes back on the same URL
        wait_until(lambda: recorder.health.state == "recording"
                   and segments(box, 1)[-1].start > lost_at, 60, "recording again after the outage")
    finally:
        box.stop()
