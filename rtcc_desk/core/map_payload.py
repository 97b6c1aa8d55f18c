"""What the map page is sent: cameras as packed columns, calls, searches and view wedges.

The page holds up to hundreds of thousands of cameras, so cameras never travel one object
each: ``CameraTable`` keeps them as numpy columns and ``encode`` packs any set of rows into
a few base64 arrays the page unpacks into typed arrays. Everything here is JSON-able.
"""

from __future__ import annotations

import base64
import enum
import json
import threading
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from rtcc_desk.core.calls import Call
from rtcc_desk.core.cameras import DEFAULT_VIEW, Camera, CameraKind, PoleCamera
from rtcc_desk.core.geo import LatLon, LocalProjection
from rtcc_desk.core.view_geometry import RING_VERTICES, view_polygons


class MapLayer(enum.StrEnum):
    """The layers the analyst toggles on the map (names shared with the page)."""

    CITY_POLES = "city_poles"
    BUSINESS = "business"
    RESIDENTIAL = "residential"
    EDGE = "edge"
    CALLS = "calls"
    SEARCH = "search"


#: Camera kind → its layer; the kind code sent to the page is the position in this tuple.
CAMERA_LAYERS: tuple[tuple[CameraKind, MapLayer], ...] = (
    (CameraKind.CITY_POLE, MapLayer.CITY_POLES),
    (CameraKind.BUSINESS, MapLayer.BUSINESS),
    (CameraKind.RESIDENTIAL, MapLayer.RESIDENTIAL),
    (CameraKind.EDGE_CHANNEL, MapLayer.EDGE),
)
KIND_CODE = {kind: code for code, (kind, _) in enumerate(CAMERA_LAYERS)}
LAYER_CODE = {layer: code for code, (_, layer) in enumerate(CAMERA_LAYERS)}
#: Kind code of a deleted row (a camera removed since the table was last compacted).
DELETED = 255
#: Flag bits sent per camera.
FLAG_NOT_LIVE = 1  # a city camera still waiting for its privacy review: drawn hollow

_ID, _KIND, _LOCATION, _VIEW = (operator.attrgetter(name) for name in
                                ("camera_id", "kind", "location", "view"))
_LAT, _LON = operator.attrgetter("lat"), operator.attrgetter("lon")
_BEARING, _FOV, _RANGE = (operator.attrgetter(name) for name in ("bearing", "fov", "range_m"))
#: Points of each sector outline from ``view_polygons`` (closed ring: the first point again).
RING_POINTS = RING_VERTICES + 1
_VIEW_COLUMNS = frozenset({"bearing", "fov", "range"})
_COLUMNS = (("kind", np.uint8), ("lat", np.float64), ("lon", np.float64),
            ("bearing", np.float32), ("fov", np.float32), ("range", np.float32),
            ("flags", np.uint8))


def shown_on_map(camera: Camera) -> bool:
    """Withdrawn cameras and cameras without a position have no place on the map."""
    return camera.location is not None and not camera.withdrawn


class CameraTable:
    """The cameras on the map as growable numpy columns, with rows found by camera id.

    After ``replace`` the view columns (bearing, fov, range), which only wedges need, may be
    left for later (``views_later=True``): ``compute_views`` fills them off the GUI thread,
    and the first reader before that computes them on the spot.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.cameras: list[Camera | None] = []  # None: deleted row
        self.row_of: dict[str, int] = {}
        self._cols = {name: np.zeros(0, dtype) for name, dtype in _COLUMNS}
        self._size = 0
        self._views_pending = 0  # rows [0, n) whose view columns are not filled yet
        self._rings: np.ndarray | None = None  # sector outlines worked out so far (NaN: not yet)

    def __len__(self) -> int:
        return len(self.row_of)

    def __contains__(self, camera_id: str) -> bool:
        return camera_id in self.row_of

    def camera(self, camera_id: str) -> Camera | None:
        row = self.row_of.get(camera_id)
        return None if row is None else self.cameras[row]

    def column(self, name: str) -> np.ndarray:
        if self._views_pending and name in _VIEW_COLUMNS:
            self.fill_views(self.compute_views())
        return self._cols[name][: self._size]

    @classmethod
    def of(cls, cameras: Iterable[Camera], *, views_later: bool = False) -> CameraTable:
        table = cls()
        table.replace(cameras, views_later=views_later)
        return table

    def replace(self, cameras: Iterable[Camera], *, views_later: bool = False) -> None:
        """Start again with these cameras (those not shown on the map are left out)."""
        kept = [c for c in cameras if c.location is not None and not c.withdrawn]
        self.ids, self.cameras, self.row_of, self._size = [], [], {}, 0
        self._cols = {name: np.zeros(0, dtype) for name, dtype in _COLUMNS}
        self._views_pending = 0
        self._rings = None
        self._append(kept, views=not views_later)
        if len(self.row_of) != self._size:  # a repeated id: the last one wins
            latest = self.row_of
            self.replace([c for i, c in enumerate(kept) if latest[c.camera_id] == i],
                         views_later=views_later)
        elif views_later:
            self._views_pending = self._size

    def compute_views(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
        """The view columns still missing (safe on a worker thread: reads a snapshot)."""
        n = self._views_pending
        if not n:
            return None
        # a deleted row reads as the default view (its values are never used)
        views = [DEFAULT_VIEW if c is None else c.view for c in self.cameras[:n]]
        return (n, np.array(list(map(_BEARING, views)), dtype=np.float32),
                np.fromiter(map(_FOV, views), np.float32, n),
                np.fromiter(map(_RANGE, views), np.float32, n))

    def fill_views(self, computed: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None) -> None:
        """Install ``compute_views``' result, unless the table was replaced meanwhile."""
        if computed is None or computed[0] != self._views_pending:
            return
        n, bearing, fov, range_m = computed
        cols = self._cols
        cols["bearing"][:n], cols["fov"][:n], cols["range"][:n] = bearing, fov, range_m
        self._views_pending = 0

    def put(self, cameras: Iterable[Camera]) -> tuple[list[int], list[str]]:
        """Add or update cameras; returns (rows written, ids removed because not shown)."""
        removed: list[str] = []
        fresh: dict[str, Camera] = {}
        for camera in cameras:
            # an updated camera gets a new row (the page keeps its rows in a spatial order)
            was_shown = self._delete(camera.camera_id)
            if shown_on_map(camera):
                fresh[camera.camera_id] = camera
            else:
                fresh.pop(camera.camera_id, None)
                if was_shown:
                    removed.append(camera.camera_id)
        first = self._size
        self._append(list(fresh.values()))
        return list(range(first, self._size)), removed

    def remove(self, camera_ids: Iterable[str]) -> list[str]:
        """Drop cameras by id; returns the ids that were on the map."""
        return [cid for cid in camera_ids if self._delete(cid)]

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.column("kind") != DELETED)

    def counts(self) -> dict[str, int]:
        """Cameras per layer name."""
        per_code = np.bincount(self.column("kind"), minlength=DELETED + 1)
        return {layer.value: int(per_code[code]) for layer, code in LAYER_CODE.items()}

    def compact_if_sparse(self) -> None:
        """Drop deleted rows once they are a quarter of the table (row numbers change)."""
        if self._size <= 1024 or len(self) >= 0.75 * self._size:
            return
        live = self.live_rows()
        self.fill_views(self.compute_views())
        self.ids = [self.ids[i] for i in live.tolist()]
        self.cameras = [self.cameras[i] for i in live.tolist()]
        self._cols = {name: self.column(name)[live].copy() for name, _ in _COLUMNS}
        self._rings = None
        self._size = len(live)
        self.row_of = dict(zip(self.ids, range(self._size)))

    def _delete(self, camera_id: str) -> bool:
        row = self.row_of.pop(camera_id, None)
        if row is None:
            return False
        self._cols["kind"][row] = DELETED
        self.cameras[row] = None
        return True

    def _append(self, cameras: Sequence[Camera], views: bool = True) -> None:
        # One C-level pass per column (map + attrgetter): 100k cameras are a lot of Python.
        n = len(cameras)
        if not n:
            return
        needed = self._size + n
        if needed > len(self._cols["kind"]):
            capacity = max(needed, 2 * len(self._cols["kind"]), 64)
            for name, col in self._cols.items():
                grown = np.zeros(capacity, col.dtype)
                grown[: self._size] = col[: self._size]
                self._cols[name] = grown
        part = slice(self._size, needed)
        cols = self._cols
        new_ids = list(map(_ID, cameras))
        self.row_of.update(zip(new_ids, range(self._size, needed)))
        locations = list(map(_LOCATION, cameras))
        codes = map(KIND_CODE.__getitem__, map(_KIND, cameras))
        cols["kind"][part] = np.fromiter(codes, np.uint8, n)
        cols["lat"][part] = np.fromiter(map(_LAT, locations), np.float64, n)
        cols["lon"][part] = np.fromiter(map(_LON, locations), np.float64, n)
        if views:
            seen = list(map(_VIEW, cameras))
            # a bearing of None (direction unknown) becomes NaN
            cols["bearing"][part] = np.array(list(map(_BEARING, seen)), dtype=np.float32)
            cols["fov"][part] = np.fromiter(map(_FOV, seen), np.float32, n)
            cols["range"][part] = np.fromiter(map(_RANGE, seen), np.float32, n)
        flags = cols["flags"][part]
        flags[:] = 0
        for row in np.flatnonzero(cols["kind"][part] == KIND_CODE[CameraKind.CITY_POLE]).tolist():
            if not cameras[row].in_service:  # awaiting its privacy review
                flags[row] = FLAG_NOT_LIVE
        self.ids.extend(new_ids)
        self.cameras.extend(cameras)
        self._size = needed

    def encode(self, rows: Sequence[int] | np.ndarray | None = None) -> dict[str, Any]:
        """Rows (default: every live row, west to east) packed for the page.

        Only what the page draws travels: kind, position and flags. Positions go as float32
        offsets from a rounded origin (millimetres in a city), half the bytes of float64.
        """
        if rows is None:
            live = self.live_rows()
            rows = live[np.argsort(self.column("lon")[live], kind="stable")]
        rows = np.asarray(rows, dtype=np.int64)
        ids = list(operator.itemgetter(*rows.tolist())(self.ids)) if len(rows) > 1 else [
            self.ids[i] for i in rows.tolist()]
        # one newline-joined string is much quicker to send and split than a list of strings
        text = "\n".join(ids)
        plain = text.count("\n") == max(len(ids) - 1, 0)
        payload: dict[str, Any] = {"idText": text} if plain else {"ids": ids}
        lat, lon = self.column("lat")[rows], self.column("lon")[rows]
        origin = [0.0, 0.0]
        if len(rows):
            origin = [round(float(np.median(lat)), 2), round(float(np.median(lon)), 2)]
        payload.update(
            count=len(ids),
            origin=origin,
            kind=_packed(self.column("kind")[rows], "u1"),
            dlat=_packed(lat - origin[0], "<f4"),
            dlon=_packed(lon - origin[1], "<f4"),
            flags=_packed(self.column("flags")[rows], "u1"),
        )
        return payload

    def wedges(
        self,
        south: float,
        west: float,
        north: float,
        east: float,
        layers: Iterable[str],
        centre: LatLon,
        limit: int = 3000,
    ) -> WedgeSet:
        """View sectors of the cameras in a box (direction unknown: range circles).

        Sectors come from ``view_geometry.view_polygons``, the same polygons the spatial index
        uses, worked out in a projection centred on ``centre`` once per camera and kept.
        Past ``limit`` cameras, those nearest the box's centre are kept. Call it on the
        thread that uses pyproj (the GUI thread); ``WedgeSet.to_json`` may run anywhere.
        """
        codes = [LAYER_CODE[MapLayer(name)] for name in layers if MapLayer(name) in LAYER_CODE]
        kind, lat, lon = self.column("kind"), self.column("lat"), self.column("lon")
        margin = 0.05  # degrees (~5 km): no camera sees further, so none is cut at the edge
        inside = (np.isin(kind, codes) & (lat >= south - margin) & (lat <= north + margin)
                  & (lon >= west - margin) & (lon <= east + margin))
        rows = np.flatnonzero(inside)
        if len(rows) > limit:
            d2 = (lat[rows] - (south + north) / 2) ** 2 + (lon[rows] - (west + east) / 2) ** 2
            rows = rows[np.argsort(d2, kind="stable")[:limit]]
        sector = ~np.isnan(self.column("bearing")[rows]) & (self.column("fov")[rows] < 360.0)
        sectors, circles = rows[sector], rows[~sector]
        return WedgeSet(
            sector_ids=[self.ids[i] for i in sectors.tolist()],
            sector_kind=kind[sectors].copy(),
            rings=self._rings_for(sectors, centre),
            circle_ids=[self.ids[i] for i in circles.tolist()],
            circle_kind=kind[circles].copy(),
            circle_lat=lat[circles].copy(),
            circle_lon=lon[circles].copy(),
            circle_range=self.column("range")[circles].copy(),
        )

    def _rings_for(self, rows: np.ndarray, centre: LatLon) -> np.ndarray:
        """Sector outlines (lat, lon per vertex) of these rows, worked out once per camera."""
        if self._rings is None or len(self._rings) < self._size:
            grown = np.full((self._size, RING_POINTS, 2), np.nan)
            if self._rings is not None:
                grown[: len(self._rings)] = self._rings
            self._rings = grown
        missing = rows[np.isnan(self._rings[rows, 0, 0])]
        if len(missing):
            projection, to_wgs84 = _projections(centre)
            x, y = projection.to_metres_many(self.column("lat")[missing],
                                             self.column("lon")[missing])
            polygons = view_polygons(
                x, y, self.column("bearing")[missing].astype(float),
                self.column("fov")[missing].astype(float) / 2.0,
                self.column("range")[missing].astype(float),
            )
            coords = shapely.get_coordinates(shapely.get_exterior_ring(polygons))
            lons, lats = to_wgs84.transform(coords[:, 0], coords[:, 1])
            self._rings[missing] = np.stack([lats, lons], axis=-1).reshape(-1, RING_POINTS, 2)
        return self._rings[rows].copy()


@dataclass(frozen=True)
class WedgeSet:
    """The wedges for one view, copied out of the table: safe to encode on any thread."""

    sector_ids: list[str]
    sector_kind: np.ndarray
    rings: np.ndarray  # (sectors, RING_POINTS, 2): lat, lon
    circle_ids: list[str]
    circle_kind: np.ndarray
    circle_lat: np.ndarray
    circle_lon: np.ndarray
    circle_range: np.ndarray

    def __len__(self) -> int:
        return len(self.sector_ids) + len(self.circle_ids)

    def to_json(self) -> str:
        return json.dumps({
            "sectors": {"ids": self.sector_ids, "kind": self.sector_kind.tolist(),
                        "ring": self.rings.round(6).ravel().tolist(), "vertices": RING_POINTS},
            "circles": {"ids": self.circle_ids, "kind": self.circle_kind.tolist(),
                        "lat": self.circle_lat.round(6).tolist(),
                        "lon": self.circle_lon.round(6).tolist(),
                        "range": self.circle_range.astype(float).round(1).tolist()},
        })


def _packed(values: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


_per_thread = threading.local()


def _projections(centre: LatLon) -> tuple[LocalProjection, Transformer]:
    """The metric projection at ``centre`` and its inverse, made once per thread.

    pyproj objects must stay on the thread that made them; building them costs tens of
    milliseconds, so each thread keeps its own.
    """
    cache: dict[LatLon, tuple[LocalProjection, Transformer]] = _per_thread.__dict__.setdefault(
        "projections", {})
    if centre not in cache:
        projection = LocalProjection(centre)
        inverse = Transformer.from_crs(projection.crs, "EPSG:4326", always_xy=True)
        cache[centre] = (projection, inverse)
    return cache[centre]


def call_payload(call: Call) -> dict[str, Any] | None:
    """What the map shows of a call; None when the call has no usable location."""
    if call.location is None:
        return None
    return {
        "id": call.call_id,
        "lat": call.location.lat,
        "lon": call.location.lon,
        "label": call.call_type.label,
        "code": call.call_type.common_code or "",
        "address": call.address,
        "priority": call.priority.common,
        "priorityText": call.priority.local_text,
        "status": call.status,
        "received": call.received_at.isoformat(),
    }


def search_payload(
    lat: float, lon: float, radius_m: float, candidate_ids: Iterable[str]
) -> dict[str, Any]:
    """A search circle and the cameras to highlight in it."""
    if not radius_m > 0:
        raise ValueError(f"search radius {radius_m} m must be positive")
    return {"lat": float(lat), "lon": float(lon), "radius": float(radius_m),
            "ids": list(dict.fromkeys(candidate_ids))}


_KIND_LABELS = {
    CameraKind.CITY_POLE: "City pole camera",
    CameraKind.BUSINESS: "Registered business",
    CameraKind.RESIDENTIAL: "Registered residential",
    CameraKind.EDGE_CHANNEL: "Edge device channel",
}


def describe_camera(camera: Camera) -> dict[str, str]:
    """The short text the map shows when the pointer rests on a camera."""
    view = camera.view
    if view.direction_unknown:
        seen = f"direction unknown · {view.range_m:g} m"
    else:
        seen = f"looking {view.bearing:.0f}° · {view.fov:g}° view · {view.range_m:g} m"
    if isinstance(camera, PoleCamera) and not camera.in_service:
        seen += " · awaiting privacy review"
    return {"id": camera.camera_id, "name": camera.name, "kind": _KIND_LABELS[camera.kind],
            "view": seen}
