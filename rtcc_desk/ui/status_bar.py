"""The status bar: server connection, feed health, registry freshness, who is signed in, the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar

from rtcc_desk.core.countdown import age_text
from rtcc_desk.ui import theme

#: Registry copies older than this are shown as stale (a warning colour).
STALE_AFTER_S = 15 * 60


class DeskStatusBar(QStatusBar):
    feed_log_requested = Signal()

    def __init__(self, zone: ZoneInfo, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self._zone, self._now = zone, now
        self._server_ok: bool | None = None
        self._server_since: datetime | None = None
        self._registry_at: datetime | None = None
        self._registry_count = 0
        self.server = QLabel()
        self.feed = QPushButton()
        self.feed.setFlat(True)
        self.feed.setToolTip("Open the feed-health log")
        self.feed.clicked.connect(self.feed_log_requested)
        self.registry = QLabel()
        self.user = QLabel()
        self.clock = QLabel()
        for widget in (self.server, self.feed, self.registry, self.user):
            self.addWidget(widget)
        self.addPermanentWidget(self.clock)
        self.set_feed(0, 0, healthy=True)
        self._timer = QTimer(self, interval=1000, timeout=self.tick)
        self._timer.start()
        self.tick()

    def set_server(self, reachable: bool) -> None:
        if reachable != self._server_ok:
            self._server_ok, self._server_since = reachable, self._now()
        self._show_server()

    def set_feed(self, messages: int, problems: int, *, healthy: bool) -> None:
        colour = theme.OK if healthy and not problems else theme.WARNING
        self.feed.setText(f"Feed: {messages:,} messages · {problems:,} problems")
        self.feed.setStyleSheet(f"color: {colour}; border: 0; padding: 0 8px;")

    def set_registry(self, synced_at: datetime | None, cameras: int) -> None:
        self._registry_at, self._registry_count = synced_at, cameras
        self._show_registry()

    def set_user(self, username: str, roles: list[str], demo: bool = False) -> None:
        self.user.setText(f"{username} ({', '.join(roles)})" + ("  DEMO" if demo else ""))

    def tick(self) -> None:
        now = self._now()
        self.clock.setText(now.astimezone(self._zone).strftime("%a %d %b  %H:%M:%S %Z"))
        self._show_server()
        self._show_registry()

    def _show_server(self) -> None:
        if self._server_ok is None:
            self.server.setText("Server: connecting…")
            self.server.setStyleSheet(f"color: {theme.MUTED};")
        elif self._server_ok:
            self.server.setText("Server: connected")
            self.server.setStyleSheet(f"color: {theme.OK};")
        else:
            since = age_text(self._server_since, self._now()) if self._server_since else ""
            self.server.setText(f"Server: unreachable for {since}")
            self.server.setStyleSheet(f"color: {theme.DANGER};")

    def _show_registry(self) -> None:
        if self._registry_at is None:
            self.registry.setText(f"Registry: never synced ({self._registry_count:,} cameras)")
            self.registry.setStyleSheet(f"color: {theme.WARNING};")
            return
        now = self._now()
        stale = (now - self._registry_at).total_seconds() > STALE_AFTER_S
        self.registry.setText(f"Registry: {self._registry_count:,} cameras, synced {age_text(self._registry_at, now)} ago"
                              + (" — STALE" if stale else ""))
        self.registry.setStyleSheet(f"color: {theme.WARNING if stale else theme.MUTED};")
