"""WGS84 positions at the boundary, metric projected coordinates for every distance and angle."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer


@dataclass(frozen=True, slots=True)
class LatLon:
    """A WGS84 position in decimal degrees (latitude first, as people say it)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and math.isfinite(self.lon)):
            raise ValueError(f"coordinates must be finite numbers, got ({self.lat}, {self.lon})")
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"latitude {self.lat} is outside -90..90")
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"longitude {self.lon} is outside -180..180")


class LocalProjection:
    """A transverse Mercator projection centred on the jurisdiction.

    Centred on the city, scale error and grid-north offset stay far below what a camera's
    range or bearing is known to, so metres and bearings computed here can be trusted.
    """

    def __init__(self, centre: LatLon) -> None:
        self.centre = centre
        self.crs = CRS.from_proj4(
            f"+proj=tmerc +lat_0={centre.lat} +lon_0={centre.lon} +k=1 +x_0=0 +y_0=0 "
            "+ellps=WGS84 +units=m +no_defs"
        )
        self._forward = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._inverse = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)

    def to_metres(self, point: LatLon) -> tuple[float, float]:
        """Project one position to (x east, y north) metres."""
        x, y = self._forward.transform(point.lon, point.lat)
        return float(x), float(y)

    def to_metres_many(self, lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project arrays of positions at once (much faster than one by one)."""
        x, y = self._forward.transform(np.asarray(lons, float), np.asarray(lats, float))
        return np.asarray(x), np.asarray(y)

    def to_latlon(self, x: float, y: float) -> LatLon:
        """Back from projected metres to WGS84."""
        lon, lat = self._inverse.transform(x, y)
        return LatLon(float(lat), float(lon))


def bearing_degrees(dx: np.ndarray | float, dy: np.ndarray | float) -> np.ndarray | float:
    """Compass bearing (0 = north, 90 = east) of a displacement in projected metres."""
    return np.degrees(np.arctan2(dx, dy)) % 360.0


def angle_between(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray | float:
    """Smallest absolute difference between two compass bearings, 0..180 degrees."""
    diff = np.abs((np.asarray(a) - np.asarray(b)) % 360.0)
    return np.minimum(diff, 360.0 - diff)
