"""Local live sources: real RTSP and HTTP streams that ffprobe (so any client) reads."""

from __future__ import annotations

import pytest

from rtcc_media.sources import LocalSource, SourceError
from tests.streams import probe


def test_sources_serve_the_clip_and_come_back_on_the_same_url_after_a_stop(live_streams):
    rtsp, http = live_streams.start(["rtsp", "http"])
    assert rtsp.url.startswith("rtsp://127.0.0.1:") and http.url.startswith("http://127.0.0.1:")
    for source in (rtsp, http):
        info = probe(source.url)
        assert info.get("codec_name") == "h264", source
        assert (info["width"], info["height"]) == (640, 360)
    urls = (rtsp.url, http.url)
    for source in (rtsp, http):
        source.stop()
        assert not source.running
        assert probe(source.url, timeout_s=8) == {}
    for source in (rtsp, http):
        source.start(wait=False)
    for source in (rtsp, http):
        source.wait_until_on_air()  # RTSP DESCRIBE has the video track; HTTP sends TS bytes
    assert (rtsp.url, http.url) == urls
    assert probe(rtsp.url).get("codec_name") == "h264"


def test_many_sources_from_one_process(live_streams):
    sources = live_streams.start(["rtsp", "http"] * 8)  # the demo's wall wants 16 and more
    assert len({s.url for s in sources}) == 16
    assert all(s.running for s in sources)  # and each answered (DESCRIBE / HTTP bytes)


def test_names_are_checked_and_not_served_twice(test_clip):
    with pytest.raises(SourceError, match="URL path"):
        LocalSource(test_clip, "bad name/..", "rtsp")
    with LocalSource(test_clip, "twice-only-once", "http") as first:
        with pytest.raises(SourceError, match="already being served"):
            LocalSource(test_clip, "twice-only-once", "http")
        assert first.running
    assert not first.running
    LocalSource(test_clip, "twice-only-once", "http").close()  # the name is free again
