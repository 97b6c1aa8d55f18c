"""The video player behind a small Protocol: libvlc decoding into a memory buffer, no window.

The review pane (and tests) talk to ``Player``; ``VlcPlayer`` is the real one. libvlc decodes
on its own threads and hands each frame to ``_display`` through video callbacks (RV32 into a
buffer), so it works offscreen. libvlc's event callbacks only put plain tuples on a queue;
the caller drains them with ``take_events()`` on its own thread (the GUI thread in the desk),
because no libvlc call may be made from inside a libvlc event callback.
"""

from __future__ import annotations

import ctypes
import enum
import queue
import threading
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class PlayerError(Exception):
    """Anything the player adapter reports."""


class PlayerUnavailable(PlayerError):
    """libvlc (or python-vlc) cannot be loaded on this workstation."""


class PlayerState(enum.Enum):
    IDLE = "idle"
    OPENING = "opening"
    PLAYING = "playing"
    PAUSED = "paused"
    ENDED = "ended"
    ERROR = "error"


@dataclass(frozen=True)
class Frame:
    """One decoded picture: ``pixels`` are BGRA rows (libvlc's RV32), ``width * 4`` bytes each."""

    width: int
    height: int
    pixels: bytes
    serial: int  # counts frames shown since open(); a new picture has a higher serial
    position_ms: int


@runtime_checkable
class Player(Protocol):
    """What the review pane needs from a player; a fake implements the same methods."""

    def open(self, path_or_url: str) -> None: ...
    def play(self) -> None: ...
    def pause(self) -> None: ...
    def seek(self, ms: int) -> None: ...
    def step_frame(self) -> None: ...
    def set_rate(self, rate: float) -> None: ...
    def rate(self) -> float: ...
    def duration_ms(self) -> int: ...
    def position_ms(self) -> int: ...
    def state(self) -> PlayerState: ...
    def current_frame(self) -> Frame | None: ...
    def take_events(self) -> list[tuple[str, object]]: ...
    def close(self) -> None: ...


MIN_RATE, MAX_RATE = 0.25, 4.0


def load_vlc():
    """Import python-vlc and make sure libvlc itself loads; raise ``PlayerUnavailable`` if not."""
    try:
        import vlc  # noqa: PLC0415  (imported lazily: the desk runs without a player)
    except (ImportError, OSError) as exc:
        raise PlayerUnavailable(
            f"python-vlc or libvlc cannot be loaded ({exc}). On Debian install "
            "libvlc5 vlc-plugin-base (apt-get install libvlc5 vlc-plugin-base libvlc-dev).") from exc
    if getattr(vlc, "dll", None) is None:
        raise PlayerUnavailable("libvlc was not found; install libvlc5 and vlc-plugin-base")
    return vlc


_STATE_NAMES = {
    "Opening": PlayerState.OPENING, "Buffering": PlayerState.OPENING,
    "Playing": PlayerState.PLAYING, "Paused": PlayerState.PAUSED,
    "Stopped": PlayerState.IDLE, "Ended": PlayerState.ENDED, "Error": PlayerState.ERROR,
    "NothingSpecial": PlayerState.IDLE,
}


# python-vlc declares the format callback's chroma as ``c_char_p`` (a read-only copy); libvlc
# expects us to write the four-character code into it, so declare it as a raw pointer.
_UINT_P = ctypes.POINTER(ctypes.c_uint)
_FORMAT_CB = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p,
                              _UINT_P, _UINT_P, _UINT_P, _UINT_P)


def _set_format_callbacks(vlc):
    cleanup = vlc.CallbackDecorators.VideoCleanupCb
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, _FORMAT_CB, cleanup)
    return proto(("libvlc_video_set_format_callbacks", vlc.dll))


class VlcPlayer:
    """libvlc player decoding into a BGRA buffer (works headless)."""

    def __init__(self, extra_args: tuple[str, ...] = ()) -> None:
        vlc = load_vlc()
        self._vlc = vlc
        args = ["--quiet", "--no-audio", "--no-xlib", "--no-video-title-show", *extra_args]
        self._instance = vlc.Instance(args)
        if self._instance is None:
            raise PlayerUnavailable("libvlc refused to start (vlc.Instance returned None)")
        self._mp = self._instance.media_player_new()
        self._lock = threading.Lock()
        self._events: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        self._buffer: ctypes.Array | None = None
        self._width = self._height = 0
        self._serial = 0
        self._frame_time = 0
        self._rate = 1.0
        self._media_size: tuple[int, int] | None = None
        # ctypes callbacks must stay referenced for as long as libvlc may call them.
        cb = vlc.CallbackDecorators
        self._cb_format = _FORMAT_CB(self._format)
        self._cb_cleanup = cb.VideoCleanupCb(self._cleanup)
        self._cb_lock = cb.VideoLockCb(self._lock_cb)
        self._cb_unlock = cb.VideoUnlockCb(self._unlock_cb)
        self._cb_display = cb.VideoDisplayCb(self._display)
        _set_format_callbacks(vlc)(self._mp, self._cb_format, self._cb_cleanup)
        self._mp.video_set_callbacks(self._cb_lock, self._cb_unlock, self._cb_display, None)
        events = self._mp.event_manager()
        E = vlc.EventType
        for kind, name in ((E.MediaPlayerPlaying, "Playing"), (E.MediaPlayerPaused, "Paused"),
                           (E.MediaPlayerStopped, "Stopped"), (E.MediaPlayerEndReached, "Ended"),
                           (E.MediaPlayerEncounteredError, "Error"),
                           (E.MediaPlayerOpening, "Opening")):
            events.event_attach(kind, self._on_event, name)
        events.event_attach(E.MediaPlayerLengthChanged, self._on_length)

    # -- libvlc threads: no libvlc calls in here, only the buffer and the queue ------------

    def _format(self, opaque, chroma, width, height, pitches, lines):
        # libvlc 3 can call this again with a padded height (240 -> 258 seen here) for the
        # same stream; keep the first size of this media so the picture is not stretched.
        if self._media_size is None:
            self._media_size = (width[0], height[0])
        w, h = self._media_size
        width[0], height[0] = w, h
        ctypes.memmove(chroma, b"RV32", 4)
        pitches[0], lines[0] = w * 4, h
        with self._lock:
            self._width, self._height = w, h
            self._buffer = (ctypes.c_ubyte * (w * h * 4))()
        self._events.put(("size", (w, h)))
        return 1  # one picture buffer

    def _cleanup(self, opaque):
        return None

    def _lock_cb(self, opaque, planes):
        self._lock.acquire()
        planes[0] = ctypes.cast(self._buffer, ctypes.c_void_p)
        return None

    def _unlock_cb(self, opaque, picture, planes):
        self._lock.release()

    def _display(self, opaque, picture):
        with self._lock:
            self._serial += 1
        self._events.put(("frame", self._serial))

    def _on_event(self, event, name):
        self._events.put(("state", _STATE_NAMES[name]))

    def _on_length(self, event):
        self._events.put(("duration", int(event.u.new_length)))

    # -- caller's thread ---------------------------------------------------------------------

    def open(self, path_or_url: str, options: tuple[str, ...] = ()) -> None:
        """Load a file path or an http(s)/file/fd URL; ``options`` are libvlc media options
        such as ``":network-caching=300"`` (the live wall uses them; the review pane does not)."""
        self._mp.stop()
        media = self._instance.media_new(path_or_url, *options)
        if media is None:
            raise PlayerError(f"libvlc cannot open {path_or_url!r}")
        with self._lock:
            self._serial = 0
            self._media_size = None
        self._mp.set_media(media)
        media.release()
        self._rate = 1.0

    def play(self) -> None:
        if self._mp.get_state() == self._vlc.State.Ended:
            self._mp.stop()  # libvlc cannot resume from Ended: restart from the top
        if self._mp.play() == -1:
            raise PlayerError("libvlc could not start playback")
        self._mp.set_rate(self._rate)

    def pause(self) -> None:
        self._mp.set_pause(1)

    def stop(self) -> None:
        """Stop decoding (the media stays loaded; ``play()`` starts it again). Blocks until
        libvlc's input thread has ended: call it off the GUI thread for network streams."""
        self._mp.stop()

    def video_size(self) -> tuple[int, int] | None:
        """The picture's real size. The frame buffer can be taller: libvlc 3 hands the video
        callbacks the coded size (360 rows coded as 368) and stretches the picture to fill it."""
        try:
            width, height = self._mp.video_get_size(0)
        except Exception:  # noqa: BLE001  (python-vlc raises a bare Exception without video)
            return None
        return (int(width), int(height)) if width and height else None

    def seek(self, ms: int) -> None:
        self._mp.set_time(max(0, int(ms)))

    def step_frame(self) -> None:
        """Advance one frame and stay paused."""
        if self._mp.get_state() != self._vlc.State.Paused:
            self.pause()
        self._mp.next_frame()

    def set_rate(self, rate: float) -> None:
        self._rate = min(MAX_RATE, max(MIN_RATE, float(rate)))
        self._mp.set_rate(self._rate)

    def rate(self) -> float:
        return float(self._mp.get_rate() or self._rate)

    def duration_ms(self) -> int:
        length = self._mp.get_length()
        if length <= 0:
            media = self._mp.get_media()
            length = media.get_duration() if media is not None else -1
        return max(0, int(length))

    def position_ms(self) -> int:
        return max(0, int(self._mp.get_time()))

    def state(self) -> PlayerState:
        return _STATE_NAMES.get(str(self._mp.get_state()).split(".")[-1], PlayerState.IDLE)

    def current_frame(self) -> Frame | None:
        """A copy of the picture now in the buffer (``None`` before the first frame)."""
        with self._lock:
            if self._buffer is None or self._serial == 0:
                return None
            pixels = bytes(self._buffer)
            w, h, serial = self._width, self._height, self._serial
        return Frame(w, h, pixels, serial, self.position_ms())

    def take_events(self) -> list[tuple[str, object]]:
        """Events from libvlc since the last call: ("state", PlayerState), ("frame", serial),
        ("duration", ms), ("size", (w, h)). Call from your own thread, not a libvlc one."""
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        self._mp.stop()
        self._mp.release()
        self._instance.release()
