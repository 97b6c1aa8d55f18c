"""RTSP camera → MPEG-TS in a pipe, by an ffmpeg child that copies the video without re-encoding.

Debian's libvlc is built without live555 and cannot open ``rtsp://``; ffmpeg can. The child
reads the camera (RTP over TCP first, UDP when the camera refuses TCP — ffmpeg's own
``prefer_tcp`` fallback on "461 Unsupported transport"), copies the H.264 packets into
MPEG-TS and writes them to a pipe whose read end a player opens as ``fd://N``. No port, no
re-encoding (a 360p sub stream costs well under 1 % of a core), and the child dies with us.
If the child ends (camera gone, stalled for ``stall_timeout_s``), the player sees the end of
the pipe: that is how the caller learns the camera was lost.
"""

from __future__ import annotations

import collections
import os
import subprocess
import threading

from rtcc_media.children import require_tool, start_child, stop_child
from rtcc_media.urls import redact_text, redact_url
from rtcc_media.errors import MediaError


class RemuxError(MediaError):
    """The remux child could not be started."""


class RtspRemux:
    """One ffmpeg child for one camera URL; ``start()`` gives the ``fd://N`` to open."""

    def __init__(self, url: str, *, stall_timeout_s: float = 5.0,
                 extra_input_args: tuple[str, ...] = ()) -> None:
        if not url.lower().startswith(("rtsp://", "rtsps://")):
            raise RemuxError(f"not an RTSP URL: {redact_url(url)}")
        self._url = url
        self.safe_url = redact_url(url)  # what logs and the UI may show
        self.stall_timeout_s = stall_timeout_s
        self._extra = tuple(extra_input_args)
        self._process: subprocess.Popen | None = None
        self._read_fd: int | None = None
        self._log: collections.deque[str] = collections.deque(maxlen=20)
        self._reader: threading.Thread | None = None

    def argv(self, ffmpeg: str = "ffmpeg") -> list[str]:
        timeout_us = str(int(self.stall_timeout_s * 1_000_000))
        return [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                "-rtsp_transport", "tcp+udp", "-rtsp_flags", "prefer_tcp",
                # 1 s of probing instead of 5: the first picture ~2 s sooner, and the SDP
                # already names the codec.
                "-timeout", timeout_us, "-analyzeduration", "1000000", *self._extra,
                "-i", self._url,
                "-map", "0:v:0", "-c", "copy", "-f", "mpegts", "-flush_packets", "1", "pipe:1"]

    def start(self) -> str:
        """Start the child; returns the MRL (``fd://N``) for libvlc. Restarts if running."""
        self.stop()
        ffmpeg = require_tool("ffmpeg")
        read_fd, write_fd = os.pipe()
        try:
            self._process = start_child(self.argv(ffmpeg), stdout=write_fd,
                                        stderr=subprocess.PIPE)
        except OSError as exc:
            os.close(read_fd)
            raise RemuxError(f"could not start ffmpeg for {self.safe_url}: {exc}") from exc
        finally:
            os.close(write_fd)  # only the child writes: its exit is the reader's end of file
        self._read_fd = read_fd
        self._log.clear()
        self._reader = threading.Thread(target=self._read_log, args=(self._process,),
                                        name="rtcc-remux-log", daemon=True)
        self._reader.start()
        return f"fd://{read_fd}"

    def _read_log(self, process: subprocess.Popen) -> None:
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").strip()
            # ffmpeg logs the camera's refusal of TCP, then carries on over UDP: not an error.
            if line and "461 Unsupported transport" not in line:
                self._log.append(redact_text(line, self._url))
        process.stderr.close()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def exit_code(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def last_error(self) -> str:
        """ffmpeg's last error lines, credentials removed (for the tile and the log)."""
        return " | ".join(list(self._log)[-3:])

    def stop(self) -> None:
        """End the child and close our end of the pipe. Stop the player reading ``fd://N``
        first: libvlc must not be left reading a closed descriptor number."""
        stop_child(self._process)
        if self._reader is not None:
            self._reader.join(timeout=2)
            self._reader = None
        self._process = None
        if self._read_fd is not None:
            os.close(self._read_fd)
            self._read_fd = None

    def __repr__(self) -> str:
        return f"RtspRemux({self.safe_url!r}, running={self.running})"


def libvlc_plays_rtsp(plugin_dirs: list[str] | None = None) -> bool:
    """Whether the local libvlc has its live555 RTSP module (Windows/macOS builds do; Debian's
    does not). Looked up at run time among libvlc's plugin files, not guessed from the OS."""
    for folder in plugin_dirs if plugin_dirs is not None else vlc_plugin_dirs():
        for _root, _dirs, files in os.walk(folder):
            if any(name.startswith(("liblive555_plugin", "live555")) for name in files):
                return True
    return False


def vlc_plugin_dirs() -> list[str]:
    """Where libvlc looks for its plugins on this machine (existing folders only)."""
    candidates = [os.environ.get("VLC_PLUGIN_PATH", "")]
    try:
        import vlc  # noqa: PLC0415

        library = getattr(getattr(vlc, "dll", None), "_name", None) or ""
        if getattr(vlc, "plugin_path", None):
            candidates.append(vlc.plugin_path)
    except (ImportError, OSError):
        library = ""
    if library:
        base = os.path.dirname(os.path.realpath(library))
        candidates += [os.path.join(base, "vlc", "plugins"), os.path.join(base, "plugins")]
    candidates += ["/usr/lib/x86_64-linux-gnu/vlc/plugins",
                   "/usr/lib/aarch64-linux-gnu/vlc/plugins",
                   "/usr/lib/vlc/plugins", "/usr/lib64/vlc/plugins",
                   "/Applications/VLC.app/Contents/MacOS/plugins"]
    seen: list[str] = []
    for folder in candidates:
        if folder and os.path.isdir(folder) and folder not in seen:
            seen.append(folder)
    return seen
