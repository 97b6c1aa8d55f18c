"""The running box: recorders, retention, the outbound link and the owner page in one asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from rtcc_edge import credential
from rtcc_edge.commands import CommandRunner
from rtcc_edge.link import CredentialRefused, LinkError, ServerLink
from rtcc_edge.recorder import ChannelHealth, Recorders
from rtcc_edge.redact import Redactor
from rtcc_edge.retention import DiskUsage, RetentionPolicy
from rtcc_edge.settings import EdgeSettings
from rtcc_edge.store import BoxStore

log = logging.getLogger(__name__)


class EdgeBox:
    """Everything one box does; the owner page and the link read and change it through here."""

    def __init__(self, settings: EdgeSettings, *, clock: Callable[[], datetime] | None = None,
                 redactor: Redactor | None = None) -> None:
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))
        self.redactor = redactor or Redactor([c.url for c in settings.cameras])
        self.store = BoxStore(settings.state_dir / "box.sqlite3")
        self.changed = asyncio.Event()  # something the server should hear about soon
        self.recorders = Recorders(settings, self.redactor, on_change=lambda _h: self.changed.set())
        self.policy = RetentionPolicy(
            settings.recordings_dir, self.retention_days, settings.segment_seconds,
            settings.retention.min_free_percent, settings.retention.min_free_bytes)
        self.runner: CommandRunner | None = None
        self.last_contact: datetime | None = None
        self.link_problem = ""
        self._loop: asyncio.AbstractEventLoop | None = None

    def _on_loop(self, fn: Callable[[], object]) -> None:
        # The owner page's handlers run on worker threads; asyncio objects are the loop's own.
        loop = self._loop
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if loop is None or here is loop:
            fn()
        else:
            loop.call_soon_threadsafe(fn)

    # --- what the owner controls -----------------------------------------------------------

    @property
    def retention_days(self) -> int:
        return self.store.retention_days(self.settings.retention.days)

    def set_retention_days(self, days: int) -> None:
        self.store.set_choice("retention_days", str(days))
        self.policy.days = days
        log.info("owner set retention to %d days", days)
        self._on_loop(self.changed.set)

    @property
    def paused(self) -> bool:
        return self.store.paused()

    def set_paused(self, paused: bool) -> None:
        self.store.set_choice("paused", "1" if paused else "0")
        log.info("owner %s sharing with the RTCC", "paused" if paused else "resumed")
        if paused and self.runner is not None:
            self._on_loop(self.runner.pause)
        self._on_loop(self.changed.set)

    # --- what the box reports ----------------------------------------------------------------

    @property
    def enrollment(self) -> credential.Enrollment | None:
        return credential.load(self.settings.state_dir)

    def disk(self) -> DiskUsage:
        self.settings.recordings_dir.mkdir(parents=True, exist_ok=True)
        return self.policy.disk_usage(self.settings.recordings_dir)

    def health(self) -> list[ChannelHealth]:
        return self.recorders.health()

    def report(self, *, with_cameras: bool = False) -> dict:
        disk = self.disk()
        report = {"paused": self.paused, "retention_days": self.retention_days,
                  "disk": {"used_bytes": disk.used, "free_bytes": disk.free},
                  "channels": [h.report() for h in self.health()]}
        if with_cameras:
            report["cameras"] = [c.describe() for c in self.settings.cameras]
        return report

    # --- running ------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, *, owner_page: bool = True) -> None:
        self._loop = asyncio.get_running_loop()
        tasks = [asyncio.create_task(self.recorders.run(stop), name="recorders"),
                 asyncio.create_task(self._retention_loop(stop), name="retention"),
                 asyncio.create_task(self._link_loop(stop), name="link")]
        if owner_page:
            from rtcc_edge.owner_page.serve import serve_owner_page

            tasks.append(asyncio.create_task(serve_owner_page(self, stop), name="owner page"))
        try:
            await stop.wait()
        finally:
            stop.set()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            for task, result in zip(tasks, results):
                if isinstance(result, Exception):
                    log.error("%s ended with %s: %s", task.get_name(), type(result).__name__, result)

    async def _retention_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.policy.days = self.retention_days
            try:
                await asyncio.to_thread(self.policy.prune, now=self.clock(), writing=self.recorders.writing())
            except OSError as exc:
                log.error("retention: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.retention.check_seconds)

    async def _link_loop(self, stop: asyncio.Event) -> None:
        """Outbound only: heartbeats and a long-poll, reconnecting with backoff after any loss."""
        while not stop.is_set():
            enrollment = self._enrollment_or_none()
            if enrollment is not None:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 30)  # `rtcc-edge enroll` may run meanwhile
        else:
            return
        timeout = httpx.Timeout(30, connect=10)
        async with httpx.AsyncClient(timeout=timeout, verify=self.settings.link.verify_tls) as client:
            link = ServerLink(enrollment, client)
            self.runner = CommandRunner(self.settings, self.store, link, client, self.redactor,
                                        transport_of=self._transport, clock=self.clock)
            beats = asyncio.create_task(self._heartbeats(link, stop))
            try:
                await self._poll(link, stop)
            finally:
                beats.cancel()
                await self.runner.drain()
                with contextlib.suppress(asyncio.CancelledError):
                    await beats

    def _enrollment_or_none(self) -> credential.Enrollment | None:
        try:
            return self.enrollment
        except credential.CredentialError as exc:
            self.link_problem = str(exc)
            log.error("%s", exc)
            return None

    def _transport(self, channel: int) -> str:
        recorder = self.recorders.channels.get(channel)
        return (recorder.health.transport or "tcp") if recorder else "tcp"

    async def _poll(self, link: ServerLink, stop: asyncio.Event) -> None:
        backoff, outage = 1.0, False
        wait = self.settings.link.poll_wait_seconds
        while not stop.is_set():
            poll = asyncio.create_task(link.commands(wait))
            stopping = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if poll not in done:
                poll.cancel()
                break
            try:
                commands = poll.result()
            except LinkError as exc:
                self.link_problem = str(exc)
                if not outage:
                    log.warning("link to %s lost: %s; retrying", link.base, exc)
                outage = True
                delay = self.settings.link.retry_max_seconds if isinstance(exc, CredentialRefused) else backoff
                backoff = min(backoff * 2, self.settings.link.retry_max_seconds)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay * random.uniform(0.8, 1.2))
                continue
            self.last_contact, self.link_problem, backoff = self.clock(), "", 1.0
            if outage:
                log.info("link to %s back", link.base)
                outage = False
                self.changed.set()  # the server may have restarted: tell it where the box stands
            for command in commands:
                self.runner.dispatch(command)

    async def _heartbeats(self, link: ServerLink, stop: asyncio.Event) -> None:
        cameras_sent = False
        while not stop.is_set():
            self.changed.clear()
            try:
                await link.heartbeat(self.report(with_cameras=not cameras_sent))
                cameras_sent, self.last_contact = True, self.clock()
                interval = self.settings.link.heartbeat_seconds
            except LinkError as exc:
                log.debug("heartbeat not sent: %s", exc)
                interval = min(5.0, self.settings.link.heartbeat_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), interval)
