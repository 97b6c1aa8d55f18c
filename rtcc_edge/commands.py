"""Carrying out the RTCC's commands (clip, live, stop): refused while paused, each one in the access log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from rtcc_edge import tus_client
from rtcc_edge.clips import ClipCutter, ClipError
from rtcc_edge.link import LinkError, ServerLink
from rtcc_edge.live import LiveSession
from rtcc_edge.redact import Redactor
from rtcc_edge.segments import channel_dir
from rtcc_edge.settings import EdgeSettings
from rtcc_edge.store import BoxStore

log = logging.getLogger(__name__)

PAUSED = "sharing paused by the business"
#: How a live session ended, in the owner's words (the access log shows it).
LIVE_ENDINGS = {"stop": "stopped by the RTCC", "limit": "ended at its time limit",
                "server": "ended by the RTCC server", "camera": "the camera's stream ended"}
CLIP_TYPES = {".mp4": "video/mp4", ".mkv": "video/x-matroska"}
#: Tries, with growing pauses, to deliver one result while the server is unreachable.
RESULT_ATTEMPTS = 8


class Refusal(Exception):
    """A command the box will not carry out; the message goes back to the RTCC."""


def parse_time(value, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise Refusal(f"{what} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise Refusal(f"{what} {value!r} has no time zone")
    return moment.astimezone(UTC)


@dataclass
class CommandRunner:
    """Takes each command from the long-poll and answers it; one task per command."""

    settings: EdgeSettings
    store: BoxStore
    link: ServerLink
    client: httpx.AsyncClient
    redactor: Redactor
    transport_of: Callable[[int], str] = lambda channel: "tcp"
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    cutter: ClipCutter | None = None
    _tasks: dict[str, asyncio.Task] = field(default_factory=dict)
    _lives: dict[str, tuple[int, str, LiveSession]] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.cutter is None:
            self.cutter = ClipCutter(self.settings.ffmpeg, self.settings.ffprobe, self.settings.segment_seconds)

    @property
    def clips_dir(self) -> Path:
        return self.settings.state_dir / "outgoing"

    def dispatch(self, command: dict) -> None:
        command_id = str(command.get("id", ""))
        if not command_id or command_id in self._seen:
            return  # a command already taken (the server re-sent it after a reconnect)
        self._seen.add(command_id)
        earlier = self.store.entry_for(command_id) if command.get("kind") != "stop" else None
        work = self._answer_again(earlier) if earlier else self._handle(command)
        task = asyncio.create_task(work, name=f"command {command_id}")
        self._tasks[command_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(command_id, None))

    def pause(self) -> None:
        """The owner paused sharing: end every live session and upload now."""
        for _channel, _session_id, session in list(self._lives.values()):
            session.stop("paused")
        for command_id, task in list(self._tasks.items()):
            if command_id not in self._lives:
                task.cancel(PAUSED)

    async def drain(self) -> None:
        for _channel, _session_id, session in list(self._lives.values()):
            session.stop("stop")
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    @property
    def busy(self) -> int:
        return len(self._tasks)

    async def _answer_again(self, entry) -> None:
        """A command this box took before it restarted: its answer again, never the work twice."""
        if entry.outcome in ("done", "refused", "failed"):
            await self._answer(entry.command_id, entry.outcome, reason=entry.reason,
                               sha256=entry.sha256 or None, size=entry.bytes or None)
            return
        reason = "the box restarted while carrying this out; please ask again"
        self.store.update_entry(entry.id, outcome="failed", reason=reason, ended_at=self.clock())
        await self._answer(entry.command_id, "failed", reason=reason)

    async def _handle(self, command: dict) -> None:
        command_id, kind = str(command["id"]), command.get("kind")
        received = self.clock()
        if kind == "stop":
            await self._stop(command)
            return
        camera = self.settings.camera(int(command.get("channel") or 0))
        camera_name = camera.name if camera else ""
        try:
            if self.store.paused():
                raise Refusal(PAUSED)
            if kind not in ("clip", "live"):
                raise Refusal(f"this box does not carry out {kind!r} commands")
            if camera is None:
                raise Refusal(f"this box has no camera on channel {command.get('channel')!r}")
            if kind == "clip":
                window = self._window(command)
            elif not command.get("ingest_url"):
                raise Refusal("the live command has no ingest_url")
        except Refusal as refusal:
            self.store.log_request(command, camera=camera_name, outcome="refused",
                                   reason=str(refusal), received_at=received)
            log.info("command %s (%s, channel %s) refused: %s", command_id, kind, command.get("channel"), refusal)
            await self._answer(command_id, "refused", reason=str(refusal))
            return
        entry = self.store.log_request(command, camera=camera_name, outcome="accepted", received_at=received)
        await self._answer(command_id, "accepted")
        try:
            if kind == "clip":
                await self._clip(command, entry, *window)
            else:
                await self._live(command, entry)
        except asyncio.CancelledError:
            reason = PAUSED if self.store.paused() else "the box is shutting down"
            self.store.update_entry(entry, outcome="failed", reason=reason, ended_at=self.clock())
            with contextlib.suppress(Exception):
                await asyncio.shield(self._answer(command_id, "failed", reason=reason))
            raise
        except Exception as exc:  # the RTCC must always hear how a command ended
            log.exception("command %s (%s) failed unexpectedly", command_id, kind)
            reason = self.redactor(f"the box could not carry this out ({type(exc).__name__}: {exc})")
            self.store.update_entry(entry, outcome="failed", reason=reason, ended_at=self.clock())
            await self._answer(command_id, "failed", reason=reason)

    def _window(self, command: dict) -> tuple[datetime, datetime]:
        start = parse_time(command.get("start"), "start")
        end = parse_time(command.get("end"), "end")
        if end <= start:
            raise Refusal("the window ends before it starts")
        longest = timedelta(minutes=self.settings.link.max_clip_minutes)
        if end - start > longest:
            raise Refusal(f"the window is longer than this box sends at once ({longest}); ask for parts")
        if start > self.clock():
            raise Refusal("the window starts in the future")
        return start, end

    async def _clip(self, command: dict, entry: int, start: datetime, end: datetime) -> None:
        command_id, channel = str(command["id"]), int(command["channel"])
        self.store.update_entry(entry, started_at=self.clock())
        name = f"ch{channel}_{start:%Y%m%dT%H%M%SZ}_{end:%Y%m%dT%H%M%SZ}"
        suffix = ".mp4" if self.settings.segment_container == "ts" else ".mkv"
        out = self.clips_dir / f"{command_id}_{name}{suffix}"
        try:
            clip = await asyncio.to_thread(
                self.cutter.cut, channel_dir(self.settings.recordings_dir, channel), start, end, out)
            upload = command.get("upload") or {}
            metadata = {**{str(k): str(v) for k, v in (upload.get("metadata") or {}).items()},
                        "filename": f"{name}{suffix}", "sha256": clip.sha256,
                        "filetype": CLIP_TYPES[suffix]}
            await tus_client.upload(self.client, upload["tus_endpoint"], clip.path,
                                    metadata=metadata, headers=self.link.auth)
        except (ClipError, tus_client.TusError, KeyError, OSError) as exc:
            reason = "no tus_endpoint in the command" if isinstance(exc, KeyError) else str(exc)
            self.store.update_entry(entry, outcome="failed", reason=reason, ended_at=self.clock())
            log.warning("clip %s for channel %d failed: %s", command_id, channel, reason)
            await self._answer(command_id, "failed", reason=reason)
            return
        finally:
            out.unlink(missing_ok=True)
        self.store.update_entry(entry, outcome="done", ended_at=self.clock(), bytes=clip.bytes, sha256=clip.sha256)
        log.info("clip %s: channel %d %s to %s sent (%d bytes, sha256 %s)", command_id, channel,
                 start.isoformat(), end.isoformat(), clip.bytes, clip.sha256)
        await self._answer(command_id, "done", sha256=clip.sha256, size=clip.bytes)

    async def _live(self, command: dict, entry: int) -> None:
        command_id, channel = str(command["id"]), int(command["channel"])
        camera = self.settings.camera(channel)
        limit = min(int(command.get("max_seconds") or self.settings.link.max_live_seconds),
                    self.settings.link.max_live_seconds)
        session = LiveSession(self.settings.ffmpeg, camera, self.transport_of(channel), self.redactor)
        self._lives[command_id] = (channel, str(command.get("session_id") or ""), session)
        self.store.update_entry(entry, outcome="streaming", started_at=self.clock())
        log.info("live %s: channel %d to the RTCC for up to %d s", command_id, channel, limit)
        try:
            outcome = await session.run(self.client, str(command["ingest_url"]), self.link.auth, limit)
        finally:
            self._lives.pop(command_id, None)
        ended = self.clock()
        if outcome.ended_by == "paused":
            state, reason = "failed", PAUSED
        elif outcome.error and not outcome.bytes:
            state, reason = "failed", outcome.error
        else:
            state, reason = "done", LIVE_ENDINGS.get(outcome.ended_by, outcome.ended_by)
        self.store.update_entry(entry, outcome=state, reason=reason, ended_at=ended, bytes=outcome.bytes)
        log.info("live %s: channel %d ended (%s, %d bytes)", command_id, channel, reason, outcome.bytes)
        await self._answer(command_id, state, reason="" if state == "done" else reason, size=outcome.bytes)

    async def _stop(self, command: dict) -> None:
        # A stop names its live session (session_id; or the live command's id), else a channel.
        targets = {str(command[k]) for k in ("session_id", "target", "live_id", "command_id") if command.get(k)}
        stopped = 0
        for live_id, (channel, session_id, session) in list(self._lives.items()):
            named = bool(targets & {live_id, session_id}) if targets else channel == command.get("channel")
            if named:
                session.stop("stop")
                stopped += 1
        await self._answer(str(command["id"]), "done", reason="" if stopped else "no live session to stop")

    async def _answer(self, command_id: str, state: str, *, reason: str = "",
                      sha256: str | None = None, size: int | None = None) -> None:
        for attempt in range(RESULT_ATTEMPTS):
            try:
                await self.link.result(command_id, state, reason=reason, sha256=sha256, size=size)
                return
            except LinkError as exc:
                if not exc.worth_retrying or attempt == RESULT_ATTEMPTS - 1:
                    log.error("could not tell the server command %s is %s: %s", command_id, state, exc)
                    return
                await asyncio.sleep(min(2 ** attempt, self.settings.link.retry_max_seconds))
