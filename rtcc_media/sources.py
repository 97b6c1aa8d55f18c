"""Live local video sources for tests and the demo: a clip looped forever over RTSP or HTTP.

How: an ffmpeg child plays the clip in real time (``-re -stream_loop -1 -c copy``, so the
timestamps keep rising across loops) as MPEG-TS into a pipe; libvlc's VLM, inside this
process, reads the pipe and serves it — ``#rtp{sdp=rtsp://...}`` for RTSP (UDP transport only:
VLM refuses RTP over TCP) or ``#standard{access=http,mux=ts}`` for HTTP. VLM's own ``loop``
re-creates the output on every loop, dropping every client, hence the ffmpeg feeder.

All sources of a process share one RTSP port and one HTTP port on 127.0.0.1, told apart by
path (``rtsp://127.0.0.1:PORT/<name>``). ``stop()`` takes a source off the air (clients see
the camera vanish); ``start()`` brings it back on the same URL.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

from rtcc_media.children import require_tool, start_child, stop_child
from rtcc_media.errors import MediaError, MediaToolMissing


class SourceError(MediaError):
    """A local test source could not be started."""


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load_vlc():
    try:
        import vlc  # noqa: PLC0415  (only the sources need libvlc)
    except (ImportError, OSError) as exc:
        raise MediaToolMissing(f"python-vlc or libvlc cannot be loaded ({exc}); on Debian: "
                               "apt-get install libvlc5 vlc-plugin-base") from exc
    if getattr(vlc, "dll", None) is None:
        raise MediaToolMissing("libvlc was not found; install libvlc5 and vlc-plugin-base")
    return vlc


class _Vlm:
    """The process's one libvlc instance used as a streaming server, and its two ports."""

    _lock = threading.Lock()
    _shared: _Vlm | None = None

    def __init__(self) -> None:
        vlc = _load_vlc()
        # A short mux cache: VLC holds 1.5 s of TS by default before the first HTTP byte.
        self.instance = vlc.Instance(["--quiet", "--no-audio", "--no-xlib", "--no-video-title-show",
                                      "--sout-mux-caching=200"])
        if self.instance is None:
            raise SourceError("libvlc refused to start a streaming instance")
        self.rtsp_port = free_tcp_port()
        self.http_port = free_tcp_port()
        self.names: set[str] = set()
        self.lock = threading.RLock()

    @classmethod
    def shared(cls) -> _Vlm:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared


class LocalSource:
    """One clip looping forever at ``url`` until stopped; restartable on the same URL.

    Use as a context manager (``with serve_rtsp(clip, "cam1") as cam: ... cam.url``) or call
    ``stop()``/``start()``/``close()`` yourself.
    """

    def __init__(self, clip: str | os.PathLike, name: str, kind: str) -> None:
        if not _NAME.match(name):
            raise SourceError(f"source name {name!r} must be letters, digits, '.', '_' or '-' "
                              "(it becomes the URL path)")
        self.clip = Path(clip)
        if not self.clip.is_file():
            raise SourceError(f"clip not found: {self.clip}")
        self.name, self.kind = name, kind
        self._ffmpeg = require_tool("ffmpeg")
        self._vlm = _Vlm.shared()
        self._media = f"{kind}-{name}"
        with self._vlm.lock:
            if self._media in self._vlm.names:
                raise SourceError(f"a {kind} source named {name!r} is already being served")
            self._vlm.names.add(self._media)
        if kind == "rtsp":
            self.url = f"rtsp://127.0.0.1:{self._vlm.rtsp_port}/{name}"
            self._output = f"#rtp{{sdp={self.url}}}"
        else:
            self.url = f"http://127.0.0.1:{self._vlm.http_port}/{name}"
            self._output = (f"#standard{{access=http,mux=ts,"
                            f"dst=127.0.0.1:{self._vlm.http_port}/{name}}}")
        # RTSP from VLM is RTP over UDP only; clients (ffmpeg) need -rtsp_transport udp.
        self.transport = "udp" if kind == "rtsp" else "tcp"
        self._feeder: subprocess.Popen | None = None
        self._read_fd: int | None = None
        self._added = False
        self._closed = False

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._feeder is not None and self._feeder.poll() is None

    def start(self, timeout_s: float = 15.0, *, wait: bool = True) -> LocalSource:
        """Put the source on the air (again) and wait until its URL answers. ``wait=False``
        returns at once (start many, then ``wait_until_on_air()`` each: ~1 s each otherwise)."""
        if self._closed:
            raise SourceError(f"source {self.name!r} was closed; make a new one")
        self.stop()
        read_fd, write_fd = os.pipe()
        try:
            self._feeder = start_child(
                [self._ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                 "-stream_loop", "-1", "-i", str(self.clip), "-c", "copy", "-an",
                 "-f", "mpegts", "-flush_packets", "1", "pipe:1"],
                stdout=write_fd, stderr=subprocess.DEVNULL)
        finally:
            os.close(write_fd)
        self._read_fd = read_fd
        vlm = self._vlm
        with vlm.lock:
            if not self._added:
                if vlm.instance.vlm_add_broadcast(self._media, f"fd://{read_fd}", self._output,
                                                  0, [], True, False) != 0:
                    raise SourceError(f"libvlc VLM refused the {self.kind} source {self.name!r}")
                self._added = True
            else:
                vlm.instance.vlm_set_input(self._media, f"fd://{read_fd}")
            if vlm.instance.vlm_play_media(self._media) != 0:
                raise SourceError(
                    f"libvlc VLM could not start the {self.kind} source {self.name!r}")
        if wait:
            self.wait_until_on_air(timeout_s)
        return self

    def stop(self) -> None:
        """Take the source off the air: RTSP clients get nothing more, HTTP clients are cut."""
        if self._added:
            with self._vlm.lock:
                self._vlm.instance.vlm_stop_media(self._media)
        stop_child(self._feeder)
        self._feeder = None
        if self._read_fd is not None:
            os.close(self._read_fd)
            self._read_fd = None

    def close(self) -> None:
        """Stop and give the name back (the URL may then be reused by a new source)."""
        if self._closed:
            return
        self.stop()
        with self._vlm.lock:
            if self._added:
                self._vlm.instance.vlm_del_media(self._media)
                self._added = False
            self._vlm.names.discard(self._media)
        self._closed = True

    def __enter__(self) -> LocalSource:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalSource({self.url!r}, running={self.running})"

    # -- readiness -----------------------------------------------------------------------------

    def wait_until_on_air(self, timeout_s: float = 15.0) -> None:
        """Block until a client can open the URL (RTSP DESCRIBE / HTTP bytes); ``SourceError``
        if it does not within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        probe = self._rtsp_answers if self.kind == "rtsp" else self._http_answers
        while time.monotonic() < deadline:
            if self._feeder is not None and self._feeder.poll() is not None:
                raise SourceError(f"ffmpeg stopped feeding {self.name!r} "
                                  f"(exit {self._feeder.returncode}); is {self.clip} a video?")
            if probe():
                return
            time.sleep(0.1)
        self.stop()
        raise SourceError(f"{self.kind} source {self.name!r} did not answer at {self.url} "
                          f"within {timeout_s:g} s")

    def _rtsp_answers(self) -> bool:
        """DESCRIBE answers 200 with an SDP once VLM's RTP output has the video track."""
        request = (f"DESCRIBE {self.url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n")
        try:
            with socket.create_connection(("127.0.0.1", self._vlm.rtsp_port), timeout=1) as s:
                s.sendall(request.encode())
                reply = s.recv(4096).decode("latin-1")
        except OSError:
            return False
        # VLM sends the headers and the SDP in one write on loopback.
        return reply.startswith("RTSP/1.0 200") and "m=video" in reply

    def _http_answers(self) -> bool:
        path = self.url.split(str(self._vlm.http_port), 1)[1]
        try:
            with socket.create_connection(("127.0.0.1", self._vlm.http_port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
                reply = b""
                while len(reply) < 2048:  # headers and at least some TS packets
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
        except OSError:
            return False
        return reply.startswith(b"HTTP/1.") and b" 200 " in reply.split(b"\r\n", 1)[0] \
            and len(reply) >= 2048


def serve_rtsp(clip: str | os.PathLike, name: str, *, wait: bool = True) -> LocalSource:
    """Serve ``clip`` looping at ``rtsp://127.0.0.1:PORT/<name>`` (RTP over UDP). Started."""
    source = LocalSource(clip, name, "rtsp")
    try:
        return source.start(wait=wait)
    except BaseException:
        source.close()
        raise


def serve_http(clip: str | os.PathLike, name: str, *, wait: bool = True) -> LocalSource:
    """Serve ``clip`` looping as MPEG-TS at ``http://127.0.0.1:PORT/<name>``. Started."""
    source = LocalSource(clip, name, "http")
    try:
        return source.start(wait=wait)
    except BaseException:
        source.close()
        raise
