"""How a camera address is opened in libvlc: directly, or through the ffmpeg remux child.

``rtsp://`` goes through ``rtcc_media.remux`` when this libvlc has no RTSP module (Debian's:
built without live555) and straight to libvlc where it has one (Windows and macOS builds),
found by looking at libvlc's plugins at run time. http(s)://, file:// and paths always open
directly.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from rtcc_media.remux import libvlc_plays_rtsp

#: libvlc buffering for live pictures: enough to ride out jitter, short enough to stay live.
LIVE_CACHING_MS = 300


class RtspRoute(enum.StrEnum):
    AUTO = "auto"      # decide from the installed libvlc
    REMUX = "remux"    # always through ffmpeg
    VLC = "vlc"        # always libvlc's own RTSP (live555)


@functools.cache
def _vlc_has_rtsp() -> bool:
    return libvlc_plays_rtsp()


def is_rtsp(url: str) -> bool:
    return url.lower().startswith(("rtsp://", "rtsps://"))


@dataclass(frozen=True)
class OpenPlan:
    """``remux``: start an ffmpeg child and open its pipe; else open ``url`` with ``options``."""

    url: str
    remux: bool
    options: tuple[str, ...]


def plan_open(url: str, route: RtspRoute = RtspRoute.AUTO, *,
              rtsp_over_tcp: bool = True) -> OpenPlan:
    caching = (f":network-caching={LIVE_CACHING_MS}", f":file-caching={LIVE_CACHING_MS}")
    if is_rtsp(url):
        native = route is RtspRoute.VLC or (route is RtspRoute.AUTO and _vlc_has_rtsp())
        if not native:
            return OpenPlan(url, True, (f":file-caching={LIVE_CACHING_MS}",))
        return OpenPlan(url, False, caching + ((":rtsp-tcp",) if rtsp_over_tcp else ()))
    return OpenPlan(url, False, caching)
