"""How the map pane is set up: base map (tile URL, MBTiles package or plain), view, outlines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class MapConfig:
    """The map pane's settings; with neither ``tile_url`` nor ``mbtiles`` the base map is plain.

    ``tile_url`` is a template such as ``https://tiles.city.local/{z}/{x}/{y}.png``; it is the
    only remote address the page may reach (every other non-local request is blocked).
    ``outline`` is the jurisdiction as a GeoJSON geometry or feature; ``context`` is any
    GeoJSON (streets, beats, districts) drawn faintly under the cameras.
    ``centre`` None fits the view to the outline, else to the cameras when they arrive.
    """

    tile_url: str | None = None
    attribution: str = ""
    mbtiles: Path | None = None
    centre: tuple[float, float] | None = None
    zoom: int = 13
    min_zoom: int = 3
    max_zoom: int = 20
    outline: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    #: View wedges are drawn from this zoom on (street level), for the area in view only.
    wedge_min_zoom: int = 16
    #: Invert a light tile set's colours to suit the dark desk.
    darken_tiles: bool = False

    def __post_init__(self) -> None:
        if self.tile_url and self.mbtiles:
            raise ValueError("map: give either tile_url or mbtiles, not both")
        if self.tile_url and not all(part in self.tile_url for part in ("{z}", "{x}", "{y}")):
            raise ValueError(f"map tile_url {self.tile_url!r} needs {{z}}, {{x}} and {{y}}")
        if not 0 <= self.min_zoom <= self.zoom <= self.max_zoom <= 22:
            raise ValueError(
                f"map zooms must satisfy 0 <= min_zoom <= zoom <= max_zoom <= 22, got "
                f"{self.min_zoom}, {self.zoom}, {self.max_zoom}"
            )
        if self.centre is not None:
            lat, lon = self.centre
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"map centre {self.centre} is not a (lat, lon) position")
