"""One video wall window: its pages, the page shown, a maximised tile, tours, and its screen.

Tile and page numbers are 0-based in this API and shown 1-based in every message. Every
change is told to listeners as a ``WallEvent`` (on the caller's thread).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from rtcc_desk.core.correlation import CorrelationResult
from rtcc_desk.core.screen_placement import SavedWindow
from rtcc_desk.core.wall.errors import WallError
from rtcc_desk.core.wall.events import Evented, Removal, WallChange, WallEvent
from rtcc_desk.core.wall.layout import TileLayout
from rtcc_desk.core.wall.page import TileAssignment, WallPage
from rtcc_desk.core.wall.placement import CameraDirectory, may_show, refusal, wall_camera
from rtcc_desk.core.wall.pop import PopResult, cameras_seeing, no_match_reason
from rtcc_desk.core.wall.stream_urls import Stream
from rtcc_desk.core.wall.tour import Tour

Clock = Callable[[], datetime]
DEFAULT_LAYOUT = TileLayout.grid(2)


class Wall(Evented):
    """A wall window's model; the window subscribes and redraws what each event names."""

    def __init__(self, wall_id: str, name: str, directory: CameraDirectory, *, clock: Clock,
                 pages: Sequence[WallPage] = (), screen_name: str = "",
                 full_screen: bool = False, window: SavedWindow | None = None) -> None:
        super().__init__()
        self.wall_id = wall_id
        self.name = name or wall_id
        self.directory = directory
        self.clock = clock
        self.pages: list[WallPage] = list(pages) or [WallPage(DEFAULT_LAYOUT)]
        self.current = 0
        self.maximised: int | None = None
        self.screen_name = screen_name
        self.full_screen = full_screen
        self.window = window

    # ----- reading ---------------------------------------------------------------------------

    @property
    def page(self) -> WallPage:
        """The page shown."""
        return self.pages[self.current]

    def page_at(self, page: int | None = None) -> tuple[int, WallPage]:
        """(index, page) for ``page`` (None: the page shown); WallError if there is no such page."""
        index = self.current if page is None else page
        if not isinstance(index, int) or not 0 <= index < len(self.pages):
            raise WallError(f"{self.name} has pages 1-{len(self.pages)}, not page {_shown(index)}")
        return index, self.pages[index]

    def camera_on(self, tile: int, page: int | None = None) -> str | None:
        _, sheet = self.page_at(page)
        return sheet.camera_on(sheet.layout.check_tile(tile))

    def stream_for(self, tile: int, page: int | None = None) -> Stream | None:
        """The stream a tile plays: main while maximised, else what it was given; None if empty."""
        index, sheet = self.page_at(page)
        assignment = sheet.tiles.get(sheet.layout.check_tile(tile))
        if assignment is None:
            return None
        if index == self.current and self.maximised == tile:
            return Stream.MAIN
        return assignment.stream

    def visible_tiles(self) -> tuple[int, ...]:
        """Tiles that are on screen now (only they should decode): the maximised one, or all."""
        if self.maximised is not None:
            return (self.maximised,)
        return tuple(range(len(self.page.layout)))

    # ----- pages -----------------------------------------------------------------------------

    def add_page(self, layout: TileLayout | None = None, name: str = "") -> int:
        """Add an empty page (the shown page's layout unless given); returns its index."""
        self.pages.append(WallPage(layout or self.page.layout, name))
        index = len(self.pages) - 1
        self._tell(WallEvent(WallChange.PAGES, self.wall_id, index,
                             message=f"page {index + 1} added"))
        return index

    def remove_page(self, page: int) -> None:
        index, _ = self.page_at(page)
        if len(self.pages) == 1:
            raise WallError(f"{self.name} has only one page; a wall keeps at least one")
        del self.pages[index]
        if self.current >= index and self.current > 0:
            # The page shown moves down one (or, if it was removed, its predecessor is shown).
            if self.current == index:
                self.maximised = None
            self.current -= 1
        elif self.current == index:
            self.maximised = None
        self._tell(WallEvent(WallChange.PAGES, self.wall_id, index,
                             message=f"page {index + 1} removed"))

    def show_page(self, page: int) -> None:
        index, _ = self.page_at(page)
        if index == self.current:
            return
        self.current, self.maximised = index, None
        self._tell(WallEvent(WallChange.PAGE_SHOWN, self.wall_id, index))

    def next_page(self) -> None:
        self.show_page((self.current + 1) % len(self.pages))

    def previous_page(self) -> None:
        self.show_page((self.current - 1) % len(self.pages))

    def set_layout(self, layout: TileLayout, page: int | None = None) -> list[Removal]:
        """Give a page another layout; cameras on tiles the new layout lacks are taken off."""
        index, sheet = self.page_at(page)
        count = len(layout)
        removals = [Removal(self.name, index, t, a.camera_id,
                            f"the {layout.name} layout has {count} tiles")
                    for t, a in sorted(sheet.tiles.items()) if t >= count]
        stopped = [tour for tour in sheet.tours if max(tour.tiles) >= count]
        sheet.layout = layout
        sheet.tiles = {t: a for t, a in sheet.tiles.items() if t < count}
        sheet.tours = [tour for tour in sheet.tours if tour not in stopped]
        if index == self.current and self.maximised is not None and self.maximised >= count:
            self.maximised = None
        note = f"{len(stopped)} tour(s) stopped: their tiles are gone" if stopped else ""
        self._tell(WallEvent(WallChange.LAYOUT, self.wall_id, index, message=note,
                             removals=tuple(removals)))
        return removals

    # ----- tiles -----------------------------------------------------------------------------

    def place(self, tile: int, camera_id: str, *, stream: Stream = Stream.SUB,
              page: int | None = None) -> None:
        """Put a camera on a tile (dragged from the map, the candidates or the camera tree).

        Raises CameraRefused for a camera that may not be shown (awaiting privacy review,
        rejected, withdrawn, not a city camera, unknown). A camera already on another tile of
        the page moves here; a tour driving the tile stops.
        """
        index, sheet = self.page_at(page)
        sheet.layout.check_tile(tile)
        camera = wall_camera(self.directory, camera_id)
        changed = {tile, *sheet.tiles_showing(camera.camera_id)}
        stopped = self._stop_tours(sheet, {tile}, reason=f"tile {tile + 1} was set by hand")
        for other in sheet.tiles_showing(camera.camera_id):
            del sheet.tiles[other]
        sheet.tiles[tile] = TileAssignment(camera.camera_id, Stream(stream))
        self._tell(WallEvent(WallChange.TILES, self.wall_id, index, frozenset(changed), stopped))

    def clear(self, tile: int, page: int | None = None) -> None:
        index, sheet = self.page_at(page)
        sheet.layout.check_tile(tile)
        stopped = self._stop_tours(sheet, {tile}, reason=f"tile {tile + 1} was cleared")
        if sheet.tiles.pop(tile, None) is not None or stopped:
            self._tell(WallEvent(WallChange.TILES, self.wall_id, index, frozenset({tile}), stopped))

    def clear_page(self, page: int | None = None) -> None:
        index, sheet = self.page_at(page)
        tiles = frozenset(sheet.tiles)
        stopped = self._stop_tours(sheet, set(range(len(sheet.layout))),
                                   reason="the page was cleared")
        sheet.tiles.clear()
        self._tell(WallEvent(WallChange.TILES, self.wall_id, index, tiles, stopped))

    def swap(self, a: int, b: int, page: int | None = None) -> None:
        """Exchange two tiles' cameras (a tile dragged onto another)."""
        index, sheet = self.page_at(page)
        sheet.layout.check_tile(a)
        sheet.layout.check_tile(b)
        if a == b:
            return
        stopped = self._stop_tours(sheet, {a, b}, reason="its tiles were rearranged by hand")
        first, second = sheet.tiles.pop(a, None), sheet.tiles.pop(b, None)
        if first is not None:
            sheet.tiles[b] = first
        if second is not None:
            sheet.tiles[a] = second
        self._tell(WallEvent(WallChange.TILES, self.wall_id, index, frozenset({a, b}), stopped))

    def set_stream(self, tile: int, stream: Stream, page: int | None = None) -> None:
        index, sheet = self.page_at(page)
        assignment = sheet.tiles.get(sheet.layout.check_tile(tile))
        if assignment is None:
            raise WallError(f"tile {tile + 1} of {self.name} shows no camera")
        sheet.tiles[tile] = TileAssignment(assignment.camera_id, Stream(stream))
        self._tell(WallEvent(WallChange.TILES, self.wall_id, index, frozenset({tile})))

    # ----- maximise --------------------------------------------------------------------------

    def maximise(self, tile: int) -> None:
        """Show one tile of the page shown over the whole window (it then plays the main stream)."""
        self.page.layout.check_tile(tile)
        if self.maximised != tile:
            self.maximised = tile
            self._tell(WallEvent(WallChange.MAXIMISED, self.wall_id, self.current,
                                 frozenset({tile})))

    def restore(self) -> None:
        """Back to the page's layout after ``maximise``."""
        if self.maximised is not None:
            tile, self.maximised = self.maximised, None
            self._tell(WallEvent(WallChange.MAXIMISED, self.wall_id, self.current,
                                 frozenset({tile})))

    def toggle_maximised(self, tile: int) -> None:
        """What a double-click on a tile does."""
        if self.maximised == tile:
            self.restore()
        else:
            self.maximise(tile)

    # ----- the window ------------------------------------------------------------------------

    def show_on(self, screen_name: str, *, full_screen: bool | None = None,
                window: SavedWindow | None = None) -> None:
        """Remember the monitor (by name) this wall's window goes on, full screen or not."""
        self.screen_name = screen_name
        if full_screen is not None:
            self.full_screen = full_screen
        if window is not None:
            self.window = window
        self._tell(WallEvent(WallChange.SCREEN, self.wall_id))

    # ----- tours -----------------------------------------------------------------------------

    def start_tour(self, camera_ids: Iterable[str], tiles: Iterable[int], seconds: float,
                   page: int | None = None) -> Tour:
        """Rotate ``camera_ids`` through ``tiles`` every ``seconds``, starting now.

        Every camera must be one that may be shown (CameraRefused for the first that is not);
        tiles may not be driven by another tour of the page.
        """
        index, sheet = self.page_at(page)
        tiles = tuple(sheet.layout.check_tile(t) for t in tiles)
        cameras = tuple(wall_camera(self.directory, c).camera_id for c in camera_ids)
        busy = sorted({t + 1 for t in tiles for tour in sheet.tours if t in tour.tiles})
        if busy:
            raise WallError(
                f"tile(s) {', '.join(map(str, busy))} already run a tour; stop it first")
        tour = Tour(cameras, tiles, float(seconds), self.clock())
        sheet.tours.append(tour)
        self._tell(WallEvent(WallChange.TOURS, self.wall_id, index, frozenset(tiles),
                             f"tour of {len(cameras)} cameras on {len(tiles)} tile(s) started"))
        self.tick()
        return tour

    def stop_tour(self, tour: Tour, page: int | None = None) -> None:
        """Stop a tour; its tiles keep the cameras they show."""
        index, sheet = self.page_at(page)
        if tour in sheet.tours:
            sheet.tours.remove(tour)
            self._tell(WallEvent(WallChange.TOURS, self.wall_id, index, frozenset(tour.tiles),
                                 "tour stopped"))

    def tick(self, now: datetime | None = None) -> dict[int, frozenset[int]]:
        """Move every tour on to the cameras due at ``now``; returns page → tiles changed."""
        now = self.clock() if now is None else now
        changed: dict[int, frozenset[int]] = {}
        for index, sheet in enumerate(self.pages):
            tiles = set()
            for tour in sheet.tours:
                for tile, camera_id in tour.cameras_at(now, self._may_show).items():
                    if sheet.camera_on(tile) == camera_id:
                        continue
                    if camera_id is None:
                        sheet.tiles.pop(tile, None)
                    else:
                        sheet.tiles[tile] = TileAssignment(camera_id)
                    tiles.add(tile)
            if tiles:
                changed[index] = frozenset(tiles)
                self._tell(WallEvent(WallChange.TILES, self.wall_id, index, frozenset(tiles)))
        return changed

    def _may_show(self, camera_id: str) -> bool:
        return may_show(self.directory, camera_id)

    def _stop_tours(self, sheet: WallPage, tiles: set[int], *, reason: str) -> str:
        stopped = [tour for tour in sheet.tours if tiles & set(tour.tiles)]
        for tour in stopped:
            sheet.tours.remove(tour)
        if not stopped:
            return ""
        self._tell(WallEvent(WallChange.TOURS, self.wall_id, self.pages.index(sheet),
                             frozenset(t for tour in stopped for t in tour.tiles),
                             f"tour stopped: {reason}"))
        return f"tour stopped: {reason}"

    # ----- pop cameras -----------------------------------------------------------------------

    def pop_cameras(self, result: CorrelationResult, tiles: Iterable[int], *,
                    page: int | None = None, include_direction_unknown: bool = False) -> PopResult:
        """Fill ``tiles`` with the nearest approved pole cameras that see the call of ``result``.

        ``result`` is the call's correlation (``CameraIndex.candidates_for_call``). The tiles
        get cameras in order, nearest first; tiles left over are emptied so no camera of an
        earlier call lingers. For a call with no usable location nothing changes.
        """
        index, sheet = self.page_at(page)
        tiles = tuple(dict.fromkeys(sheet.layout.check_tile(t) for t in tiles))
        if not tiles:
            raise WallError("choose at least one tile to pop cameras into")
        never = no_match_reason(result)
        if never is not None:
            return PopResult(result.call_id, {}, (), (), never)
        found = [c.camera.camera_id for c in cameras_seeing(
            result, self.directory, include_direction_unknown=include_direction_unknown)]
        stopped = self._stop_tours(sheet, set(tiles), reason="cameras were popped onto its tiles")
        placed = dict(zip(tiles, found, strict=False))
        changed = set(tiles)
        for camera_id in placed.values():  # a popped camera moves off any other tile, as by hand
            for other in sheet.tiles_showing(camera_id):
                if other not in tiles:
                    del sheet.tiles[other]
                    changed.add(other)
        for tile in tiles:
            if tile in placed:
                sheet.tiles[tile] = TileAssignment(placed[tile])
            else:
                sheet.tiles.pop(tile, None)
        emptied = tuple(t for t in tiles if t not in placed)
        left_out = tuple(found[len(tiles):])
        message = _pop_message(result, placed, left_out)
        self._tell(WallEvent(WallChange.TILES, self.wall_id, index, frozenset(changed),
                             "; ".join(m for m in (message, stopped) if m)))
        return PopResult(result.call_id, placed, emptied, left_out, message)

    # ----- cameras that may no longer be shown -----------------------------------------------

    def drop_refused(self) -> list[Removal]:
        """Take off every camera that may no longer be shown (back to review, withdrawn, gone).

        Called when the camera inventory changes. Tours skip such cameras by themselves (and
        show them again once approved) but lose the ones that no longer exist at all.
        """
        removals: list[Removal] = []
        for index, sheet in enumerate(self.pages):
            tiles = set()
            for tile, assignment in sorted(sheet.tiles.items()):
                reason = refusal(self.directory.camera(assignment.camera_id))
                if reason is not None:
                    del sheet.tiles[tile]
                    tiles.add(tile)
                    removals.append(Removal(self.name, index, tile, assignment.camera_id, reason))
            for tour in list(sheet.tours):
                gone = [c for c in tour.camera_ids if self.directory.camera(c) is None]
                if not gone:
                    continue
                removals += [Removal(self.name, index, None, c, refusal(None) or "") for c in gone]
                trimmed = tour.without(gone)
                position = sheet.tours.index(tour)
                if trimmed is None:
                    del sheet.tours[position]
                else:
                    sheet.tours[position] = trimmed
            on_page = tuple(r for r in removals if r.page == index)
            if on_page:
                self._tell(WallEvent(WallChange.CAMERAS_DROPPED, self.wall_id, index,
                                     frozenset(tiles), removals=on_page))
        return removals


def _pop_message(
    result: CorrelationResult, placed: dict[int, str], left_out: tuple[str, ...]
) -> str:
    if not placed:
        return (f"no approved city camera sees call {result.call_id} within "
                f"{result.radius_m:g} m; the tiles were emptied")
    tiles = sorted(t + 1 for t in placed)
    text = f"call {result.call_id}: {len(placed)} camera(s) on tile(s) {', '.join(map(str, tiles))}"
    if left_out:
        text += f"; {len(left_out)} more see it but did not fit"
    return text


def _shown(index: object) -> str:
    return str(index + 1) if isinstance(index, int) else repr(index)
