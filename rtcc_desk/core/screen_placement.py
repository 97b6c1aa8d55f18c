"""Where a saved window goes when the monitors have changed since the layout was saved.

A workstation's layout remembers each window's screen by name and its rectangle on that
screen. At start, a window whose screen still exists goes back exactly there; one whose
screen is gone goes to the screen at the same position in the list if there is one, else to
the primary, keeping its size where it fits and always fully visible.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    def contains(self, other: Rect) -> bool:
        return (self.x <= other.x and self.y <= other.y
                and other.x + other.width <= self.x + self.width
                and other.y + other.height <= self.y + self.height)


@dataclass(frozen=True, slots=True)
class Screen:
    name: str
    available: Rect  # the usable area in virtual-desktop coordinates (no task bar)


@dataclass(frozen=True, slots=True)
class SavedWindow:
    screen_name: str
    screen_index: int
    offset_x: int  # position relative to the saved screen's available area
    offset_y: int
    width: int
    height: int


def place(saved: SavedWindow, screens: list[Screen], primary: int = 0) -> tuple[Screen, Rect]:
    """The screen and the rectangle (virtual-desktop coordinates) to restore ``saved`` to."""
    if not screens:
        raise ValueError("no screens to place a window on")
    by_name = {s.name: s for s in screens}
    if saved.screen_name in by_name:
        screen = by_name[saved.screen_name]
    elif 0 <= saved.screen_index < len(screens):
        screen = screens[saved.screen_index]
    else:
        screen = screens[primary if 0 <= primary < len(screens) else 0]
    return screen, _fit(saved, screen.available)


def _fit(saved: SavedWindow, area: Rect) -> Rect:
    width = max(1, min(saved.width, area.width))
    height = max(1, min(saved.height, area.height))
    x = area.x + min(max(saved.offset_x, 0), area.width - width)
    y = area.y + min(max(saved.offset_y, 0), area.height - height)
    return Rect(x, y, width, height)


def remember(screen: Screen, screen_index: int, window: Rect) -> SavedWindow:
    """What to save for a window now at ``window`` on ``screen``."""
    return SavedWindow(screen.name, screen_index, window.x - screen.available.x,
                       window.y - screen.available.y, window.width, window.height)
