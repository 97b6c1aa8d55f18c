"""In-memory spatial index of camera views (shapely STRtree) with cheap incremental updates."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

import numpy as np
import shapely

from rtcc_desk.core.calls import Call
from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.correlation import (
    DEFAULT_RADII_BY_CALL_TYPE,
    DEFAULT_RADIUS_M,
    CorrelationResult,
    make_candidate,
    ranked,
    search_radius,
    unmatched,
)
from rtcc_desk.core.geo import LatLon, LocalProjection
from rtcc_desk.core.jurisdiction import Jurisdiction
from rtcc_desk.core.view_geometry import sees, view_polygons

#: Changes held outside the tree before it is rebuilt: small enough that scanning them with
#: numpy stays well under the tree query's cost, large enough that rebuilds are rare.
MIN_PENDING_BEFORE_REBUILD = 512
MAX_PENDING_BEFORE_REBUILD = 4096
#: Per-slot numpy columns (slot = position in ``_ids``).
_COLUMNS = ("_x", "_y", "_bearing", "_half_fov", "_range", "_live")


class CameraIndex:
    """Answers "which cameras see this point" for every active camera in the jurisdiction.

    Cameras live in numbered slots. Slots below ``_tree_size`` are in the STRtree; newer
    slots are "pending" and scanned directly. A change or withdrawal retires the old slot
    and (for a change) appends a new one, so no change rebuilds the tree. The tree is rebuilt
    only once pending or retired slots pile up, which spreads its cost over many changes.
    """

    def __init__(
        self,
        jurisdiction: Jurisdiction,
        projection: LocalProjection | None = None,
        *,
        radii: Mapping[str, float] = DEFAULT_RADII_BY_CALL_TYPE,
        default_radius_m: float = DEFAULT_RADIUS_M,
    ):
        self.jurisdiction = jurisdiction
        self.projection = projection or jurisdiction.projection()
        self.radii = dict(radii)
        self.default_radius_m = default_radius_m
        self.rebuilds = 0
        self._reset()

    def _reset(self) -> None:
        """Forget every camera (the settings stay)."""
        self._cameras: dict[str, Camera] = {}
        self._slot_of: dict[str, int] = {}
        self._outside: set[str] = set()
        self._out_of_service: set[str] = set()
        self._ids: list[str] = []
        self._x, self._y, self._bearing, self._half_fov, self._range = (
            np.empty(0) for _ in range(5)
        )
        self._live = np.empty(0, dtype=bool)
        self._tree: shapely.STRtree | None = None
        self._tree_size = 0

    # ----- what is in it -------------------------------------------------------------------

    def __len__(self) -> int:
        """Active cameras that can be matched (inside the jurisdiction, not withdrawn)."""
        return len(self._slot_of)

    def __contains__(self, camera_id: str) -> bool:
        return camera_id in self._slot_of

    def camera(self, camera_id: str) -> Camera | None:
        return self._cameras.get(camera_id)

    def cameras(self) -> list[Camera]:
        """Every camera known, matched or not (outside the city, awaiting review), for the map."""
        return list(self._cameras.values())

    def is_outside(self, camera_id: str) -> bool:
        """True for a camera that was offered but lies outside the jurisdiction."""
        return camera_id in self._outside

    def is_in_service(self, camera_id: str) -> bool:
        """False for a known camera that does not record (a city camera awaiting privacy review)."""
        return camera_id in self._cameras and camera_id not in self._out_of_service

    @property
    def outside_count(self) -> int:
        return len(self._outside)

    @property
    def out_of_service_count(self) -> int:
        return len(self._out_of_service)

    # ----- changes ---------------------------------------------------------------------------

    def load(self, cameras: Iterable[Camera]) -> None:
        """Replace everything with these cameras and build the tree once."""
        self._reset()
        for camera in cameras:
            # A later record for the same id wins, a withdrawal included.
            if camera.withdrawn:
                self._cameras.pop(camera.camera_id, None)
            else:
                self._cameras[camera.camera_id] = camera
        self._out_of_service = {c.camera_id for c in self._cameras.values() if not c.in_service}
        located = [
            c for c in self._cameras.values() if c.location is not None and c.in_service
        ]
        self._outside = {c.camera_id for c in self._cameras.values() if c.location is None}
        inside = self.jurisdiction.contains_many(
            np.array([c.location.lat for c in located]),  # type: ignore[union-attr]
            np.array([c.location.lon for c in located]),  # type: ignore[union-attr]
        )
        self._outside.update(c.camera_id for c, ok in zip(located, inside, strict=True) if not ok)
        self._append_slots([c for c, ok in zip(located, inside, strict=True) if ok])
        self._rebuild()

    def put(self, camera: Camera) -> bool:
        """Add or change one camera (a withdrawn one is removed); True if it can be matched."""
        self.withdraw(camera.camera_id, rebuild=False)
        if not self._remember(camera):
            return False
        self._append_slots([camera])
        self._maybe_rebuild()
        return True

    def withdraw(self, camera_id: str, *, rebuild: bool = True) -> None:
        """Remove a camera (the owner withdrew it, or it was decommissioned)."""
        self._retire(camera_id)
        self._cameras.pop(camera_id, None)
        self._outside.discard(camera_id)
        self._out_of_service.discard(camera_id)
        if rebuild:
            self._maybe_rebuild()

    # ----- queries ---------------------------------------------------------------------------

    def candidates_at(
        self,
        point: LatLon | None,
        *,
        incident_time: datetime,
        now: datetime,
        radius_m: float,
        call_id: str = "",
    ) -> CorrelationResult:
        """Cameras within ``radius_m`` of the point whose view covers it, best first."""
        if (never := unmatched(point, self.jurisdiction, radius_m, call_id)) is not None:
            return never
        x, y = self.projection.to_metres(point)
        slots = self._slots_seeing(x, y, radius_m)
        found = [
            make_candidate(self._cameras[self._ids[s]], d, incident_time, now) for s, d in slots
        ]
        return ranked(call_id, radius_m, found)

    def candidates_for_call(
        self, call: Call, *, now: datetime, radius_m: float | None = None
    ) -> CorrelationResult:
        """Candidates for a CAD call, with the radius its call type calls for."""
        radius = search_radius(
            call, override_m=radius_m, radii=self.radii, default_m=self.default_radius_m
        )
        return self.candidates_at(
            call.location, incident_time=call.received_at, now=now, radius_m=radius,
            call_id=call.call_id,
        )

    def _slots_seeing(self, x: float, y: float, radius_m: float) -> list[tuple[int, float]]:
        # The tree answers by bounding box (cheaper than its own polygon test); the exact
        # numpy test below decides for every slot it proposes and for every pending slot.
        slots = (
            self._tree.query(shapely.Point(x, y)).astype(np.intp)
            if self._tree is not None
            else np.empty(0, dtype=np.intp)
        )
        if self._tree_size < len(self._ids):
            pending = np.arange(self._tree_size, len(self._ids), dtype=np.intp)
            slots = np.concatenate([slots, pending])
        slots = slots[self._live[slots]]
        if not len(slots):
            return []
        covers, distance = sees(
            self._x[slots], self._y[slots], self._bearing[slots], self._half_fov[slots],
            self._range[slots], x, y,
        )
        keep = covers & (distance <= radius_m)
        return list(zip(slots[keep].tolist(), distance[keep].tolist(), strict=True))

    # ----- internals -------------------------------------------------------------------------

    def _remember(self, camera: Camera) -> bool:
        """Keep the camera; True if it can be matched."""
        if camera.withdrawn:
            return False
        self._cameras[camera.camera_id] = camera
        if not camera.in_service:
            self._out_of_service.add(camera.camera_id)
            return False
        if camera.location is None or not self.jurisdiction.contains(camera.location):
            self._outside.add(camera.camera_id)
            return False
        return True

    def _append_slots(self, cameras: list[Camera]) -> None:
        if not cameras:
            return
        lats = np.array([c.location.lat for c in cameras])  # type: ignore[union-attr]
        lons = np.array([c.location.lon for c in cameras])  # type: ignore[union-attr]
        x, y = self.projection.to_metres_many(lats, lons)
        start, end = len(self._ids), len(self._ids) + len(cameras)
        self._grow(end)
        self._x[start:end] = x
        self._y[start:end] = y
        self._bearing[start:end] = [
            math.nan if c.view.direction_unknown else c.view.bearing for c in cameras
        ]
        self._half_fov[start:end] = [c.view.fov / 2 for c in cameras]
        self._range[start:end] = [c.view.range_m for c in cameras]
        self._live[start:end] = True
        for offset, camera in enumerate(cameras):
            self._ids.append(camera.camera_id)
            self._slot_of[camera.camera_id] = start + offset

    def _grow(self, needed: int) -> None:
        """Make room for ``needed`` slots, doubling so that appends cost O(1) on average."""
        capacity = len(self._live)
        if needed <= capacity:
            return
        new_capacity = max(needed, 2 * capacity, 64)
        for name in _COLUMNS:
            old = getattr(self, name)
            grown = np.zeros(new_capacity, dtype=old.dtype)
            grown[:capacity] = old
            setattr(self, name, grown)

    def _retire(self, camera_id: str) -> None:
        slot = self._slot_of.pop(camera_id, None)
        if slot is not None:
            self._live[slot] = False

    def _maybe_rebuild(self) -> None:
        pending = len(self._ids) - self._tree_size
        retired = len(self._ids) - len(self._slot_of)
        limit = min(MAX_PENDING_BEFORE_REBUILD, max(MIN_PENDING_BEFORE_REBUILD, len(self) // 20))
        if pending > limit or retired > max(limit, len(self) // 4):
            self._rebuild()

    def _rebuild(self) -> None:
        """Compact away retired slots and build the tree over every live view."""
        live = np.flatnonzero(self._live[: len(self._ids)])
        if len(live) < len(self._ids):  # plain ints: indexing a list with numpy ints is slow
            self._ids = [self._ids[i] for i in live.tolist()]
        for name in _COLUMNS:
            setattr(self, name, getattr(self, name)[live])
        self._slot_of = dict(zip(self._ids, range(len(self._ids))))
        polygons = view_polygons(self._x, self._y, self._bearing, self._half_fov, self._range)
        self._tree = shapely.STRtree(polygons) if len(polygons) else None
        self._tree_size = len(self._ids)
        self.rebuilds += 1
