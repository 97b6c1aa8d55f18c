"""The VLC player adapter against real libvlc and a real H.264 clip, headless."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from rtcc_desk.adapters.player import Player, PlayerState, PlayerUnavailable, VlcPlayer


def _wait(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture(scope="session")
def h264_clip(tmp_path_factory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (Debian package ffmpeg)")
    clip = tmp_path_factory.mktemp("clips") / "clip.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=320x240:rate=15", "-t", "4", "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", str(clip)], check=True)
    return clip


@pytest.fixture
def player():
    try:
        p = VlcPlayer()
    except PlayerUnavailable as exc:
        pytest.skip(f"libvlc cannot be loaded: {exc}")
    yield p
    p.close()


def test_plays_the_clip_offscreen_into_the_buffer(player, h264_clip):
    assert isinstance(player, Player)
    player.open(str(h264_clip))
    player.play()
    assert _wait(lambda: abs(player.duration_ms() - 4000) <= 200)
    assert _wait(lambda: (f := player.current_frame()) is not None and f.serial >= 3)
    frame = player.current_frame()
    assert frame.width == 320 and frame.height >= 240
    assert len(frame.pixels) == frame.width * frame.height * 4
    assert len(set(frame.pixels[: frame.width * 4 * 40])) > 10  # not a uniform picture
    assert player.state() == PlayerState.PLAYING
    kinds = {kind for kind, _ in player.take_events()}
    assert {"state", "frame"} <= kinds


def test_pause_seek_step_and_speed(player, h264_clip):
    player.open(str(h264_clip))
    player.play()
    assert _wait(lambda: player.current_frame() is not None)
    player.pause()
    assert _wait(lambda: player.state() == PlayerState.PAUSED)
    player.seek(3000)
    assert _wait(lambda: player.position_ms() >= 2500)
    player.seek(500)
    assert _wait(lambda: player.position_ms() <= 1000)
    before = player.current_frame().serial
    player.step_frame()
    assert _wait(lambda: player.current_frame().serial > before)
    assert player.state() == PlayerState.PAUSED
    player.set_rate(2.0)
    assert player.rate() == pytest.approx(2.0)
    player.set_rate(10)  # clamped to the 0.25–4× the desk offers
    assert player.rate() == pytest.approx(4.0)
    player.play()
    assert _wait(lambda: player.state() == PlayerState.PLAYING)


def test_plays_over_http_and_restarts_after_the_end(player, h264_clip):
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(h264_clip.parent))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        player.open(f"http://127.0.0.1:{server.server_port}/{h264_clip.name}")
        player.set_rate(4.0)
        player.play()
        assert _wait(lambda: player.current_frame() is not None)
        assert _wait(lambda: player.state() == PlayerState.ENDED, timeout=20)
        assert ("state", PlayerState.ENDED) in player.take_events()
        player.play()  # from the top again
        assert _wait(lambda: player.state() == PlayerState.PLAYING)
    finally:
        server.shutdown()
        server.server_close()
