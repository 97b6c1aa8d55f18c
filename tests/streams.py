"""Real local video streams for tests: H.264 clips served over RTSP and HTTP from this process.

A plain module, not a conftest, so any test folder can use it. In a test module or a folder's
conftest.py::

    from tests.streams import live_streams, test_clip  # noqa: F401  (pytest fixtures)

    def test_something(live_streams):
        cam = live_streams.rtsp("door")          # started and answering; closed after the test
        cams = live_streams.start(["rtsp", "http", "http"])   # several at once (faster)
        cam.stop(); cam.start()                  # the camera vanishes and comes back, same URL

RTSP here is RTP over UDP (libvlc's VLM refuses TCP): an ffmpeg reader needs
``-rtsp_transport udp`` (or use ``rtcc_media.remux``, which falls back by itself).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest

from rtcc_media.clips import make_test_clip
from rtcc_media.errors import MediaToolMissing
from rtcc_media.sources import LocalSource

# Shared across test sessions (and helpers): a clip is made once per set of parameters.
CLIP_CACHE = Path(tempfile.gettempdir()) / "rtcc-test-clips"
_names = itertools.count(1)


def require_media_tools() -> None:
    """Skip (saying why) where ffmpeg or libvlc is missing."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("ffmpeg/ffprobe not installed (Debian package ffmpeg)")
    try:
        import vlc  # noqa: F401, PLC0415
    except (ImportError, OSError) as exc:
        pytest.skip(f"libvlc cannot be loaded ({exc}); apt-get install libvlc5 vlc-plugin-base")


def clip(label: str = "CAM 1", *, seconds: float = 10, size: tuple[int, int] = (640, 360),
         fps: int = 15) -> Path:
    """A cached test clip (see ``rtcc_media.clips.make_test_clip``)."""
    require_media_tools()
    CLIP_CACHE.mkdir(parents=True, exist_ok=True)
    return make_test_clip(CLIP_CACHE, seconds=seconds, size=size, fps=fps, label=label)


class LiveStreams:
    """Starts local sources for one test and closes every one of them afterwards."""

    def __init__(self, default_clip: Path) -> None:
        self.default_clip = default_clip
        self.sources: list[LocalSource] = []

    def _make(self, kind: str, name: str | None, clip_path: Path | None) -> LocalSource:
        unique = f"{name or kind}-{next(_names)}"  # sources are per process: never clash
        source = LocalSource(clip_path or self.default_clip, unique, kind)
        self.sources.append(source)
        return source

    def start(self, kinds: list[str], *, clip_path: Path | None = None,
              timeout_s: float = 20.0) -> list[LocalSource]:
        """Start several sources at once ("rtsp"/"http") and wait until all answer."""
        made = [self._make(kind, None, clip_path).start(wait=False) for kind in kinds]
        for source in made:
            source.wait_until_on_air(timeout_s)
        return made

    def rtsp(self, name: str | None = None, *, clip_path: Path | None = None) -> LocalSource:
        return self._make("rtsp", name, clip_path).start(timeout_s=20.0)

    def http(self, name: str | None = None, *, clip_path: Path | None = None) -> LocalSource:
        return self._make("http", name, clip_path).start(timeout_s=20.0)

    def close(self) -> None:
        for source in self.sources:
            source.close()
        self.sources.clear()


@pytest.fixture(scope="session")
def test_clip() -> Path:
    """A 10 s 640x360 15 fps H.264 clip labelled "CAM 1"."""
    return clip()


@pytest.fixture
def live_streams(test_clip: Path):
    """``LiveStreams`` for this test; every source it started is closed at the end."""
    try:
        streams = LiveStreams(test_clip)
    except MediaToolMissing as exc:
        pytest.skip(str(exc))
    yield streams
    streams.close()


@pytest.fixture(scope="module")
def module_streams(test_clip: Path):
    """``LiveStreams`` shared by a module's tests (~1 s saved per test); tests that stop a
    source should use ``live_streams`` instead, so the others find theirs running."""
    try:
        streams = LiveStreams(test_clip)
    except MediaToolMissing as exc:
        pytest.skip(str(exc))
    yield streams
    streams.close()


def probe(url_or_path: str | Path, *, timeout_s: float = 20.0) -> dict:
    """ffprobe's first video stream as a dict (codec_name, width, height, avg_frame_rate,
    profile); ``{}`` when nothing could be read. RTSP is read over UDP (see above)."""
    import json  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    target = str(url_or_path)
    transport = ["-rtsp_transport", "udp"] if target.startswith("rtsp://") else []
    argv = ["ffprobe", "-v", "error", *transport, "-analyzeduration", "500000",
            "-probesize", "100000", "-select_streams", "v:0", "-show_entries",
            "stream=codec_name,profile,width,height,avg_frame_rate,nb_frames:format=duration",
            "-of", "json", target]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {}
    if done.returncode != 0:
        return {}
    info = json.loads(done.stdout or "{}")
    streams = info.get("streams") or [{}]
    duration = info.get("format", {}).get("duration")
    return {**streams[0], **({"duration": duration} if duration else {})}
