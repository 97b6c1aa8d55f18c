"""The desk's copy of the server's camera registry: pulled by cursor, kept in SQLite, used
as is (with its age shown) while the server cannot be reached. Owners' cameras become
``RegisteredCamera``; the channels of businesses' edge boxes become ``EdgeChannel``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from rtcc_desk.adapters.server_link.client import RegistryChange, ServerClient
from rtcc_desk.adapters.server_link.storage import (
    RegistryCameraRow,
    RegistrySyncState,
    open_link_database,
)
from rtcc_desk.core.cameras import Camera, EdgeChannel, RecorderType, RegisteredCamera, View
from rtcc_desk.core.geo import LatLon

log = logging.getLogger("rtcc.desk.registry_cache")

PAGE_SIZE = 5000
_CHUNK = 500  # ids per IN (…) clause


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one ``sync_once`` changed, by camera id, for incremental map updates.

    ``added``: new on this desk; ``changed``: already here, now different; ``removed``: gone
    (withdrawn, lapsed or otherwise off the map). ``skipped``: ids the server sent with values
    the desk cannot use (the reason is logged); they are not on the map.
    """

    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    skipped: frozenset[str] = frozenset()
    cursor: int = 0
    pages: int = 0
    full: bool = False  # started from an empty copy (first sync, or another server)

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True, slots=True)
class RegistryFreshness:
    """How current the copy is, for the status bar."""

    camera_count: int
    cursor: int
    server_url: str
    last_synced_at: datetime | None  # None: never synced; the copy is empty
    age: timedelta | None = None

    @property
    def never_synced(self) -> bool:
        return self.last_synced_at is None


class RegistryCache:
    """Registered cameras as of the last sync. Thread-safe; one sync runs at a time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._sync_lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> RegistryCache:
        """The cache in the server-link database at ``url`` (see ``storage``)."""
        return cls(open_link_database(url))

    # ----- reading ------------------------------------------------------------------------

    def cameras(self) -> list[Camera]:
        with self._sessions() as session:
            return [_camera(row) for row in session.scalars(select(RegistryCameraRow))]

    def get_many(self, camera_ids: Iterable[str]) -> list[Camera]:
        """The cameras with these ids that are in the copy (for a SyncResult's added/changed)."""
        ids = list(camera_ids)
        found: list[Camera] = []
        with self._sessions() as session:
            for start in range(0, len(ids), _CHUNK):
                rows = session.scalars(select(RegistryCameraRow).where(
                    RegistryCameraRow.camera_id.in_(ids[start:start + _CHUNK])))
                found.extend(_camera(row) for row in rows)
        return found

    def freshness(self, now: datetime | None = None) -> RegistryFreshness:
        now = now or datetime.now(UTC)
        with self._sessions() as session:
            state = session.get(RegistrySyncState, 1)
            count = session.scalar(select(func.count()).select_from(RegistryCameraRow)) or 0
        if state is None:
            return RegistryFreshness(count, 0, "", None, None)
        synced = state.last_synced_at
        return RegistryFreshness(count, state.cursor, state.server_url, synced,
                                 max(now - synced, timedelta(0)) if synced else None)

    # ----- syncing ------------------------------------------------------------------------

    def sync_once(self, client: ServerClient, *, page_size: int = PAGE_SIZE) -> SyncResult:
        """Pull every change since the cursor, page by page, until the server has no more.

        Each page is applied in one transaction together with its cursor, so an interruption
        (ServerUnreachable, SessionExpired… are raised) loses nothing and the next call goes on
        from the last page applied. ``last_synced_at`` is set only when the copy caught up.
        """
        with self._sync_lock:
            state = self.freshness()
            # A cursor means nothing to another server: start over, but only once it answers,
            # so a mistyped address never costs the desk its copy.
            other_server = state.server_url != client.base_url
            since = 0 if other_server else state.cursor
            tracker = _Tracker()
            pages = 0
            while True:
                page = client.registry_changes(since=since, limit=page_size)
                self._apply(page.changes, page.cursor, caught_up=not page.more, tracker=tracker,
                            server_url=client.base_url if other_server and pages == 0 else None)
                pages += 1
                since = page.cursor
                if not page.more:
                    break
        return tracker.result(cursor=since, pages=pages, full=state.cursor == 0 or other_server)

    def reset(self) -> None:
        """Forget every camera and the cursor: the next sync fetches the whole registry."""
        with self._sessions.begin() as session:
            session.execute(delete(RegistryCameraRow))
            session.execute(delete(RegistrySyncState))

    def _apply(self, changes: tuple[RegistryChange, ...], cursor: int, *, caught_up: bool,
               tracker: _Tracker, server_url: str | None) -> None:
        """One page in one transaction, with its cursor; ``server_url``: first page from a new
        server, which replaces the whole copy."""
        rows = []
        for change in changes:
            values = _row_values(change) if change.present else None
            if change.present and values is None:
                tracker.skipped.add(change.id)
            if values is not None:
                rows.append(values)
        ids = [c.id for c in changes]
        with self._sessions.begin() as session:
            state = session.get(RegistrySyncState, 1)
            if state is None:
                state = RegistrySyncState(id=1, server_url=server_url or "", cursor=0)
                session.add(state)
            if server_url is not None:
                for camera_id in session.scalars(select(RegistryCameraRow.camera_id)):
                    tracker.saw(camera_id, before=True, after=False)
                session.execute(delete(RegistryCameraRow))
                state.server_url, state.last_synced_at = server_url, None
            existing = set()
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                existing.update(session.scalars(select(RegistryCameraRow.camera_id).where(
                    RegistryCameraRow.camera_id.in_(chunk))))
                session.execute(delete(RegistryCameraRow).where(RegistryCameraRow.camera_id.in_(chunk)))
            if rows:
                session.execute(insert(RegistryCameraRow), rows)
            state.cursor = cursor
            if caught_up:
                state.last_synced_at = datetime.now(UTC)
        kept = {r["camera_id"] for r in rows}
        for camera_id in ids:
            tracker.saw(camera_id, before=camera_id in existing, after=camera_id in kept)


@dataclass
class _Tracker:
    """Net effect of a sync on each camera: present before it started, present now."""

    before: dict[str, bool] = field(default_factory=dict)
    after: dict[str, bool] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)

    def saw(self, camera_id: str, *, before: bool, after: bool) -> None:
        self.before.setdefault(camera_id, before)
        self.after[camera_id] = after

    def result(self, *, cursor: int, pages: int, full: bool) -> SyncResult:
        was = {i for i, present in self.before.items() if present}
        now = {i for i, present in self.after.items() if present}
        return SyncResult(added=frozenset(now - was), removed=frozenset(was - now),
                          changed=frozenset(now & was), skipped=frozenset(self.skipped - now),
                          cursor=cursor, pages=pages, full=full)


def _row_values(change: RegistryChange) -> dict | None:
    """Column values for a present camera, or None when the desk cannot use what was sent."""
    try:
        camera = _to_camera(change.id, change.kind, change.label or "", change.lat, change.lon,
                            change.bearing, change.fov, change.range_m, change.recorder_type,
                            change.retention_days, change.edge_box_id, change.channel)
    except (TypeError, ValueError) as exc:
        log.warning("registry camera %s left off the map: %s", change.id, exc)
        return None
    edge = isinstance(camera, EdgeChannel)
    return {
        "camera_id": change.id, "kind": camera.kind.value, "label": camera.name,
        "lat": camera.location.lat, "lon": camera.location.lon, "bearing": camera.view.bearing,
        "fov": camera.view.fov, "range_m": camera.view.range_m,
        "recorder_type": (RecorderType.EDGE_DEVICE if edge else camera.recorder_type).value,
        "retention_days": camera.retention_days,
        "edge_box_id": camera.edge_device_id if edge else None,
        "channel": camera.channel if edge else None,
        "sync_version": change.sync_version, "updated_at": change.updated_at,
    }


def _camera(row: RegistryCameraRow) -> Camera:
    return _to_camera(row.camera_id, row.kind, row.label, row.lat, row.lon, row.bearing, row.fov,
                      row.range_m, row.recorder_type, row.retention_days, row.edge_box_id,
                      row.channel)


def _to_camera(camera_id, kind, label, lat, lon, bearing, fov, range_m, recorder,
               retention_days, edge_box_id=None, channel=None) -> Camera:
    if kind not in ("business", "residential", "edge_channel"):
        raise ValueError(f"unknown kind {kind!r}")
    if lat is None or lon is None:
        raise ValueError("no location")
    view = View(bearing, float(fov), float(range_m))
    if kind == "edge_channel":
        # A business's edge box: the analyst asks the box itself (clip or live), not the owner.
        if not edge_box_id or channel is None:
            raise ValueError("edge channel without its box id or channel number")
        return EdgeChannel(camera_id=camera_id, name=label, location=LatLon(float(lat), float(lon)),
                           view=view, retention_days=retention_days,
                           edge_device_id=edge_box_id, channel=int(channel))
    try:
        recorder_type = RecorderType(recorder or RecorderType.UNKNOWN)
    except ValueError:
        recorder_type = RecorderType.OTHER  # a recorder kind this desk does not know yet
    # The owner stays on the server: the desk asks for contact details (audited) when needed.
    return RegisteredCamera(
        camera_id=camera_id, name=label, location=LatLon(float(lat), float(lon)),
        view=view, retention_days=retention_days, owner_ref="", recorder_type=recorder_type,
        is_business=kind == "business",
    )
