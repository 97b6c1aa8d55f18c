"""One page of a wall: a tile layout, which camera (and which stream) is on each tile, its tours."""

from __future__ import annotations

from dataclasses import dataclass, field

from rtcc_desk.core.wall.layout import TileLayout
from rtcc_desk.core.wall.stream_urls import Stream
from rtcc_desk.core.wall.tour import Tour


@dataclass(frozen=True, slots=True)
class TileAssignment:
    """The camera on a tile and the stream it plays there (sub unless the analyst chose main)."""

    camera_id: str
    stream: Stream = Stream.SUB


@dataclass(eq=False)
class WallPage:
    """A page's state. Change it through its ``Wall`` so that the wall windows hear of it."""

    layout: TileLayout
    name: str = ""
    tiles: dict[int, TileAssignment] = field(default_factory=dict)
    tours: list[Tour] = field(default_factory=list)

    def camera_on(self, tile: int) -> str | None:
        assignment = self.tiles.get(tile)
        return assignment.camera_id if assignment else None

    def tiles_showing(self, camera_id: str) -> list[int]:
        return sorted(t for t, a in self.tiles.items() if a.camera_id == camera_id)

    def tour_on(self, tile: int) -> Tour | None:
        """The tour that drives ``tile``, if any."""
        return next((tour for tour in self.tours if tile in tour.tiles), None)

    def camera_ids(self) -> list[str]:
        """Cameras on this page, in tile order (each once)."""
        return list(dict.fromkeys(self.tiles[t].camera_id for t in sorted(self.tiles)))
