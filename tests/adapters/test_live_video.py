"""Live tiles against real local cameras (RTSP through the ffmpeg remux, HTTP direct), headless."""

from __future__ import annotations

import itertools
import time
from typing import ClassVar

import numpy as np
import pytest

from rtcc_desk.adapters.live import (
    Backoff,
    LiveState,
    LiveStream,
    LiveTiming,
    PlayerPool,
)
from rtcc_desk.adapters.player import PlayerError, PlayerUnavailable, VlcPlayer
from rtcc_desk.core.privacy_mask import PrivacyMask
from rtcc_desk.core.wall import Stream
from tests import streams
from tests.streams import clip

# The shared real-stream fixtures (tests/streams.py), used here by name.
live_streams, module_streams = streams.live_streams, streams.module_streams
test_clip = streams.test_clip

# Short patience so a test sees a drop and a comeback in seconds, not half a minute.
FAST = LiveTiming(lost_after_s=2.0, connect_timeout_s=8.0, backoff_first_s=0.3,
                  backoff_max_s=1.0, backoff_jitter=0.0, remux_stall_s=2.0)
TOP_LEFT_QUARTER = [(0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.5)]


@pytest.fixture
def tiles():
    """Makes LiveStreams on a private pool; closes them (players, remux children) afterwards."""
    try:
        VlcPlayer().close()
    except PlayerUnavailable as exc:
        pytest.skip(f"libvlc cannot be loaded: {exc}")
    pool = PlayerPool()
    made: list[LiveStream] = []

    def make(label: str, **kwargs) -> LiveStream:
        kwargs.setdefault("timing", FAST)
        stream = LiveStream(label, pool=pool, **kwargs)
        made.append(stream)
        return stream

    yield make
    for future in [s.close() for s in made]:
        future.result(timeout=30)
    pool.shutdown()


def pump(streams, until, timeout_s: float = 25.0) -> list:
    """Poll the streams as the wall's timer would until ``until()`` holds; returns all events."""
    events = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for stream in streams:
            events.extend(stream.poll())
        if until():
            return events
        time.sleep(0.05)
    states = {s.camera_label: s.state.value for s in streams}
    raise AssertionError(f"timed out; states {states}; events {[e.message for e in events]}")


@pytest.fixture(scope="module")
def four_cameras(module_streams):
    """Two RTSP and two HTTP cameras kept running for this module's tests."""
    return module_streams.start(["rtsp", "rtsp", "http", "http"])


def test_four_real_cameras_go_live_with_frames_arriving(tiles, four_cameras):
    sources = four_cameras
    streams = [tiles(f"CAM {n}", sub_url=s.url) for n, s in enumerate(sources, start=1)]
    for stream in streams:
        stream.start()
    events = pump(streams, lambda: all(s.state is LiveState.LIVE for s in streams))
    serials = [s.serial for s in streams]
    pump(streams, lambda: all(s.serial > n + 3 for s, n in zip(streams, serials, strict=True)))
    for stream in streams:
        frame = stream.latest_frame()
        assert frame.picture_size == (640, 360) and frame.width == 640
        assert frame.image.shape == (frame.height, 640, 4)
        assert len(np.unique(frame.image[..., :3].reshape(-1, 3), axis=0)) > 20  # a real picture
    messages = [e.message for e in events]
    assert "CAM 1: connecting to the sub stream" in messages
    assert "CAM 4: live (sub stream)" in messages


def test_the_masked_region_is_black_and_the_rest_is_not(tiles, four_cameras):
    source = four_cameras[0]
    stream = tiles("CAM 1", sub_url=source.url, mask=PrivacyMask([TOP_LEFT_QUARTER]))
    stream.start()
    pump([stream], lambda: stream.state is LiveState.LIVE and stream.latest_frame() is not None)
    image = stream.latest_frame().image
    height, width = image.shape[:2]
    hidden = image[: height // 2, : width // 2]
    assert (hidden == (0, 0, 0, 255)).all()
    shown = image[height // 2 + 2 :, width // 2 + 2 :]
    assert len(np.unique(shown[..., :3].reshape(-1, 3), axis=0)) > 20
    assert not image.flags.writeable  # nobody can paint over the mask afterwards


def test_a_dropped_camera_is_lost_then_live_again_when_it_returns(tiles, live_streams):
    rtsp, http = live_streams.start(["rtsp", "http"])
    streams = [tiles("RTSP CAM", sub_url=rtsp.url), tiles("HTTP CAM", sub_url=http.url)]
    for stream in streams:
        stream.start()
    pump(streams, lambda: all(s.state is LiveState.LIVE for s in streams))
    rtsp.stop()
    http.stop()
    events = pump(streams, lambda: all(s.state is LiveState.RECONNECTING for s in streams))
    lost = {e.message.split(":")[0] for e in events if e.state is LiveState.LOST}
    assert lost == {"RTSP CAM", "HTTP CAM"}
    assert any("reconnecting in" in e.message for e in events)
    rtsp.start()
    http.start()
    events = pump(streams, lambda: all(s.state is LiveState.LIVE for s in streams), timeout_s=40)
    assert {e.message for e in events if e.state is LiveState.LIVE} == {
        "RTSP CAM: live (sub stream)", "HTTP CAM: live (sub stream)"}


def test_stop_stops_the_pictures_and_start_brings_them_back(tiles, four_cameras):
    players = []

    def recording_player():
        players.append(VlcPlayer())
        return players[-1]

    stream = tiles("CAM 1", sub_url=four_cameras[3].url, player_factory=recording_player)
    stream.start()
    pump([stream], lambda: stream.state is LiveState.LIVE)
    stream.stop()
    assert stream.state is LiveState.STOPPED
    pump([stream], lambda: not stream.busy)  # the player has stopped on its worker
    frozen, decoded = stream.serial, players[0].current_frame().serial
    time.sleep(1.0)
    stream.poll()
    assert stream.serial == frozen and stream.state is LiveState.STOPPED
    assert players[0].current_frame().serial == decoded  # libvlc decodes nothing more
    stream.start()
    pump([stream], lambda: stream.state is LiveState.LIVE and stream.serial > frozen)
    assert len(players) == 1  # the same player, started again


def test_a_maximised_tile_switches_to_the_main_stream_and_back(tiles, four_cameras, module_streams):
    main_clip = clip("CAM 1 MAIN", size=(960, 540), seconds=4)
    sub, main = four_cameras[2], module_streams.http("main", clip_path=main_clip)
    stream = tiles("CAM 1", sub_url=sub.url, main_url=main.url)
    stream.start()
    pump([stream], lambda: stream.state is LiveState.LIVE)
    stream.switch_to(Stream.MAIN)
    pump([stream], lambda: stream.state is LiveState.LIVE and stream.latest_frame().width == 960)
    assert stream.latest_frame().stream is Stream.MAIN
    stream.switch_to(Stream.SUB)
    pump([stream], lambda: stream.state is LiveState.LIVE and stream.latest_frame().width == 640)


# ----- backoff and messages, against a fake player and a fake clock ------------------------


class RefusingPlayer:
    """A player whose every open fails, as libvlc does for a camera that is not there."""

    opened: ClassVar[list[str]] = []

    def open(self, url, options=()):
        RefusingPlayer.opened.append(url)
        raise PlayerError("the camera did not answer")

    def play(self): ...
    def stop(self): ...
    def close(self): ...
    def take_events(self):
        return []


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_reconnection_waits_double_each_time_up_to_the_cap_and_hides_passwords():
    clock = FakeClock()
    pool = PlayerPool(workers=1)
    stream = LiveStream("CAM 9", sub_url="http://admin:hunter22@cam9.example/video", pool=pool,
                        clock=clock, player_factory=RefusingPlayer,
                        backoff=Backoff(first_s=1, max_s=8, jitter=0))
    RefusingPlayer.opened.clear()
    stream.start()
    events, attempts_at = [], []
    for _ in range(6):  # six failed attempts
        tries = len(RefusingPlayer.opened)
        deadline = time.monotonic() + 10
        while len(RefusingPlayer.opened) == tries or stream.busy:
            events += stream.poll()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        attempts_at.append(clock.now)
        events += stream.poll()
        clock.now += 0.5
        while stream.retry_at is not None and clock.now < stream.retry_at:
            clock.now += 0.5
    stream.close().result(10)
    pool.shutdown()
    waits = [b - a for a, b in itertools.pairwise(attempts_at)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0]
    texts = " ".join(e.message for e in events)
    assert "hunter22" not in texts and "admin:***@cam9.example" in texts
    assert "CAM 9: could not open" in texts and "the camera did not answer" in texts
    assert stream.state is LiveState.STOPPED


def test_jitter_spreads_retries_within_bounds():
    backoff = Backoff(first_s=2, max_s=30, jitter=0.2, rng=lambda: 1.0)
    assert backoff.next_delay() == pytest.approx(2.4)
    backoff = Backoff(first_s=2, max_s=30, jitter=0.2, rng=lambda: 0.0)
    assert [round(backoff.next_delay(), 2) for _ in range(6)] == [1.6, 3.2, 6.4, 12.8, 24.0, 24.0]
    backoff.reset()
    assert backoff.next_delay() == pytest.approx(1.6)
