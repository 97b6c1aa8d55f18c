"""Recording each camera with an ffmpeg child (segment muxer, no re-encoding), restarted with backoff."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from rtcc_edge.redact import Redactor, redact_url
from rtcc_edge.segments import (
    channel_dir,
    ensure_day_folders,
    ffmpeg_pattern,
    newest_segment,
    oldest_and_newest,
)
from rtcc_edge.settings import Camera, EdgeSettings

log = logging.getLogger(__name__)

#: Seconds between looks at the newest segment (is it growing?).
WATCH_SECONDS = 1.0
#: First restart delay; it doubles per failure in a row up to restart_max_seconds.
FIRST_RESTART_SECONDS = 1.0
#: Seconds ffmpeg gets to close its segment after 'q' before it is terminated.
STOP_GRACE_SECONDS = 5.0
MUXER_FORMAT = {"ts": "mpegts", "mkv": "matroska"}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ChannelHealth:
    """What the owner page and the heartbeat say about one channel."""

    channel: int
    name: str
    state: str = "stopped"  # starting | recording | failed | stopped
    error: str = ""
    since: datetime | None = None
    restarts: int = 0
    transport: str = ""
    oldest: datetime | None = None
    newest: datetime | None = None
    #: The camera's (redacted) URL and host, which stay on the box: see report().
    address: str = field(default="", repr=False)
    host: str = field(default="", repr=False)

    def report(self) -> dict:
        """The heartbeat's channel entry (the protocol knows recording, failed and stopped)."""
        state = "recording" if self.state == "starting" else self.state
        error = "connecting to the camera" if self.state == "starting" else self.public_error()
        return {"channel": self.channel, "name": self.name, "state": state, "error": error,
                "oldest": _iso(self.oldest), "newest": _iso(self.newest)}

    def public_error(self) -> str:
        """The error without the camera's address: the business's network layout stays home."""
        error = self.error.replace(self.address, "camera") if self.address else self.error
        return error.replace(self.host, "camera") if self.host else error


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def recording_command(settings: EdgeSettings, camera: Camera, transport: str) -> list[str]:
    """The ffmpeg command line recording one camera into time-named segments, streams copied."""
    scheme = urlsplit(camera.url).scheme.lower()
    command = [settings.ffmpeg, "-hide_banner", "-nostats", "-loglevel", "warning"]
    if scheme in ("rtsp", "rtsps"):
        command += ["-rtsp_transport", transport]
    else:
        # Without it a camera that stops sending leaves ffmpeg waiting forever on the socket.
        command += ["-rw_timeout", "15000000"]
    command += ["-i", camera.url, "-map", "0:v:0"]
    if camera.audio:
        command += ["-map", "0:a:0?"]
    command += [
        "-c", "copy", "-f", "segment", "-segment_time", str(settings.segment_seconds),
        "-segment_atclocktime", "1", "-segment_format", MUXER_FORMAT[settings.segment_container],
        "-strftime", "1", "-reset_timestamps", "1",
        ffmpeg_pattern(settings.recordings_dir, camera.channel, settings.segment_container),
    ]
    return command


class ChannelRecorder:
    """One camera: start ffmpeg, watch the newest segment grow, restart when it stops."""

    def __init__(self, settings: EdgeSettings, camera: Camera, redactor: Redactor, *,
                 on_change: Callable[[ChannelHealth], None] | None = None) -> None:
        self.settings, self.camera, self.redactor = settings, camera, redactor
        self.folder = channel_dir(settings.recordings_dir, camera.channel)
        self.health = ChannelHealth(camera.channel, camera.name, address=redact_url(camera.url),
                                    host=urlsplit(camera.url).hostname or "")
        self._on_change = on_change
        self._is_rtsp = urlsplit(camera.url).scheme.lower() in ("rtsp", "rtsps")
        self._transport = "tcp" if camera.rtsp_transport == "auto" else camera.rtsp_transport
        self._process: asyncio.subprocess.Process | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)

    @property
    def writing(self) -> Path | None:
        """The segment ffmpeg has open now, if it is running."""
        if self._process is None or self._process.returncode is not None:
            return None
        newest = newest_segment(self.folder)
        return newest.path if newest else None

    def refresh_span(self) -> None:
        oldest, newest = oldest_and_newest(self.folder)
        self.health.oldest = oldest.start if oldest else None
        self.health.newest = newest.start if newest else None

    def _set(self, state: str, error: str = "") -> None:
        changed = (state, error) != (self.health.state, self.health.error)
        if state != self.health.state:
            self.health.since = utc_now()
        self.health.state, self.health.error = state, error
        if changed and self._on_change:
            self._on_change(self.health)

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        where = redact_url(self.camera.url)
        while not stop.is_set():
            saw_video, error = await self._record_once(stop)
            if stop.is_set():
                break
            self.health.restarts += 1
            failures = 0 if saw_video else failures + 1
            if not saw_video and self._is_rtsp and self.camera.rtsp_transport == "auto":
                self._transport = self._next_transport()
            delay = min(self.settings.restart_max_seconds, FIRST_RESTART_SECONDS * 2 ** max(failures - 1, 0))
            self._set("failed", error)
            log.warning("channel %d (%s): %s; restarting in %.0f s", self.camera.channel, where, error, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
        self._set("stopped")

    async def _record_once(self, stop: asyncio.Event) -> tuple[bool, str]:
        """One ffmpeg run; (did any video arrive, why it ended)."""
        # ffmpeg names files by the real wall clock, so its folders follow the real clock too.
        ensure_day_folders(self.folder, utc_now())
        command = recording_command(self.settings, self.camera, self._transport)
        self.health.transport = self._transport if self._is_rtsp else ""
        log.info("channel %d: recording %s", self.camera.channel, self.redactor(" ".join(command[5:])))
        self._stderr.clear()
        self._set("starting", "")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE, env={**os.environ, "TZ": "UTC"})
        except OSError as exc:
            return False, f"cannot start {self.settings.ffmpeg}: {exc}"
        reader = asyncio.create_task(self._read_stderr(self._process))
        # Files already there are from earlier runs; only a new or growing file is new video.
        last_mark, saw_video, stalled = self._newest_mark(), False, False
        last_progress, day = time.monotonic(), utc_now().date()
        try:
            while self._process.returncode is None and not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._process.wait(), WATCH_SECONDS)
                if utc_now().date() != day:
                    day = utc_now().date()
                    ensure_day_folders(self.folder, utc_now())
                mark = self._newest_mark()
                # A new file or a bigger one; the file being written often reads 0 bytes until
                # ffmpeg's write buffer fills, so a new name alone counts as progress too.
                if mark is not None and mark != last_mark:
                    last_mark, last_progress, saw_video = mark, time.monotonic(), True
                    self._set("recording")
                if time.monotonic() - last_progress > self.settings.stall_after:
                    stalled = True
                    break
        finally:
            await self._stop_process()
            await reader
        if stop.is_set():
            return saw_video, ""
        if stalled:
            return saw_video, f"no new video for {self.settings.stall_after:.0f} s"
        return saw_video, self._why_ended(self._process.returncode)

    def _next_transport(self) -> str:
        # TCP unless the camera refused it (VLC's RTSP server answers "461 Unsupported
        # transport"); a UDP channel that fails tries TCP again.
        if self._transport == "udp":
            return "tcp"
        refused = any("461" in line or "unsupported transport" in line.lower() for line in self._stderr)
        return "udp" if refused else "tcp"

    def _newest_mark(self) -> tuple[Path, int] | None:
        newest = newest_segment(self.folder)
        return (newest.path, _size(newest.path)) if newest else None

    def _why_ended(self, code: int | None) -> str:
        last = next((line for line in reversed(self._stderr) if line.strip()), "")
        if code == 0:
            return "the camera's stream ended" + (f": {last}" if last else "")
        return last or f"ffmpeg exited with code {code}"

    async def _read_stderr(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = self.redactor(raw.decode("utf-8", "replace").rstrip())
            if line:
                self._stderr.append(line)
                log.debug("channel %d ffmpeg: %s", self.camera.channel, line)

    async def _stop_process(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        # 'q' lets ffmpeg close the segment it is writing, so the last minutes stay playable.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, AttributeError):
            process.stdin.write(b"q")
            await process.stdin.drain()
        for signal_it in (None, process.terminate, process.kill):
            if signal_it is not None:
                with contextlib.suppress(ProcessLookupError):
                    signal_it()
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
                return
            except TimeoutError:
                continue


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass
class Recorders:
    """Every camera of the box, recorded side by side."""

    settings: EdgeSettings
    redactor: Redactor
    on_change: Callable[[ChannelHealth], None] | None = None
    channels: dict[int, ChannelRecorder] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for camera in self.settings.cameras:
            self.channels[camera.channel] = ChannelRecorder(
                self.settings, camera, self.redactor, on_change=self.on_change)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(recorder.run(stop) for recorder in self.channels.values()))

    def writing(self) -> set[Path]:
        return {path for r in self.channels.values() if (path := r.writing) is not None}

    def health(self) -> list[ChannelHealth]:
        for recorder in self.channels.values():
            recorder.refresh_span()
        return [recorder.health for recorder in self.channels.values()]
