"""One running desk: the panes wired to the camera index, the call feed, the registry and the audit.

Built by ``app.py`` (the composition root). Panes never reach into each other: they emit
signals, and this object turns them into updates of the others. All I/O (registry sync,
audit delivery, server health) runs through ``run_in_background``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from rtcc_desk.adapters.feeds.base import FeedProblem
from rtcc_desk.adapters.feeds.hub import FeedHub
from rtcc_desk.adapters.server_link.audit_outbox import AuditOutbox
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.errors import ServerUnreachable
from rtcc_desk.adapters.server_link.registry_cache import RegistryCache, SyncResult
from rtcc_desk.core.calls import Call
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.correlation import Access, CorrelationResult
from rtcc_desk.core.geo import LatLon
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.calls.pane import CallsPane
from rtcc_desk.ui.camera_details import CameraDetailsPane
from rtcc_desk.ui.candidates.pane import CandidatesPane
from rtcc_desk.ui.map.pane import MapPane
from rtcc_desk.ui.status_bar import DeskStatusBar

log = logging.getLogger("rtcc.desk")
STREET_ZOOM = 17


class FeedRelay(QObject):
    """The feed hub's sink: emitted on feed threads, delivered on the GUI thread (queued)."""

    call_arrived = Signal(object)
    problem = Signal(object)

    def on_call(self, call: Call, source_name: str) -> None:
        self.call_arrived.emit(call)

    def on_problem(self, problem: FeedProblem) -> None:
        self.problem.emit(problem)


@dataclass
class DeskParts:
    """Everything the desk is made of; app.py builds it, tests build their own."""

    username: str
    index: CameraIndex
    map: MapPane
    calls: CallsPane
    candidates: CandidatesPane
    details: CameraDetailsPane
    status: DeskStatusBar
    client: ServerClient
    registry: RegistryCache
    outbox: AuditOutbox
    feeds: FeedHub
    relay: FeedRelay
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


class Desk(QObject):
    """The behaviour between panes: selection, search, registry updates, audit, health."""

    search_shown = Signal(object)  #: the CorrelationResult now in the candidates pane
    sign_in_needed = Signal()  #: the server is back after an offline sign-in: ask for the password

    def __init__(self, parts: DeskParts, *, sync_every_s: float = 60.0, health_every_s: float = 10.0,
                 deliver_every_s: float = 5.0) -> None:
        super().__init__()
        self.p = parts
        self._radius_override: float | None = None
        self._result: CorrelationResult | None = None
        self.requests = None  # DeskRequests, when the analyst's roles include requests
        self.city_cameras = None  # CityCameraFollower: review states and masks from the server
        self.walls = None  # DeskWalls, for analysts and supervisors
        self.privacy = None  # DeskPrivacy: review, unmasked views, inventory (by role)
        self._subject: tuple[str, LatLon | None, datetime | None] | None = None  # call id or "", point
        self._syncing = self._delivering = self._asked_sign_in = False
        # Audit records are written (fsynced) off the GUI thread, one at a time, in order.
        self._audit_writer = QThreadPool(self)
        self._audit_writer.setMaxThreadCount(1)
        p = parts
        p.relay.call_arrived.connect(self.take_call)
        p.relay.problem.connect(self.take_problem)
        p.calls.call_selected.connect(self.select_call)
        p.candidates.radius_changed.connect(self.change_radius)
        p.candidates.candidate_selected.connect(self.highlight_camera)
        p.candidates.candidate_activated.connect(self.open_camera)
        p.map.camera_clicked.connect(self.open_camera)
        p.map.call_clicked.connect(lambda call_id: p.calls.select_call(call_id))
        p.map.find_cameras_here.connect(self.search_point)
        self._timers = [
            QTimer(self, interval=int(sync_every_s * 1000), timeout=self.sync_registry),
            QTimer(self, interval=int(health_every_s * 1000), timeout=self.check_server),
            QTimer(self, interval=int(deliver_every_s * 1000), timeout=self.deliver_audit),
            QTimer(self, interval=2000, timeout=self._show_feed_health),
        ]

    def start(self) -> None:
        """Show the cached cameras, start the feeds and the periodic work."""
        self.p.map.set_cameras(list(self.p.index.cameras()))
        self._show_registry()
        self.p.feeds.start()
        for timer in self._timers:
            timer.start()
        self.sync_registry()
        self.deliver_audit()
        if self.requests is not None:
            self.requests.start()
        if self.city_cameras is not None:
            self.city_cameras.start()

    def stop(self) -> None:
        for timer in self._timers:
            timer.stop()
        self.p.feeds.stop()
        if self.requests is not None:
            self.requests.stop()
        if self.city_cameras is not None:
            self.city_cameras.stop()
        if self.walls is not None:
            self.walls.stop()  # saves the walls, ends open views in the audit trail
        if self.privacy is not None:
            self.privacy.stop()  # unmasked views end (audited) with the desk
        self._audit_writer.waitForDone()  # every audit record is on disk before the desk goes

    # ----- calls ------------------------------------------------------------------------

    def take_call(self, call: Call) -> None:
        merged = self.p.calls.add_or_update(call)
        self.p.map.put_call(merged)
        if self._subject and self._subject[0] == merged.call_id:
            self.select_call(merged.call_id)  # its location or type may have changed

    def take_problem(self, problem: FeedProblem) -> None:
        self._show_feed_health()

    def select_call(self, call_id: str) -> None:
        call = self.p.calls.model.call(call_id) if call_id else None
        if call is None:
            self._subject = None
            self.p.candidates.clear()
            self.p.map.clear_search()
            return
        self._subject = (call.call_id, call.location, call.received_at)
        result = self.p.index.candidates_for_call(call, now=self.p.now(), radius_m=self._radius_override)
        self._show(result, call.location, call.received_at, f"call {call.call_id}")
        if call.location is not None:
            self.p.map.focus(call.location.lat, call.location.lon, STREET_ZOOM)

    def search_point(self, lat: float, lon: float) -> None:
        """"Find cameras here" from the map: audited, since it reveals where private cameras are."""
        point, now = LatLon(lat, lon), self.p.now()
        self._subject = ("", point, now)
        radius = self._radius_override or self.p.index.default_radius_m
        result = self.p.index.candidates_at(point, incident_time=now, now=now, radius_m=radius)
        self._show(result, point, now, f"point {lat:.5f}, {lon:.5f}")
        self.audit("map.search_point", f"point:{lat:.6f},{lon:.6f} radius:{radius:.0f}m")

    def change_radius(self, metres: float) -> None:
        self._radius_override = metres
        if self._subject is None:
            return
        call_id, point, _ = self._subject
        if call_id:
            self.select_call(call_id)
        elif point is not None:
            self.search_point(point.lat, point.lon)

    def request_subject(self):
        """(call or None, incident time, cameras to ask owners about) for "Request footage":
        the selected candidate if it needs a request, else every candidate that does."""
        if self._subject is None or self._result is None:
            return None, None, []
        call_id, _, incident_time = self._subject
        call = self.p.calls.model.call(call_id) if call_id else None
        asked = [c.camera for c in self._result.candidates if c.access is Access.REQUEST]
        chosen = self.p.candidates.selected_camera_id()
        if chosen and any(c.camera_id == chosen for c in asked):
            asked = [c for c in asked if c.camera_id == chosen]
        return call, incident_time, asked

    def _show(self, result: CorrelationResult, point: LatLon | None, incident_time: datetime | None,
              subject: str) -> None:
        self._result = result
        self.p.candidates.show_result(result, self.p.index.camera, incident_time, subject=subject)
        if point is not None:
            self.p.map.show_candidates(point, result)
        else:
            self.p.map.clear_search()
        self.search_shown.emit(result)

    # ----- cameras ----------------------------------------------------------------------

    def highlight_camera(self, camera_id: str) -> None:
        self.p.map.select_camera(camera_id or None)

    def open_camera(self, camera_id: str) -> None:
        camera = self.p.index.camera(camera_id)
        self.p.details.show_camera(camera)
        self.p.map.select_camera(camera_id if camera else None)

    # ----- registry, server, audit --------------------------------------------------------

    def sync_registry(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        cache, client = self.p.registry, self.p.client
        run_in_background(lambda: self._pull(cache, client), self._synced, self._sync_failed,
                          owner=self.p.status)  # the status bar goes with the main window

    @staticmethod
    def _pull(cache: RegistryCache, client: ServerClient):
        result = cache.sync_once(client)
        return result, cache.get_many(result.added | result.changed)

    def _synced(self, outcome: tuple[SyncResult, list]) -> None:
        self._syncing = False
        result, cameras = outcome
        self.p.status.set_server(True)
        for camera in cameras:
            self.p.index.put(camera)
        for camera_id in result.removed:
            self.p.index.withdraw(camera_id)
        if cameras:
            self.p.map.put_cameras(cameras)
        if result.removed:
            self.p.map.remove_cameras(result.removed)
            if self.p.details.camera and self.p.details.camera.camera_id in result.removed:
                self.p.details.show_camera(None)  # a withdrawn owner's camera leaves the screen
        self._show_registry()

    def _sync_failed(self, exc: Exception) -> None:
        self._syncing = False
        if isinstance(exc, ServerUnreachable):
            self.p.status.set_server(False)
        log.warning("registry sync failed: %s", exc)
        self._show_registry()

    def _show_registry(self) -> None:
        registry, now, status = self.p.registry, self.p.now(), self.p.status
        run_in_background(lambda: registry.freshness(now),  # a database read: off the GUI thread
                          lambda fresh: status.set_registry(fresh.last_synced_at, fresh.camera_count),
                          owner=status)

    def check_server(self) -> None:
        # health() never raises: it says whether the server answered.
        run_in_background(self.p.client.health, self._health, lambda exc: self.p.status.set_server(False),
                          owner=self.p.status)

    def _health(self, health) -> None:
        self.p.status.set_server(health.reachable)
        if not health.reachable:
            return
        if self.p.client.session is None:  # signed in offline; the server is back
            if not self._asked_sign_in:
                self._asked_sign_in = True
                self.sign_in_needed.emit()
            return
        self._asked_sign_in = False
        self.deliver_audit()  # records queued while it was away go now

    def signed_in_again(self) -> None:
        """After an online sign-in that followed an offline one: catch up at once."""
        self._asked_sign_in = False
        self.p.status.set_server(True)
        self.sync_registry()
        self.deliver_audit()
        if self.requests is not None:
            self.requests.start()

    def audit(self, action: str, object_: str, **fields: str) -> None:
        """Record an analyst action (durably, in order, off the GUI thread), then deliver it."""
        outbox, username, when = self.p.outbox, self.p.username, self.p.now()
        run_in_background(
            lambda: outbox.record(username=username, action=action, object=object_,
                                  occurred_at=when, **fields),
            lambda _record: self.deliver_audit(), pool=self._audit_writer)

    def deliver_audit(self) -> None:
        # An empty outbox makes deliver() a cheap no-op; it runs off the GUI thread either way.
        if self._delivering or self.p.client.session is None:
            return
        self._delivering = True
        outbox, client = self.p.outbox, self.p.client
        run_in_background(lambda: outbox.deliver(client), self._delivered, self._delivered)

    def _delivered(self, _outcome) -> None:
        self._delivering = False

    def _show_feed_health(self) -> None:
        sources = self.p.feeds.health()
        self.p.status.set_feed(sum(h.accepted for h in sources), len(self.p.feeds.health_log),
                               healthy=all(str(h.state) != "failed" for h in sources))
