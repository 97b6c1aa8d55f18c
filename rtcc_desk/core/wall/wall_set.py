"""The video walls of one workstation: a wall window per monitor, each with its own pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rtcc_desk.core.wall.errors import WallError
from rtcc_desk.core.wall.events import Evented, Removal, WallChange, WallEvent
from rtcc_desk.core.wall.layout import TileLayout
from rtcc_desk.core.wall.page import WallPage
from rtcc_desk.core.wall.placement import CameraDirectory
from rtcc_desk.core.wall.wall import Clock, Wall


def utc_now() -> datetime:
    return datetime.now(UTC)


class WallSet(Evented):
    """Every wall of the workstation. Listeners hear every wall's events and WALLS changes.

    ``clock`` gives the time for tours (tests pass a fake); the UI calls ``tick()`` from a
    timer about once a second and ``recheck()`` whenever the camera inventory changes (a
    camera sent back to privacy review disappears from every wall at once).
    """

    def __init__(self, directory: CameraDirectory, *, clock: Clock = utc_now) -> None:
        super().__init__()
        self.directory = directory
        self.clock = clock
        self.walls: list[Wall] = []
        self._unsubscribe: dict[str, Callable[[], None]] = {}

    def wall(self, wall_id: str) -> Wall:
        for wall in self.walls:
            if wall.wall_id == wall_id:
                return wall
        raise WallError(f"no wall {wall_id!r} on this workstation")

    def add_wall(self, name: str = "", *, layout: TileLayout | None = None, screen_name: str = "",
                 full_screen: bool = False, wall_id: str | None = None) -> Wall:
        """A new wall with one page (2×2 unless ``layout``) to put on ``screen_name``."""
        wall_id = wall_id or self._free_id()
        if any(w.wall_id == wall_id for w in self.walls):
            raise WallError(f"there is already a wall {wall_id!r}")
        name = name or f"Wall {len(self.walls) + 1}"
        pages = [WallPage(layout)] if layout is not None else []
        wall = Wall(wall_id, name, self.directory, clock=self.clock, pages=pages,
                    screen_name=screen_name, full_screen=full_screen)
        self.adopt(wall)
        return wall

    def adopt(self, wall: Wall) -> None:
        """Take in a wall built elsewhere (restored from a file) and pass on its events."""
        self.walls.append(wall)
        self._unsubscribe[wall.wall_id] = wall.subscribe(self._tell)
        self._tell(WallEvent(WallChange.WALLS, wall.wall_id, message=f"{wall.name} added"))

    def remove_wall(self, wall_id: str) -> None:
        wall = self.wall(wall_id)
        self.walls.remove(wall)
        self._unsubscribe.pop(wall_id)()
        self._tell(WallEvent(WallChange.WALLS, wall_id, message=f"{wall.name} closed"))

    def rename_wall(self, wall_id: str, name: str) -> None:
        if not name.strip():
            raise WallError("a wall needs a name")
        wall = self.wall(wall_id)
        wall.name = name.strip()
        self._tell(WallEvent(WallChange.WALLS, wall_id, message=f"renamed {wall.name}"))

    def tick(self, now: datetime | None = None) -> None:
        """Move every tour on every wall on to what is due now."""
        now = self.clock() if now is None else now
        for wall in self.walls:
            wall.tick(now)

    def recheck(self) -> list[Removal]:
        """Take off every wall the cameras that may no longer be shown; what was taken off."""
        return [removal for wall in self.walls for removal in wall.drop_refused()]

    def walls_showing(self, camera_id: str) -> list[tuple[Wall, int, int]]:
        """(wall, page, tile) for every tile that shows ``camera_id``."""
        return [(wall, index, tile) for wall in self.walls
                for index, page in enumerate(wall.pages) for tile in page.tiles_showing(camera_id)]

    def _free_id(self) -> str:
        taken = {w.wall_id for w in self.walls}
        return next(f"wall-{n}" for n in range(1, len(taken) + 2) if f"wall-{n}" not in taken)
