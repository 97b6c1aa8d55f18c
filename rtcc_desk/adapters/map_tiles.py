"""A local MBTiles tile package (SQLite): read raster tiles for the map, and write small ones.

MBTiles 1.3 stores tiles in TMS order (row 0 at the south); Leaflet asks in XYZ order (row 0
at the north), so ``tile`` flips the row. Only raster packages (png, jpg, webp) can be drawn
by the map; a vector package (pbf) is refused with a readable reason.
"""

from __future__ import annotations

import sqlite3
import struct
import threading
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Content type of each raster tile format an MBTiles package may declare.
RASTER_MIME_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                     "webp": "image/webp"}


class MapTilesError(Exception):
    """The tile package cannot be used; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class TilePackageInfo:
    """What the map needs to know about a package before asking it for tiles."""

    name: str
    tile_format: str
    mime_type: str
    min_zoom: int
    max_zoom: int
    #: (west, south, east, north) in degrees, or None when the package does not say.
    bounds: tuple[float, float, float, float] | None
    attribution: str


class MBTilesPackage:
    """One MBTiles file opened read-only; safe to share between threads (one lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise MapTilesError(f"{self.path}: tile package not found")
        try:
            self._db = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            metadata = dict(self._db.execute("SELECT name, value FROM metadata").fetchall())
            self._db.execute("SELECT 1 FROM tiles LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise MapTilesError(f"{self.path}: not an MBTiles package: {exc}") from None
        self._lock = threading.Lock()
        self.info = self._read_info(metadata)

    def _read_info(self, metadata: Mapping[str, str]) -> TilePackageInfo:
        tile_format = (metadata.get("format") or "png").strip().lower()
        if tile_format not in RASTER_MIME_TYPES:
            raise MapTilesError(
                f"{self.path}: tile format {tile_format!r} cannot be drawn (raster png, jpg or "
                "webp only)"
            )
        zooms = self._db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        return TilePackageInfo(
            name=metadata.get("name", self.path.stem),
            tile_format=tile_format,
            mime_type=RASTER_MIME_TYPES[tile_format],
            min_zoom=_int(metadata.get("minzoom"), zooms[0] if zooms[0] is not None else 0),
            max_zoom=_int(metadata.get("maxzoom"), zooms[1] if zooms[1] is not None else 18),
            bounds=_bounds(metadata.get("bounds")),
            attribution=metadata.get("attribution", ""),
        )

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ address (z, x, y), or None when the package has none there."""
        if z < 0 or not (0 <= x < 2**z and 0 <= y < 2**z):
            return None
        tms_row = (2**z - 1) - y
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, tms_row),
            ).fetchone()
        return bytes(row[0]) if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()


def write_mbtiles(
    path: Path | str,
    tiles: Iterable[tuple[tuple[int, int, int], bytes]],
    *,
    name: str = "tiles",
    tile_format: str = "png",
    attribution: str = "",
) -> Path:
    """Write a small MBTiles package from ((z, x, y) in XYZ order, tile bytes) pairs."""
    path = Path(path)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                   "tile_row INTEGER, tile_data BLOB)")
        db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        rows = [(z, x, (2**z - 1) - y, data) for (z, x, y), data in tiles]
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
        metadata = {"name": name, "format": tile_format, "type": "baselayer",
                    "attribution": attribution}
        if rows:
            metadata["minzoom"] = str(min(r[0] for r in rows))
            metadata["maxzoom"] = str(max(r[0] for r in rows))
        db.executemany("INSERT INTO metadata VALUES (?, ?)", metadata.items())
    db.close()
    return path


def solid_png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A square PNG of one colour (placeholder tiles; test and demo packages)."""
    row = b"\x00" + bytes(rgb) * size
    raw = zlib.compress(row * size, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _int(text: str | None, default: int) -> int:
    try:
        return int(float(text)) if text not in (None, "") else default
    except ValueError:
        return default


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in (text or "").split(","))
    except ValueError:
        return None
    return (west, south, east, north)
