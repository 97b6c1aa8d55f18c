"""Walls saved as versioned JSON and restored at start, tolerating cameras that have gone since.

Restoring never fails over one camera: a tile whose camera was removed, withdrawn or sent
back to privacy review comes back empty and the analyst is told (``RestoredWalls.removals``);
a malformed wall or page is skipped with a note. Only an unreadable file, or one written by
a newer desk, is refused as a whole (``WallFileError``): the desk then starts with one wall.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from rtcc_desk.core.screen_placement import SavedWindow
from rtcc_desk.core.wall.errors import WallError
from rtcc_desk.core.wall.events import Removal
from rtcc_desk.core.wall.layout import TileLayout
from rtcc_desk.core.wall.page import TileAssignment, WallPage
from rtcc_desk.core.wall.placement import CameraDirectory, refusal
from rtcc_desk.core.wall.stream_urls import Stream
from rtcc_desk.core.wall.tour import Tour
from rtcc_desk.core.wall.wall import Clock, Wall
from rtcc_desk.core.wall.wall_set import WallSet, utc_now

FORMAT_VERSION = 1


class WallFileError(WallError):
    """The saved walls cannot be used at all (not JSON, not walls, a newer format)."""


@dataclass
class RestoredWalls:
    """The walls as restored, the cameras taken off on the way, and notes on what was skipped."""

    walls: WallSet
    removals: list[Removal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def walls_to_dict(walls: WallSet) -> dict:
    return {"version": FORMAT_VERSION, "walls": [_wall_dict(w) for w in walls.walls]}


def dump_walls(walls: WallSet) -> str:
    return json.dumps(walls_to_dict(walls), indent=1, ensure_ascii=False)


def load_walls(text: str, directory: CameraDirectory, *, clock: Clock = utc_now,
               source: str = "saved walls") -> RestoredWalls:
    """Walls from ``dump_walls`` text; ``source`` (the file) is named in every message."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WallFileError(f"{source}: not readable JSON ({exc})") from None
    return walls_from_dict(data, directory, clock=clock, source=source)


def walls_from_dict(data: object, directory: CameraDirectory, *, clock: Clock = utc_now,
                    source: str = "saved walls") -> RestoredWalls:
    if not isinstance(data, Mapping) or not isinstance(data.get("walls"), list):
        raise WallFileError(f"{source}: not a saved wall layout (no list of walls)")
    version = data.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise WallFileError(f"{source}: format version {version!r}; this desk reads up to "
                            f"{FORMAT_VERSION} (saved by a newer desk?)")
    restored = RestoredWalls(WallSet(directory, clock=clock))
    for number, item in enumerate(data["walls"], 1):
        try:
            wall = _wall(item, restored, directory, clock)
        except (WallError, KeyError, TypeError, ValueError) as exc:
            restored.notes.append(f"{source}: wall {number} skipped: {_why(exc)}")
            continue
        if any(w.wall_id == wall.wall_id for w in restored.walls.walls):
            restored.notes.append(f"{source}: wall {number} skipped: id {wall.wall_id!r} twice")
            continue
        restored.walls.adopt(wall)
    return restored


# ----- writing ------------------------------------------------------------------------------


def _wall_dict(wall: Wall) -> dict:
    return {
        "id": wall.wall_id,
        "name": wall.name,
        "screen": wall.screen_name,
        "full_screen": wall.full_screen,
        "window": asdict(wall.window) if wall.window else None,
        "current_page": wall.current,
        "maximised": wall.maximised,
        "pages": [_page_dict(p) for p in wall.pages],
    }


def _page_dict(page: WallPage) -> dict:
    return {
        "name": page.name,
        "layout": page.layout.to_dict(),
        # JSON keys are text; tile numbers are 0-based as in the model.
        "tiles": {str(t): {"camera": a.camera_id, "stream": a.stream.value}
                  for t, a in sorted(page.tiles.items())},
        "tours": [tour.to_dict() for tour in page.tours],
    }


# ----- reading ------------------------------------------------------------------------------


def _wall(item: object, restored: RestoredWalls, directory: CameraDirectory, clock: Clock) -> Wall:
    if not isinstance(item, Mapping):
        raise TypeError("not an object")
    wall_id, name = _text(item["id"]), _text(item.get("name", ""))
    wall = Wall(wall_id, name, directory, clock=clock, screen_name=_text(item.get("screen", "")),
                full_screen=bool(item.get("full_screen", False)),
                window=_window(item.get("window"), name or wall_id, restored))
    pages = []
    for number, page_item in enumerate(item.get("pages") or [], 1):
        try:
            pages.append(_page(page_item, wall.name, len(pages), restored, directory))
        except (WallError, KeyError, TypeError, ValueError) as exc:
            restored.notes.append(f"{wall.name}: page {number} skipped: {_why(exc)}")
    if pages:
        wall.pages = pages
    current = item.get("current_page", 0)
    wall.current = current if isinstance(current, int) and 0 <= current < len(wall.pages) else 0
    maximised = item.get("maximised")
    if isinstance(maximised, int) and 0 <= maximised < len(wall.page.layout):
        wall.maximised = maximised if wall.page.tiles.get(maximised) else None
    return wall


def _page(item: object, wall_name: str, index: int, restored: RestoredWalls,
          directory: CameraDirectory) -> WallPage:
    if not isinstance(item, Mapping):
        raise TypeError("not an object")
    page = WallPage(TileLayout.from_dict(item["layout"]), _text(item.get("name", "")))
    tiles = item.get("tiles") or {}
    if not isinstance(tiles, Mapping):
        raise TypeError("its tiles are not an object")
    for key, entry in tiles.items():
        try:
            tile = page.layout.check_tile(int(key))
            camera_id = _text(entry["camera"])
            stream = Stream(entry.get("stream", Stream.SUB.value))
        except (WallError, KeyError, TypeError, ValueError, AttributeError) as exc:
            restored.notes.append(
                f"{wall_name}: page {index + 1}: tile {key!r} skipped: {_why(exc)}")
            continue
        reason = refusal(directory.camera(camera_id))
        if reason is not None:
            restored.removals.append(Removal(wall_name, index, tile, camera_id, reason))
            continue
        page.tiles[tile] = TileAssignment(camera_id, stream)
    for number, tour_item in enumerate(item.get("tours") or [], 1):
        try:
            tour = _tour(tour_item, page)
        except (WallError, KeyError, TypeError, ValueError) as exc:
            restored.notes.append(
                f"{wall_name}: page {index + 1}: tour {number} skipped: {_why(exc)}")
            continue
        # A camera that is gone for good leaves the tour; one awaiting review stays (skipped).
        gone = [c for c in tour.camera_ids if directory.camera(c) is None]
        restored.removals += [Removal(wall_name, index, None, c, refusal(None) or "") for c in gone]
        trimmed = tour.without(gone)
        if trimmed is None:
            restored.notes.append(f"{wall_name}: page {index + 1}: tour {number} dropped: "
                                  "none of its cameras exist any more")
        elif any(set(trimmed.tiles) & set(t.tiles) for t in page.tours):
            restored.notes.append(f"{wall_name}: page {index + 1}: tour {number} skipped: "
                                  "its tiles overlap another tour")
        else:
            page.tours.append(trimmed)
    return page


def _window(item: object, wall_name: str, restored: RestoredWalls) -> SavedWindow | None:
    """The window's saved place; a malformed one only costs the place, not the wall."""
    if item is None:
        return None
    numbers = ("screen_index", "offset_x", "offset_y", "width", "height")
    if (not isinstance(item, Mapping) or set(item) != {"screen_name", *numbers}
            or not all(isinstance(item[f], int) for f in numbers)):
        restored.notes.append(f"{wall_name}: window position ignored: {item!r} is not one")
        return None
    return SavedWindow(**item)


def _tour(item: Mapping, page: WallPage) -> Tour:
    started = datetime.fromisoformat(_text(item["started_at"]))
    tiles = tuple(page.layout.check_tile(t) for t in item["tiles"])
    cameras = tuple(_text(c) for c in item["cameras"])
    return Tour(cameras, tiles, float(item["seconds"]), started)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _why(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
