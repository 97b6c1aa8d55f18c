"""The area the RTCC serves: cameras and calls outside it are flagged and never matched."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from rtcc_desk.core.geo import LatLon, LocalProjection


class JurisdictionError(ValueError):
    """The boundary given in configuration or on the command line cannot be used."""


@dataclass(frozen=True)
class Jurisdiction:
    """A named boundary in WGS84 (shapely x = longitude, y = latitude)."""

    name: str
    boundary: BaseGeometry

    def __post_init__(self) -> None:
        if self.boundary.is_empty or self.boundary.geom_type not in ("Polygon", "MultiPolygon"):
            raise JurisdictionError(f"jurisdiction {self.name!r} needs a polygon boundary")
        shapely.prepare(self.boundary)

    @classmethod
    def from_bbox(cls, name: str, south: float, west: float, north: float, east: float):
        if not (south < north and west < east):
            raise JurisdictionError(
                f"bounding box must be south<north and west<east, got {south},{west},{north},{east}"
            )
        return cls(name, box(west, south, east, north))

    @classmethod
    def from_text(cls, text: str, name: str = "jurisdiction") -> Jurisdiction:
        """A path to a GeoJSON file, or a bounding box written ``south,west,north,east``."""
        parts = text.split(",")
        if len(parts) == 4:
            try:
                south, west, north, east = (float(p) for p in parts)
            except ValueError as exc:
                raise JurisdictionError(f"bounding box {text!r}: {exc}") from None
            return cls.from_bbox(name, south, west, north, east)
        return cls.from_geojson_file(Path(text))

    @classmethod
    def from_geojson_file(cls, path: Path) -> Jurisdiction:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, json.JSONDecodeError) as exc:
            raise JurisdictionError(f"{path}: cannot read GeoJSON boundary: {exc}") from None
        return cls.from_geojson(data, name=Path(path).stem)

    @classmethod
    def from_geojson(cls, data: dict, name: str = "jurisdiction") -> Jurisdiction:
        """Accepts a Polygon/MultiPolygon geometry, a Feature or a FeatureCollection (union)."""
        try:
            if data.get("type") == "FeatureCollection":
                geoms = [shape(f["geometry"]) for f in data["features"]]
                geometry = shapely.union_all(geoms)
            elif data.get("type") == "Feature":
                geometry = shape(data["geometry"])
                name = (data.get("properties") or {}).get("name", name)
            else:
                geometry = shape(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise JurisdictionError(f"boundary {name!r} is not valid GeoJSON: {exc}") from None
        return cls(name, geometry)

    def contains(self, point: LatLon) -> bool:
        return bool(shapely.intersects_xy(self.boundary, point.lon, point.lat))

    def contains_many(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Vectorised ``contains`` for arrays of positions."""
        if len(lats) == 0:
            return np.zeros(0, dtype=bool)
        return shapely.intersects_xy(self.boundary, lons, lats)

    @property
    def centre(self) -> LatLon:
        c = self.boundary.centroid
        return LatLon(c.y, c.x)

    def projection(self) -> LocalProjection:
        """The metric projection used for every distance in this jurisdiction."""
        return _projection_at(self.centre)


@functools.lru_cache(maxsize=16)
def _projection_at(centre: LatLon) -> LocalProjection:
    # Building pyproj transformers costs tens of milliseconds; a city needs only one.
    return LocalProjection(centre)


#: Shreveport, Louisiana (city limits' bounding box, rounded outward).
SHREVEPORT = Jurisdiction.from_bbox("Shreveport", 32.36, -93.93, 32.59, -93.66)
