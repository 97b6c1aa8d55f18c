"""What changed on a wall, told to listeners (the wall windows) as plain-Python events."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field


class WallChange(enum.StrEnum):
    """The kind of change; a view redraws only what the kind concerns."""

    TILES = "tiles"  # cameras or streams on some tiles of a page
    LAYOUT = "layout"  # a page's tile layout
    PAGES = "pages"  # a page added or removed
    PAGE_SHOWN = "page_shown"  # another page is now the one shown
    MAXIMISED = "maximised"  # a tile maximised, or restored (tile None)
    SCREEN = "screen"  # the window's screen, full-screen flag or geometry
    TOURS = "tours"  # a tour started or stopped
    WALLS = "walls"  # a wall added, renamed or removed (WallSet)
    CAMERAS_DROPPED = "cameras_dropped"  # cameras taken off because they may no longer be shown


@dataclass(frozen=True, slots=True)
class Removal:
    """A camera taken off a tile (or out of a tour) that the analyst should hear about."""

    wall: str
    page: int
    tile: int | None  # None: taken out of a tour's camera group
    camera_id: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.wall}, page {self.page + 1}"
        where += f", tile {self.tile + 1}" if self.tile is not None else ", tour"
        return f"{where}: camera {self.camera_id} taken off: {self.reason}"


@dataclass(frozen=True, slots=True)
class WallEvent:
    """One change. ``page`` and ``tiles`` are 0-based; ``message`` is for the status bar."""

    change: WallChange
    wall_id: str
    page: int | None = None
    tiles: frozenset[int] = frozenset()
    message: str = ""
    removals: tuple[Removal, ...] = field(default=())


Listener = Callable[[WallEvent], None]


class Evented:
    """Listener bookkeeping shared by Wall and WallSet (as RequestQueue does it)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _tell(self, event: WallEvent) -> WallEvent:
        # A copy: a listener may unsubscribe (a window closing) while being told.
        for listener in list(self._listeners):
            listener(event)
        return event
