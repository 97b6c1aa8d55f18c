"""A live session: ffmpeg copies the camera's video into MPEG-TS, POSTed chunked to the server's ingest URL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from rtcc_edge.redact import Redactor
from rtcc_edge.settings import Camera

log = logging.getLogger(__name__)

READ_BYTES = 64 * 1024


@dataclass
class LiveOutcome:
    bytes: int = 0
    ended_by: str = ""  # stop | limit | server | camera | paused
    error: str = ""
    server_status: int | None = None


@dataclass
class LiveSession:
    """One relay of one camera; ``stop()`` ends it from outside (a stop command, the pause switch)."""

    ffmpeg: str
    camera: Camera
    transport: str
    redactor: Redactor
    outcome: LiveOutcome = field(default_factory=LiveOutcome)
    _stopped: asyncio.Event = field(default_factory=asyncio.Event)
    _process: asyncio.subprocess.Process | None = None

    def command(self, max_seconds: int) -> list[str]:
        command = [self.ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error"]
        if urlsplit(self.camera.url).scheme.lower() in ("rtsp", "rtsps"):
            command += ["-rtsp_transport", self.transport]
        else:
            command += ["-rw_timeout", "15000000"]
        # ffmpeg reads 5 s of a camera by default before it writes a byte; a stream copy only
        # needs the codec parameters, which arrive with the first keyframe: 1 s / 1 MB is enough
        # for cameras with keyframes at least every second and takes ~5 s off "watch live".
        command += ["-analyzeduration", "1000000", "-probesize", "1000000"]
        return command + ["-i", self.camera.url, "-map", "0:v:0", "-c", "copy", "-t", str(max_seconds),
                          "-f", "mpegts", "pipe:1"]

    def stop(self, why: str = "stop") -> None:
        if not self._stopped.is_set():
            self.outcome.ended_by = self.outcome.ended_by or why
            self._stopped.set()

    async def run(self, client: httpx.AsyncClient, ingest_url: str, headers: dict[str, str],
                  max_seconds: int) -> LiveOutcome:
        self._process = await asyncio.create_subprocess_exec(
            *self.command(max_seconds), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        watcher = asyncio.create_task(self._end_when_stopped(max_seconds))
        try:
            response = await client.post(
                ingest_url, content=self._body(), headers={**headers, "Content-Type": "video/mp2t"},
                timeout=httpx.Timeout(30, read=None, write=30))
            self.outcome.server_status = response.status_code
            if response.status_code >= 400:
                self.outcome.error = f"the server answered {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            if not self.outcome.ended_by:
                # The server closing its end mid-body is how it ends a session at its limit.
                self.outcome.ended_by = "server"
                log.info("live channel %d: server closed the stream (%s)", self.camera.channel, exc)
        finally:
            self.stop("server")
            watcher.cancel()
            await self._end_process()
        if not self.outcome.bytes and not self.outcome.error:
            stderr = b""
            if self._process.stderr is not None:
                with contextlib.suppress(Exception):
                    stderr = await asyncio.wait_for(self._process.stderr.read(), 2)
            self.outcome.error = "no video from the camera: " + self.redactor(
                stderr.decode("utf-8", "replace").strip()[-200:])
        return self.outcome

    async def _body(self) -> AsyncIterator[bytes]:
        assert self._process is not None and self._process.stdout is not None
        while True:
            chunk = await self._process.stdout.read(READ_BYTES)
            if not chunk:
                code = await self._process.wait()
                if not self.outcome.ended_by:
                    self.outcome.ended_by = "limit" if code == 0 else "camera"
                return
            self.outcome.bytes += len(chunk)
            yield chunk

    async def _end_when_stopped(self, max_seconds: int) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), max_seconds + 5)
        self.stop("limit")
        # Ending ffmpeg closes its stdout, which ends the chunked body cleanly.
        await self._end_process()

    async def _end_process(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
