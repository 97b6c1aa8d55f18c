"""The camera playing on one wall tile: its live stream, its state in words, how long it was watched.

Plain Python on the GUI thread (no widget): the tile paints what this holds, the window polls
it from a timer. ``LiveStream`` does the slow work on its worker lane; nothing here blocks.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rtcc_desk.adapters.live import LiveFrame, LiveState, LiveStream, LiveTiming, PlayerPool
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.core.privacy_mask import PrivacyMask
from rtcc_desk.core.wall import Stream

# LiveStream says when it knocks again only in words: "reconnecting in 4 s", "next try in 2.0 s".
_RETRY = re.compile(r"(?:reconnecting in|next try in) ([0-9.]+) s")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ViewSpan:
    """One stretch of watching a camera on a tile, for the audit trail (video.view)."""

    camera_id: str
    started_at: datetime  # UTC
    seconds: float
    saw_picture: bool  # False: the tile never got a picture (camera down the whole time)


class LiveStreamOpener:
    """Makes the live stream for a camera: its sub and main addresses, its privacy mask."""

    def __init__(self, pool: PlayerPool | None = None, timing: LiveTiming | None = None) -> None:
        self.pool = pool
        self.timing = timing or LiveTiming()

    def __call__(self, camera: PoleCamera) -> LiveStream:
        return LiveStream(camera.camera_id, main_url=camera.main_stream_url,
                          sub_url=camera.sub_stream_url, mask=PrivacyMask(camera.privacy_masks),
                          pool=self.pool, timing=self.timing)


StreamOpener = Callable[[PoleCamera], LiveStream]


class TileFeed:
    """A camera's live stream as one tile shows it. Start, stop and close it from one thread."""

    def __init__(self, camera: PoleCamera, stream: LiveStream, *,
                 now: Callable[[], datetime] = utc_now,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.camera = camera
        self.stream = stream
        self._now, self._clock = now, clock
        self._frame_serial = -1
        self._retry_at: float | None = None
        self.message = ""  # the stream's last word on what happened, for the tooltip
        self.history: list[LiveState] = []  # states passed through (tests and the tooltip)
        self._view: tuple[datetime, float] | None = None
        self._saw_picture = False

    # -- what the tile shows ------------------------------------------------------------------

    @property
    def camera_id(self) -> str:
        return self.camera.camera_id

    @property
    def state(self) -> LiveState:
        return self.stream.state

    @property
    def stream_kind(self) -> Stream:
        return self.stream.stream

    @property
    def frame(self) -> LiveFrame | None:
        """The newest masked picture (the unmasked one never leaves the stream)."""
        return self.stream.latest_frame()

    def state_text(self) -> str:
        """"live", "connecting", "lost · reconnecting in 3 s", … as the tile's badge says it."""
        state = self.stream.state
        if state is LiveState.RECONNECTING:
            if self._retry_at is None:
                return "lost · reconnecting…"
            left = max(0.0, self._retry_at - self._clock())
            return f"lost · reconnecting in {left:.0f} s" if left >= 0.5 else "lost · reconnecting…"
        return str(state)

    # -- what the window asks ------------------------------------------------------------------

    def matches(self, camera: PoleCamera) -> bool:
        """Still the same stream for ``camera`` (a new address needs a new stream)."""
        return (camera.camera_id == self.camera.camera_id
                and camera.main_stream_url == self.camera.main_stream_url
                and camera.sub_stream_url == self.camera.sub_stream_url)

    def update_camera(self, camera: PoleCamera) -> None:
        """Same camera, new record: a changed mask applies from the next picture."""
        if camera.privacy_masks != self.camera.privacy_masks:
            self.stream.set_mask(PrivacyMask(camera.privacy_masks))
        self.camera = camera

    def play(self, kind: Stream) -> None:
        """Decode ``kind`` (sub on the grid, main when maximised); starts the view's clock."""
        if self.stream.state is LiveState.STOPPED:
            self.stream.start(kind)
        else:
            self.stream.switch_to(kind)
        if self._view is None:
            self._view = (self._now(), self._clock())
            self._saw_picture = False

    def stop(self) -> ViewSpan | None:
        """Stop decoding (tile hidden); the viewing that just ended, if any."""
        self.stream.stop()
        return self._end_view()

    def close(self) -> ViewSpan | None:
        """Release the stream for good (on its lane, off this thread)."""
        span = self._end_view()
        self.stream.close()
        return span

    def poll(self) -> bool:
        """Advance the stream; True when the tile should repaint (new picture or new state)."""
        changed = False
        for event in self.stream.poll():
            changed = True
            self.message = event.message
            if event.kind == "state":
                self.history.append(event.state)
            match = _RETRY.search(event.message)
            self._retry_at = event.at + float(match.group(1)) if match else None
        if self.stream.state is LiveState.LIVE:
            self._saw_picture = True
        if self.stream.serial != self._frame_serial:
            self._frame_serial = self.stream.serial
            changed = True
        return changed

    def _end_view(self) -> ViewSpan | None:
        if self._view is None:
            return None
        started_at, started = self._view
        self._view = None
        return ViewSpan(self.camera.camera_id, started_at, max(0.0, self._clock() - started),
                        self._saw_picture)
