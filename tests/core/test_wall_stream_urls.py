"""Stream addresses: which forms the wall plays, and that a password never shows in a message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtcc_desk.core.wall import Stream, check_stream_url, redact_url, stream_url


@pytest.mark.parametrize(("url", "shown"), [
    ("rtsp://admin:Hunter2@10.20.1.11:554/Streaming/Channels/101",
     "rtsp://admin:***@10.20.1.11:554/Streaming/Channels/101"),
    ("rtsp://admin:p@ss/w#rd?@10.20.1.11/ch1", "rtsp://admin:***@10.20.1.11/ch1"),
    ("http://cam.example/video.cgi?user=admin&password=Hunter2&resolution=640",
     "http://cam.example/video.cgi?user=admin&password=***&resolution=640"),
    ("https://gw.example/p1/main.m3u8?token=Tk-9f2c", "https://gw.example/p1/main.m3u8?token=***"),
    ("rtsp://viewer@10.0.0.1/main", "rtsp://viewer@10.0.0.1/main"),  # no password to hide
    ("rtsp://10.0.0.1/main", "rtsp://10.0.0.1/main"),
    ("/srv/clips/cam1.mp4", "/srv/clips/cam1.mp4"),
])
def test_passwords_and_secret_query_values_are_hidden_and_the_rest_kept(url, shown):
    assert redact_url(url) == shown


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1))
def test_no_password_ever_survives_redaction(password):
    url = f"rtsp://admin:{password}@10.20.1.11:554/Streaming/Channels/101"
    assert redact_url(url) == "rtsp://admin:***@10.20.1.11:554/Streaming/Channels/101"


@pytest.mark.parametrize("url", [
    "rtsp://admin:Hunter2@10.20.1.11:554/Streaming/Channels/101",
    "rtsps://cam.example/main", "http://10.0.0.5/mjpg/video.mjpg",
    "https://gw.example/p1/main.m3u8", "file:///srv/clips/cam1.mp4", "/srv/clips/cam1.mp4",
    r"C:\clips\cam1.mp4", r"\\nvr01\clips\cam1.mp4",
])
def test_addresses_a_wall_can_play_are_accepted_as_written(url):
    assert check_stream_url(f"  {url} ") == url


@pytest.mark.parametrize(("url", "reason"), [
    ("", "is empty"),
    ("rtmp://admin:Hunter2@10.0.0.1/live",
     "'rtmp://admin:***@10.0.0.1/live': rtmp:// streams are not supported"),
    ("rtsp://admin:Hunter2@10.0.0.1:99999/main",
     "'rtsp://admin:***@10.0.0.1:99999/main' is not a valid address"),
    ("rtsp://admin:Hunter2@10.0.0.1:0/main", "port 0"),
    ("rtsp:///main", "has no host"),
    ("http://[::1/x", "not a valid address"),
    ("file:///", "names no file"),
    ("clips/cam1.mp4", "neither a stream address"),
    ("rtsp://10.0.0.1/my stream", "contains spaces"),
])
def test_addresses_it_cannot_play_are_refused_with_the_password_hidden(url, reason):
    with pytest.raises(ValueError) as caught:
        check_stream_url(url)
    assert reason in str(caught.value)
    assert "Hunter2" not in str(caught.value)


def test_a_camera_with_one_encoding_plays_it_for_both_streams():
    assert stream_url("rtsp://x/main", "rtsp://x/sub", Stream.SUB) == "rtsp://x/sub"
    assert stream_url("rtsp://x/main", "rtsp://x/sub", Stream.MAIN) == "rtsp://x/main"
    assert stream_url("rtsp://x/main", "", Stream.SUB) == "rtsp://x/main"
    assert stream_url("", "rtsp://x/sub", Stream.MAIN) == "rtsp://x/sub"
