"""The RTSP remux child: a camera libvlc cannot open (no live555 here) plays through ffmpeg."""

from __future__ import annotations

import os
import time

import pytest

from rtcc_desk.adapters.player import VlcPlayer
from rtcc_media.urls import redact_text, redact_url
from rtcc_media.remux import RemuxError, RtspRemux, libvlc_plays_rtsp, vlc_plugin_dirs


def wait_for(condition, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_remuxed_rtsp_source_plays_in_libvlc_with_frames_arriving(live_streams):
    camera = live_streams.rtsp("remuxed")
    remux = RtspRemux(camera.url)  # TCP refused by this source: ffmpeg falls back to UDP
    player = VlcPlayer()
    try:
        mrl = remux.start()
        assert mrl.startswith("fd://")
        player.open(mrl, (":file-caching=300",))
        player.play()
        assert wait_for(lambda: (f := player.current_frame()) is not None and f.serial >= 10), \
            remux.last_error()
        frame = player.current_frame()
        assert frame.width == 640 and player.video_size() == (640, 360)
        assert remux.running and remux.last_error() == ""
    finally:
        player.stop()
        remux.stop()
        player.close()
    assert not remux.running


def test_a_camera_that_goes_away_ends_the_pipe(live_streams):
    camera = live_streams.rtsp("goes-away")
    remux = RtspRemux(camera.url, stall_timeout_s=1.0)
    read_fd = int(remux.start().removeprefix("fd://"))
    try:
        assert len(os.read(read_fd, 188)) > 0  # MPEG-TS is flowing
        camera.close()
        # the reader sees the end of the pipe once ffmpeg gives up: the player's "ended"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and os.read(read_fd, 65536):
            pass
        assert wait_for(lambda: not remux.running, 5)
    finally:
        remux.stop()


def test_credentials_never_reach_the_error_text():
    remux = RtspRemux("rtsp://admin:hunter22@127.0.0.1:1/Streaming/Channels/102",
                      stall_timeout_s=1.0)
    assert "hunter22" not in repr(remux) and "hunter22" not in remux.safe_url
    remux.start()
    assert wait_for(lambda: not remux.running and remux.last_error() != "", 10)
    error = remux.last_error()
    remux.stop()
    assert "Connection refused" in error
    assert "hunter22" not in error  # the password; the user name may be shown


def test_only_rtsp_addresses_are_remuxed():
    with pytest.raises(RemuxError, match=r"not an RTSP URL: http://user:\*\*\*@cam/"):
        RtspRemux("http://user:pw@cam/video")


@pytest.mark.parametrize(("url", "shown"), [
    ("rtsp://admin:s3cret@10.0.0.5:554/ch1", "rtsp://admin:***@10.0.0.5:554/ch1"),
    ("rtsp://10.0.0.5/ch1", "rtsp://10.0.0.5/ch1"),
    ("http://cam/snap.cgi?user=admin&password=s3cret&ch=2",
     "http://cam/snap.cgi?user=admin&password=***&ch=2"),
    ("rtsp://u:p@[fe80::1]:8554/x", "rtsp://u:***@[fe80::1]:8554/x"),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_redact_text_removes_secrets_quoted_alone_or_percent_decoded():
    url = "rtsp://admin:p%40ss-word@10.0.0.5/ch1"
    text = f"{url}: 401 Unauthorized for admin with p@ss-word"
    assert redact_text(text, url) == "rtsp://admin:***@10.0.0.5/ch1: 401 Unauthorized for admin with ***"


def test_live555_is_looked_up_among_libvlc_plugins(tmp_path):
    assert libvlc_plays_rtsp([str(tmp_path)]) is False
    (tmp_path / "access").mkdir()
    (tmp_path / "access" / "liblive555_plugin.so").touch()
    assert libvlc_plays_rtsp([str(tmp_path)]) is True
    assert vlc_plugin_dirs()  # this machine's libvlc plugins are found (Debian's: no live555)
