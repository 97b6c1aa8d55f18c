"""The reviewer's mask polygons while being drawn: add corners, close, move, select, delete.

Plain Python (the canvas does the pixels and the mouse): corners are frame fractions 0..1,
x right, y down, like ``PoleCamera.privacy_masks``; the rules are ``check_masks``'s.
"""

from __future__ import annotations

from rtcc_desk.core.privacy_review import MAX_MASKS, MAX_POINTS, Masks, Point, check_masks


class DraftRefused(ValueError):
    """A drawing step the mask rules do not allow; the message is for the reviewer."""


def _clamp(point: Point) -> Point:
    x, y = point
    return (min(1.0, max(0.0, float(x))), min(1.0, max(0.0, float(y))))


def contains(polygon: list[Point], point: Point) -> bool:
    """Even-odd test: is ``point`` inside ``polygon``?"""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


class MaskDraft:
    """Closed polygons, the one being drawn (``drawing``), and the selected one."""

    def __init__(self, masks: Masks = ()) -> None:
        self.polygons: list[list[Point]] = []
        self.drawing: list[Point] = []
        self.selected: int | None = None
        self.version = 0  # rises with every change (the canvas caches its preview by it)
        self.load(masks)

    def load(self, masks: Masks) -> None:
        self.polygons = [list(p) for p in check_masks(masks)]
        self.drawing, self.selected = [], None
        self._changed()

    def masks(self) -> Masks:
        """The closed polygons, checked and rounded as the server stores them."""
        return check_masks(self.polygons)

    def _changed(self) -> None:
        self.version += 1

    # -- drawing a new polygon ------------------------------------------------------------

    def add_corner(self, point: Point) -> None:
        if not self.drawing and len(self.polygons) >= MAX_MASKS:
            raise DraftRefused(f"a camera has at most {MAX_MASKS} masks")
        if len(self.drawing) >= MAX_POINTS:
            raise DraftRefused(f"a mask has at most {MAX_POINTS} corners: close it first")
        point = _clamp(point)
        if self.drawing and self.drawing[-1] == point:
            return  # the same place twice (a double-click's own click): one corner
        self.drawing.append(point)
        self.selected = None
        self._changed()

    def close(self) -> int:
        """Close the polygon being drawn; returns its index."""
        if len(set(self.drawing)) < 3:
            raise DraftRefused("a mask needs at least 3 corners: click them, then double-click "
                               "or press Enter")
        self.polygons.append(self.drawing)
        self.drawing = []
        self.selected = len(self.polygons) - 1
        self._changed()
        return self.selected

    def undo_corner(self) -> None:
        if self.drawing:
            self.drawing.pop()
            self._changed()

    def cancel(self) -> None:
        if self.drawing:
            self.drawing = []
            self._changed()

    # -- editing closed polygons ----------------------------------------------------------

    def select(self, index: int | None) -> None:
        if index != self.selected:
            self.selected = index
            self._changed()

    def polygon_at(self, point: Point) -> int | None:
        """The topmost (last drawn) polygon containing ``point``."""
        for index in range(len(self.polygons) - 1, -1, -1):
            if contains(self.polygons[index], point):
                return index
        return None

    def move_corner(self, polygon: int, corner: int, point: Point) -> None:
        self.polygons[polygon][corner] = _clamp(point)
        self._changed()

    def delete(self, index: int | None = None) -> bool:
        """Delete polygon ``index`` (the selected one by default); False when there is none."""
        index = self.selected if index is None else index
        if index is None or not 0 <= index < len(self.polygons):
            return False
        del self.polygons[index]
        self.selected = None
        self._changed()
        return True

    def clear(self) -> None:
        self.polygons, self.drawing, self.selected = [], [], None
        self._changed()
