"""The walls of a workstation saved in the desk's data folder, and wall windows put back on screen.

The file is the wall model's own JSON (``core.wall.saved``) plus which walls were closed (kept,
with their pages, for reopening from the menu). Written atomically, like the window layout.
A file the desk cannot use is set aside (renamed), never overwritten, and the desk starts
with one new wall.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from rtcc_desk.core.screen_placement import Rect, SavedWindow, Screen, place, remember
from rtcc_desk.core.wall import (
    CameraDirectory,
    Removal,
    WallFileError,
    WallSet,
    walls_from_dict,
    walls_to_dict,
)
from rtcc_desk.core.wall.wall import Clock, Wall
from rtcc_desk.core.wall.wall_set import utc_now

log = logging.getLogger("rtcc.desk.wall")


@dataclass
class LoadedWalls:
    walls: WallSet | None  # None: no usable file; start with a new wall
    closed: set[str] = field(default_factory=set)
    removals: list[Removal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class WallFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self, directory: CameraDirectory, *, clock: Clock = utc_now) -> LoadedWalls:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return LoadedWalls(None)
        except OSError as exc:
            return LoadedWalls(None, notes=[f"{self.path}: cannot be read ({exc}); walls start afresh"])
        try:
            data = json.loads(text)
            restored = walls_from_dict(data, directory, clock=clock, source=str(self.path))
        except (ValueError, WallFileError) as exc:
            kept = self._set_aside()
            return LoadedWalls(None, notes=[f"{exc} — kept as {kept.name}; walls start afresh"])
        closed = {c for c in data.get("closed", []) if isinstance(c, str)}
        closed &= {w.wall_id for w in restored.walls.walls}
        return LoadedWalls(restored.walls, closed, restored.removals, restored.notes)

    def save(self, walls: WallSet, closed: set[str]) -> None:
        data = walls_to_dict(walls)
        data["closed"] = sorted(closed & {w.wall_id for w in walls.walls})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)

    def _set_aside(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = self.path.with_name(f"{self.path.stem}.unreadable-{stamp}{self.path.suffix}")
        try:
            os.replace(self.path, kept)
        except OSError as exc:
            log.warning("could not set aside %s: %s", self.path, exc)
        return kept


# ----- windows on screens --------------------------------------------------------------------


def _rect(r: QRect) -> Rect:
    return Rect(r.x(), r.y(), r.width(), r.height())


def _screen(qscreen: QScreen) -> Screen:
    return Screen(qscreen.name(), _rect(qscreen.availableGeometry()))


def screen_named(name: str) -> QScreen | None:
    return next((s for s in QGuiApplication.screens() if s.name() == name), None)


def remember_place(window: QWidget, wall: Wall) -> None:
    """Note in ``wall`` where its window is now (its normal geometry when full screen).

    Set directly rather than through ``Wall.show_on``: this is the window reporting itself,
    not a change the window should hear about and act on.
    """
    qscreen = window.screen() or QGuiApplication.primaryScreen()
    screens = QGuiApplication.screens()
    geometry = window.normalGeometry() if window.isFullScreen() else window.geometry()
    if geometry.isEmpty():
        geometry = window.geometry()
    wall.screen_name = qscreen.name()
    wall.full_screen = window.isFullScreen()
    wall.window = remember(_screen(qscreen), screens.index(qscreen) if qscreen in screens else 0,
                           _rect(geometry))


def put_on_screen(window: QWidget, wall: Wall) -> QScreen:
    """Move ``window`` to the wall's screen (the saved place, or the whole available area);
    a screen that is gone is replaced as the desk's layout does (``core.screen_placement``)."""
    screens = QGuiApplication.screens()
    primary = QGuiApplication.primaryScreen()
    saved = wall.window or SavedWindow(wall.screen_name, -1, 0, 0, 10**6, 10**6)
    target, rect = place(saved, [_screen(s) for s in screens], screens.index(primary))
    qscreen = screen_named(target.name) or primary
    if window.windowHandle() is not None:
        window.windowHandle().setScreen(qscreen)
    window.setGeometry(rect.x, rect.y, rect.width, rect.height)
    return qscreen
