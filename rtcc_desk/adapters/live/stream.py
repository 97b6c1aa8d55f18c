"""One live camera on one tile: connect, show, notice a drop, reconnect with backoff, mask.

States::

    stopped ──start()──► connecting ──first frame──► live
                              │                      │ no frame for lost_after_s,
                              ▼                      ▼ stream ended, error
                         reconnecting ◄──────────── lost
                    (waits 1, 2, 4 … 30 s, then tries; first frame ► live)

Threads: the owner (the GUI thread in the desk) calls ``poll()`` a few times a second; that
drains the player's queued events, runs the watchdog and the backoff clock, and returns plain
``LiveEvent``\\ s. Making, opening, stopping and releasing the player (and its ffmpeg remux
child) happen on the stream's lane of the worker pool; ``poll()`` picks up their outcome
later. The player is touched by one side at a time: by the lane while a job is pending,
otherwise by the owner. No libvlc call is ever made from a libvlc callback.

Frames: ``latest_frame()`` copies the newest picture out of the player's private buffer and
blacks out the privacy mask *before* returning it — the unmasked picture never leaves here.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from rtcc_desk.adapters.live.backoff import Backoff
from rtcc_desk.adapters.live.routes import RtspRoute, is_rtsp, plan_open
from rtcc_desk.adapters.live.workers import PlayerPool, default_pool
from rtcc_desk.adapters.player import PlayerError, PlayerState, VlcPlayer
from rtcc_desk.core.privacy_mask import PrivacyMask
from rtcc_desk.core.wall.stream_urls import Stream, redact_url, stream_url
from rtcc_media.errors import MediaError
from rtcc_media.remux import RtspRemux


class LiveState(enum.StrEnum):
    STOPPED = "stopped"
    CONNECTING = "connecting"
    LIVE = "live"
    LOST = "lost"
    RECONNECTING = "reconnecting"


@dataclass(frozen=True)
class LiveEvent:
    """Something the tile should show: a new state with a message in the analysts' words.

    ``kind`` is "state" (``state`` changed; ``message`` says why) or "error" (an attempt
    failed while already reconnecting; the state is unchanged)."""

    kind: str
    state: LiveState
    message: str
    at: float


@dataclass(frozen=True)
class LiveFrame:
    """A masked picture: ``image`` is (height, width, 4) BGRA, read-only.

    ``picture_size`` is the size to show it at: libvlc may hand over a few rows more than the
    picture has (360 coded as 368), stretched to fill them, so draw ``image`` scaled into a
    ``picture_size`` box. Masks are in frame fractions and line up either way."""

    image: np.ndarray
    serial: int
    picture_size: tuple[int, int]
    stream: Stream

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class LiveTiming:
    """How patient a live stream is (seconds). The tests make these short."""

    lost_after_s: float = 5.0       # live, but no new picture for this long → lost
    connect_timeout_s: float = 10.0  # no first picture this long after an attempt → failed
    backoff_first_s: float = 1.0
    backoff_max_s: float = 30.0
    backoff_jitter: float = 0.1
    remux_stall_s: float = 5.0      # ffmpeg gives up on a silent camera after this long


def _seconds(delay: float) -> str:
    return f"{delay:.0f} s" if delay >= 2 else f"{delay:.1f} s"


#: libvlc 3's prefetch filter on a live (non-seekable) input fills a 16 MiB ring per player at
#: the stream's bit rate: 16 tiles grew the desk by ~256 MiB in ten minutes. A 512 KiB ring kept
#: memory flat over 10 minutes with first pictures no slower (docs/benchmarks.md "Video wall").
LIVE_PLAYER_ARGS = ("--prefetch-buffer-size=512", "--prefetch-read-size=131072")


def _default_player() -> VlcPlayer:
    return VlcPlayer(LIVE_PLAYER_ARGS)


class LiveStream:
    """A camera's live picture for one tile. Not thread-safe: use it from one thread."""

    def __init__(self, camera_label: str, *, main_url: str = "", sub_url: str = "",
                 mask: PrivacyMask | None = None, pool: PlayerPool | None = None,
                 timing: LiveTiming = LiveTiming(), clock: Callable[[], float] = time.monotonic,
                 rtsp_route: RtspRoute = RtspRoute.AUTO,
                 player_factory: Callable[[], VlcPlayer] = _default_player,
                 backoff: Backoff | None = None) -> None:
        if not (main_url or sub_url):
            raise ValueError(f"{camera_label}: no stream address to play")
        self.camera_label = camera_label
        self._urls = {Stream.MAIN: main_url, Stream.SUB: sub_url}
        self._mask = mask or PrivacyMask()
        self._lane = (pool or default_pool()).lane()
        self._timing = timing
        self._clock = clock
        self._route = rtsp_route
        self._player_factory = player_factory
        self._backoff = backoff or Backoff(first_s=timing.backoff_first_s,
                                           max_s=timing.backoff_max_s, jitter=timing.backoff_jitter)
        self._stream = Stream.SUB
        self._state = LiveState.STOPPED
        self._events: list[LiveEvent] = []
        # Owned by the lane's jobs while one is pending, by the owner otherwise.
        self._player: VlcPlayer | None = None
        self._remux: RtspRemux | None = None
        self._busy: Future | None = None
        self._busy_is_connect = False
        self._connected = False      # the last connect job succeeded: events may be read
        self._attempt_at = 0.0
        self._last_picture_at = 0.0
        self._next_try_at: float | None = None
        self._rtsp_tcp = True
        self._seen_player_serial = 0  # the player's frame counter (restarts with each open)
        self._serial = 0             # ours: rises with every new picture, across reconnects
        self._picture_size: tuple[int, int] | None = None
        self._frame: LiveFrame | None = None
        self._frame_for = -1         # which serial ``_frame`` was made from
        self._closed = False
        self.message = f"{camera_label}: stopped"  # the latest event's text, for the tile

    # -- what the tile reads ----------------------------------------------------------------

    @property
    def state(self) -> LiveState:
        return self._state

    @property
    def stream(self) -> Stream:
        return self._stream

    @property
    def serial(self) -> int:
        """Rises whenever a new picture is available: repaint when it changed."""
        return self._serial

    @property
    def busy(self) -> bool:
        """A worker is still opening or stopping the player."""
        return self._busy is not None and not self._busy.done()

    @property
    def retry_at(self) -> float | None:
        """When (on the stream's clock) the next reconnection attempt starts, if one waits."""
        return self._next_try_at

    @property
    def shown_url(self) -> str:
        """The address now played, without its password (safe for tooltips and logs)."""
        return redact_url(self._url())

    def latest_frame(self) -> LiveFrame | None:
        """The newest picture, privacy mask applied; ``None`` before the first one."""
        fresh = self._serial != self._frame_for
        if fresh and self._may_touch_player() and self._player is not None:
            frame = self._player.current_frame()
            if frame is not None:
                image = np.frombuffer(frame.pixels, dtype=np.uint8).reshape(
                    frame.height, frame.width, 4).copy()
                self._mask.apply(image, frame.width, frame.height)
                image.setflags(write=False)
                size = self._picture_size or (frame.width, frame.height)
                self._frame = LiveFrame(image, self._serial, size, self._stream)
                self._frame_for = self._serial
        return self._frame

    def set_mask(self, mask: PrivacyMask | None) -> None:
        """New masks apply from the next frame handed out (the cached one is redone)."""
        self._mask = mask or PrivacyMask()
        self._frame_for = -1
        if self._frame is not None:
            image = self._frame.image.copy()
            self._mask.apply(image, self._frame.width, self._frame.height)
            image.setflags(write=False)
            self._frame = LiveFrame(image, self._frame.serial, self._frame.picture_size,
                                    self._frame.stream)

    # -- what the tile asks for -------------------------------------------------------------

    def start(self, stream: Stream | None = None) -> None:
        """Start decoding (the tile became visible). Returns at once; watch ``poll()``."""
        self._check_open()
        if self._state is not LiveState.STOPPED:
            if stream is not None:
                self.switch_to(stream)
            return
        if stream is not None:
            self._stream = stream
        self._backoff.reset()
        self._set_state(LiveState.CONNECTING, f"connecting to the {self._stream} stream")
        self._connect()

    def stop(self) -> None:
        """Stop decoding (hidden page, minimised window); the player is kept for a quick start."""
        if self._state is LiveState.STOPPED or self._closed:
            return
        self._set_state(LiveState.STOPPED, "stopped")
        self._next_try_at = None
        self._submit(self._disconnect_job, connect=False)

    def switch_to(self, stream: Stream) -> None:
        """Play the main stream (maximised tile) or the sub stream (back in the grid). The
        last picture stays up until the new stream's first frame arrives."""
        self._check_open()
        if stream is self._stream:
            return
        before = self._url()
        self._stream = stream
        if self._state is LiveState.STOPPED:
            return
        if self._url() == before:  # a camera with only one encoding plays it for both
            return
        self._backoff.reset()
        self._set_state(LiveState.CONNECTING, f"switching to the {stream} stream")
        self._connect()

    def close(self) -> Future:
        """Stop and release the player and any remux child (on the lane); the Future is done
        when they are gone. The stream cannot be started again."""
        if self._state is not LiveState.STOPPED:
            self._set_state(LiveState.STOPPED, "closed")
        self._closed = True
        self._next_try_at = None
        return self._submit(self._release_job, connect=False)

    # -- the owner's clock ------------------------------------------------------------------

    def poll(self) -> list[LiveEvent]:
        """Advance the stream (call it a few times a second); returns what happened since."""
        now = self._clock()
        if self._busy is not None and self._busy.done():
            self._finish_job(self._busy, now)
        if self._state is LiveState.STOPPED or not self._may_touch_player():
            return self._take_events()
        if self._next_try_at is not None:  # reconnecting, waiting out the backoff
            if now >= self._next_try_at:
                self._next_try_at = None
                self._connect()
            return self._take_events()
        if self._connected and self._player is not None:
            self._read_player(now)
        return self._take_events()

    # -- internals: owner's side ------------------------------------------------------------

    def _url(self) -> str:
        return stream_url(self._urls[Stream.MAIN], self._urls[Stream.SUB], self._stream)

    def _check_open(self) -> None:
        if self._closed:
            raise PlayerError(f"{self.camera_label}: this live stream was closed")

    def _may_touch_player(self) -> bool:
        return self._busy is None

    def _set_state(self, state: LiveState, message: str) -> None:
        self._state = state
        self._say(LiveEvent("state", state, f"{self.camera_label}: {message}", self._clock()))

    def _say(self, event: LiveEvent) -> None:
        self.message = event.message
        self._events.append(event)

    def _take_events(self) -> list[LiveEvent]:
        out, self._events = self._events, []
        return out

    def _submit(self, job, *args, connect: bool) -> Future:
        self._connected = False
        self._busy_is_connect = connect
        self._busy = self._lane.submit(job, *args)
        return self._busy

    def _connect(self) -> None:
        plan = plan_open(self._url(), self._route, rtsp_over_tcp=self._rtsp_tcp)
        self._attempt_at = self._clock()
        self._submit(self._connect_job, plan, connect=True)

    def _finish_job(self, job: Future, now: float) -> None:
        self._busy = None
        error = job.exception()
        if not self._busy_is_connect:
            return
        if error is not None:
            detail = error if isinstance(error, (MediaError, PlayerError)) else repr(error)
            self._failed(f"could not open {self.shown_url}: {detail}", now)
            return
        self._connected = True
        self._seen_player_serial = 0
        self._picture_size = None
        self._attempt_at = now

    def _read_player(self, now: float) -> None:
        player = self._player
        ended = None
        newest = self._seen_player_serial
        for kind, value in player.take_events():
            if kind == "frame":
                newest = max(newest, int(value))
            elif kind == "size":
                self._picture_size = None  # asked again below, on this thread
            elif kind == "state" and value in (PlayerState.ENDED, PlayerState.ERROR):
                ended = value
        if newest > self._seen_player_serial:
            self._seen_player_serial = newest
            self._serial += 1
            self._last_picture_at = now
            if self._picture_size is None:
                self._picture_size = player.video_size()
            if self._state is not LiveState.LIVE:
                self._backoff.reset()
                self._set_state(LiveState.LIVE, f"live ({self._stream} stream)")
        if ended is not None:
            why = ("the stream ended" if ended is PlayerState.ENDED
                   else "the player reported an error")
            self._failed(f"{why}{self._remux_detail()}", now)
        elif self._state is LiveState.LIVE:
            if now - self._last_picture_at > self._timing.lost_after_s:
                self._failed(f"no picture for {self._timing.lost_after_s:g} s", now)
        elif now - self._attempt_at > self._timing.connect_timeout_s:
            self._failed(f"no picture within {self._timing.connect_timeout_s:g} s"
                         f"{self._remux_detail()}", now)

    def _remux_detail(self) -> str:
        remux = self._remux  # read-only peek at its log; the child itself is the lane's
        detail = remux.last_error() if remux is not None else ""
        return f" (ffmpeg: {detail})" if detail else ""

    def _failed(self, why: str, now: float) -> None:
        if is_rtsp(self._url()) and self._state is not LiveState.LIVE and not self._remux:
            self._rtsp_tcp = not self._rtsp_tcp  # libvlc's own RTSP: try the other transport
        delay = self._backoff.next_delay()
        if self._state in (LiveState.LIVE, LiveState.CONNECTING):
            self._set_state(LiveState.LOST, why)
            self._set_state(LiveState.RECONNECTING, f"reconnecting in {_seconds(delay)}")
        else:
            self._say(LiveEvent(
                "error", self._state, f"{self.camera_label}: {why}; next try in {_seconds(delay)}",
                self._clock()))
        self._next_try_at = now + delay
        self._submit(self._disconnect_job, connect=False)

    # -- internals: the lane's jobs (worker threads) ----------------------------------------

    def _connect_job(self, plan) -> None:
        if self._player is None:
            self._player = self._player_factory()
        self._teardown()
        mrl = plan.url
        if plan.remux:
            self._remux = RtspRemux(plan.url, stall_timeout_s=self._timing.remux_stall_s)
            mrl = self._remux.start()
        self._player.take_events()  # what earlier attempts left behind is not about this one
        self._player.open(mrl, plan.options)
        self._player.play()

    def _disconnect_job(self) -> None:
        self._teardown()

    def _release_job(self) -> None:
        self._teardown()
        if self._player is not None:
            self._player.close()
            self._player = None

    def _teardown(self) -> None:
        # The player first: it must stop reading the pipe before the remux closes it.
        if self._player is not None:
            self._player.stop()
        if self._remux is not None:
            self._remux.stop()
            self._remux = None
