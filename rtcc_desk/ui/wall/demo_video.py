"""Moving video for the demo: a few looping local streams stand in for the 270 pole cameras.

The demo's cameras point at 10.20.x.y addresses that reach nothing. At start the desk makes
a few labelled test clips (cached), serves them from this process (``rtcc_media.sources``:
RTSP and HTTP, so both routes are exercised) and gives every pole camera one of them, in
turn, through the demo's hook (``adapters.demo.with_stream_urls``). Blocking: run it off the
GUI thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from pathlib import Path

from rtcc_desk.adapters.demo import spread_streams, with_stream_urls
from rtcc_desk.core.cameras import Camera, PoleCamera
from rtcc_media.clips import make_test_clip
from rtcc_media.sources import LocalSource

log = logging.getLogger("rtcc.desk.wall")
#: (name, sub stream transport): four looks for the whole city, both transports shown.
DEMO_FEEDS = (("A", "rtsp"), ("B", "http"), ("C", "rtsp"), ("D", "http"))
SUB_SIZE, MAIN_SIZE = (640, 360), (960, 540)
#: Source names are per process: a desk closed while its demo video was still starting keeps
#: its names until that start ends, so each DemoVideo after the first adds a number.
_instances = itertools.count(1)


class DemoVideo:
    """The demo's local sources; ``close()`` takes them off the air."""

    def __init__(self, clips_folder: Path, feeds: tuple[tuple[str, str], ...] = DEMO_FEEDS) -> None:
        self.clips_folder = Path(clips_folder)
        self.feeds = feeds
        self.sources: list[LocalSource] = []
        self.streams: list[tuple[str, str]] = []  # (main, sub) per feed
        number = next(_instances)
        self._suffix = "" if number == 1 else f"-{number}"

    def start(self, timeout_s: float = 30.0) -> list[tuple[str, str]]:
        """Make the clips (first run only), put them on the air, return (main, sub) addresses."""
        pairs: list[tuple[LocalSource, LocalSource]] = []
        # make_test_clip takes a missing folder for a file name: the folder must exist.
        self.clips_folder.mkdir(parents=True, exist_ok=True)
        try:
            for name, transport in self.feeds:
                sub_clip = make_test_clip(self.clips_folder, seconds=12, size=SUB_SIZE, fps=15,
                                          label=f"DEMO POLE CAMERA {name}")
                main_clip = make_test_clip(self.clips_folder, seconds=12, size=MAIN_SIZE, fps=15,
                                           label=f"DEMO POLE CAMERA {name} · MAIN")
                sub = LocalSource(sub_clip, f"demo-{name.lower()}-sub{self._suffix}", transport)
                main = LocalSource(main_clip, f"demo-{name.lower()}-main{self._suffix}", "http")
                self.sources += [sub, main]
                pairs.append((main.start(wait=False), sub.start(wait=False)))
            for source in self.sources:
                source.wait_until_on_air(timeout_s)
        except BaseException:
            self.close()
            raise
        self.streams = [(main.url, sub.url) for main, sub in pairs]
        log.info("demo video on the air: %s", ", ".join(sub for _, sub in self.streams))
        return self.streams

    def cameras_with_video(self, cameras: Iterable[Camera]) -> list[PoleCamera]:
        """The pole cameras among ``cameras`` with their addresses pointed at the demo streams."""
        cameras = list(cameras)
        plan = spread_streams(cameras, self.streams)
        return [c for c in with_stream_urls(cameras, plan) if isinstance(c, PoleCamera)]

    def close(self) -> None:
        for source in self.sources:
            source.close()
        self.sources.clear()
