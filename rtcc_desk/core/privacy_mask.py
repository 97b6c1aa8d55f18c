"""Privacy masks on frames: the reviewer's polygons blacked out of every picture before it is shown.

Polygons are in frame fractions (0..1, x right, y down) and checked by
``privacy_review.check_masks``. For each frame size they are rasterised once into a boolean
array and a flat index of the covered pixels; blacking out a frame is then one numpy
assignment. A pixel is covered when the polygon touches any part of it (the polygon is grown
by a little over half a pixel before pixel centres are tested): a mask errs on hiding more,
never less.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable

import numpy as np
import shapely
from shapely import affinity

from rtcc_desk.core.privacy_review import Masks, MaskError, check_masks

# BGRA black, fully opaque, as one little-endian 32-bit pixel (B, G, R = 0; A = 255).
_BLACK = np.uint32(0xFF000000)
# Half a pixel's diagonal: a pixel whose corner the polygon only grazes is still covered.
_GROW_PX = math.sqrt(2) / 2 + 1e-6
# Sizes kept rasterised at once (a wall shows the sub stream, a maximised tile the main one).
_SIZES_KEPT = 4

__all__ = ["MaskError", "PrivacyMask"]


class PrivacyMask:
    """One camera's mask polygons, ready to black out its frames at any size."""

    def __init__(self, masks: Masks | Iterable = ()) -> None:
        self.polygons: Masks = check_masks(masks)
        self._shapes = [shapely.Polygon(p) for p in self.polygons]
        self._rasters: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()  # frames may be masked from more than one thread

    def __bool__(self) -> bool:
        return bool(self.polygons)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrivacyMask) and other.polygons == self.polygons

    def __hash__(self) -> int:
        return hash(self.polygons)

    def __repr__(self) -> str:
        return f"PrivacyMask({len(self.polygons)} polygons)"

    def covered(self, width: int, height: int) -> np.ndarray:
        """A read-only (height, width) boolean array: True where the picture is blacked out."""
        return self._raster(width, height)[0]

    def covered_fraction(self, width: int, height: int) -> float:
        return float(self._raster(width, height)[1].size) / (width * height)

    def apply(self, frame, width: int, height: int) -> None:
        """Black out the masked pixels of a BGRA frame in place (alpha set to opaque).

        ``frame`` is a writable buffer of ``width * height * 4`` bytes (bytearray, ctypes
        array, memoryview) or a numpy array of that many bytes, e.g. shape (height, width, 4).
        """
        if not self.polygons:
            return
        pixels = frame if isinstance(frame, np.ndarray) else np.frombuffer(frame, np.uint8)
        if pixels.nbytes != width * height * 4:
            raise ValueError(f"frame has {pixels.nbytes} bytes; a {width}x{height} BGRA frame "
                             f"has {width * height * 4}")
        if not pixels.flags.writeable:
            raise ValueError("frame is read-only; masks are applied in place")
        index = self._raster(width, height)[1]
        if pixels.flags.c_contiguous:
            pixels.reshape(-1).view(np.uint32)[index] = _BLACK
        else:  # a strided view (a crop): boolean assignment copes with any layout
            pixels.reshape(height, width, 4)[self.covered(width, height)] = (0, 0, 0, 255)

    def _raster(self, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
        if width <= 0 or height <= 0:
            raise ValueError(f"frame size {width}x{height} is not a picture")
        key = (int(width), int(height))
        with self._lock:
            cached = self._rasters.get(key)
            if cached is None:
                covered = self._rasterise(*key)
                covered.setflags(write=False)
                cached = (covered, np.flatnonzero(covered))
                if len(self._rasters) >= _SIZES_KEPT:
                    self._rasters.pop(next(iter(self._rasters)))
                self._rasters[key] = cached
            return cached

    def _rasterise(self, width: int, height: int) -> np.ndarray:
        covered = np.zeros((height, width), dtype=bool)
        for shape in self._shapes:
            in_pixels = affinity.scale(shape, xfact=width, yfact=height, origin=(0, 0))
            _fill(covered, in_pixels.buffer(_GROW_PX, join_style="mitre"))
        return covered


def _fill(covered: np.ndarray, area) -> None:
    """Set the pixels whose centres lie inside ``area`` (pixel units; even-odd over all its
    rings, so holes stay open). Scanline fill: one row of edge crossings at a time, a few ms
    for a 1080p frame where testing every pixel centre with shapely takes ~0.2 s."""
    height, width = covered.shape
    rings = []
    for part in getattr(area, "geoms", [area]):
        if part.is_empty:
            continue
        rings.append(np.asarray(part.exterior.coords))
        rings.extend(np.asarray(ring.coords) for ring in part.interiors)
    if not rings:
        return
    x0 = np.concatenate([r[:-1, 0] for r in rings])
    y0 = np.concatenate([r[:-1, 1] for r in rings])
    x1 = np.concatenate([r[1:, 0] for r in rings])
    y1 = np.concatenate([r[1:, 1] for r in rings])
    _, top, _, bottom = area.bounds
    rows = np.arange(max(0, math.floor(top)), min(height, math.ceil(bottom)))
    if not rows.size:
        return
    centre_y = rows[:, None] + 0.5
    crosses = (y0 <= centre_y) != (y1 <= centre_y)  # half-open: a vertex is counted once
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x0 + (centre_y - y0) / (y1 - y0) * (x1 - x0)
    at = np.sort(np.where(crosses, at, np.inf), axis=1)
    for row, count, xs in zip(rows, crosses.sum(axis=1), at, strict=True):
        for left, right in zip(xs[:count:2], xs[1:count:2], strict=True):
            # pixel c is covered when its centre c + 0.5 lies in [left, right)
            first = max(0, math.ceil(left - 0.5))
            end = min(width, math.ceil(right - 0.5))
            if end > first:
                covered[row, first:end] = True
