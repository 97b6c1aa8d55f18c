"""Live camera video for the wall: one ``LiveStream`` per tile on libvlc, RTSP via ffmpeg where
libvlc lacks it, reconnection with backoff, privacy masks on every frame (docs/video.md)."""

from rtcc_desk.adapters.live.backoff import Backoff
from rtcc_desk.adapters.live.routes import OpenPlan, RtspRoute, plan_open
from rtcc_desk.adapters.live.stream import LiveEvent, LiveFrame, LiveState, LiveStream, LiveTiming
from rtcc_desk.adapters.live.workers import PlayerPool, default_pool

__all__ = ["Backoff", "LiveEvent", "LiveFrame", "LiveState", "LiveStream", "LiveTiming",
           "OpenPlan", "PlayerPool", "RtspRoute", "default_pool", "plan_open"]
