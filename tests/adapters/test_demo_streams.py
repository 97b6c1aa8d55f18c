"""The demo's live-video hook: local stream addresses filled into the 270 pole cameras at start."""

from __future__ import annotations

from collections import Counter

import pytest

from rtcc_desk.adapters.demo import generate_demo_cameras, spread_streams, with_stream_urls
from rtcc_desk.core.cameras import PoleCamera, RegisteredCamera

SOURCES = [(f"rtsp://127.0.0.1:8554/demo{n}", f"http://127.0.0.1:8081/demo{n}.ts")
           for n in range(16)]


@pytest.fixture(scope="module")
def cameras():
    return generate_demo_cameras(seed=1, registered=30, edge_devices=1)


def test_every_pole_camera_gets_one_of_the_local_streams_in_turn(cameras):
    plan = spread_streams(cameras, SOURCES)
    live = with_stream_urls(cameras, plan)
    poles = [c for c in live if isinstance(c, PoleCamera)]
    assert len(plan) == len(poles) == 270
    assert {(c.main_stream_url, c.sub_stream_url) for c in poles} == set(SOURCES)
    # 270 cameras over 16 sources: each source shared by 16 or 17 cameras.
    assert set(Counter(c.main_stream_url for c in poles).values()) == {16, 17}
    # Only the addresses change; everything else, and the other cameras, stay as generated.
    for before, after in zip(cameras, live, strict=True):
        assert after.camera_id == before.camera_id
        if isinstance(after, PoleCamera):
            assert (after.view, after.location, after.privacy_review) == (
                before.view, before.location, before.privacy_review)
        else:
            assert after == before


def test_one_address_serves_both_streams_and_unnamed_cameras_keep_theirs(cameras):
    live = with_stream_urls(cameras, {"SPT-P001-1": "/srv/demo/clip1.mp4"})
    first = next(c for c in live if c.camera_id == "SPT-P001-1")
    second = next(c for c in live if c.camera_id == "SPT-P001-2")
    assert first.main_stream_url == first.sub_stream_url == "/srv/demo/clip1.mp4"
    assert second.main_stream_url.startswith("rtsp://10.20.1.12")


def test_a_bad_address_names_the_camera_and_hides_the_password(cameras):
    with pytest.raises(ValueError, match="SPT-P001-2") as caught:
        with_stream_urls(cameras, {"SPT-P001-2": ("rtmp://demo:hush@127.0.0.1/x", "")})
    assert "hush" not in str(caught.value) and "demo:***@" in str(caught.value)
    with pytest.raises(ValueError, match="at least one"):
        spread_streams(cameras, [])
    registered = next(c for c in cameras if isinstance(c, RegisteredCamera))
    assert with_stream_urls([registered], {registered.camera_id: "rtsp://x/y"}) == [registered]
