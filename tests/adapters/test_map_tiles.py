"""MBTiles packages: tiles read in XYZ order, metadata, and readable refusals."""

from __future__ import annotations

import sqlite3
import threading
import zlib

import pytest

from rtcc_desk.adapters.map_tiles import MapTilesError, MBTilesPackage, solid_png, write_mbtiles


def test_tiles_come_back_by_xyz_address_from_tms_rows(tmp_path):
    north_west, south_west = solid_png((255, 0, 0), 8), solid_png((0, 0, 255), 8)
    path = write_mbtiles(tmp_path / "t.mbtiles", [((1, 0, 0), north_west), ((1, 0, 1), south_west)],
                         attribution="© test")
    # stored TMS: row 1 is the northern one at zoom 1
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT tile_row, tile_data FROM tiles").fetchall())
    assert rows[1] == north_west and rows[0] == south_west
    package = MBTilesPackage(path)
    assert package.tile(1, 0, 0) == north_west
    assert package.tile(1, 0, 1) == south_west
    assert package.tile(1, 1, 0) is None  # not in the package
    assert package.tile(1, 2, 0) is None and package.tile(-1, 0, 0) is None  # off the world
    info = package.info
    assert (info.tile_format, info.mime_type) == ("png", "image/png")
    assert (info.min_zoom, info.max_zoom) == (1, 1)
    assert info.attribution == "© test" and info.bounds is None
    package.close()


def test_metadata_bounds_and_zooms_are_read(tmp_path):
    path = write_mbtiles(tmp_path / "t.mbtiles", [((3, 1, 2), b"x")], tile_format="jpg")
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO metadata VALUES (?, ?)",
                       [("bounds", "-93.93,32.36,-93.66,32.59"), ("name", "Shreveport")])
        db.execute("UPDATE metadata SET value='12' WHERE name='maxzoom'")
    info = MBTilesPackage(path).info
    assert info.bounds == (-93.93, 32.36, -93.66, 32.59)
    assert info.max_zoom == 12 and info.min_zoom == 3
    assert info.mime_type == "image/jpeg"


def test_solid_png_is_a_valid_png_of_one_colour():
    data = solid_png((10, 20, 30), size=4)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    idat_at = data.index(b"IDAT")
    length = int.from_bytes(data[idat_at - 4:idat_at], "big")
    raw = zlib.decompress(data[idat_at + 4: idat_at + 4 + length])
    assert raw == (b"\x00" + bytes((10, 20, 30)) * 4) * 4


def test_tiles_can_be_read_from_several_threads(tmp_path):
    tiles = [((4, x, y), solid_png((x * 10, y * 10, 0), 4)) for x in range(4) for y in range(4)]
    package = MBTilesPackage(write_mbtiles(tmp_path / "t.mbtiles", tiles))
    wrong: list = []

    def read():
        for (z, x, y), data in tiles * 5:
            if package.tile(z, x, y) != data:
                wrong.append((z, x, y))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


@pytest.mark.parametrize("content, reason", [
    (None, "not found"),
    (b"this is not sqlite", "not an MBTiles package"),
])
def test_unusable_files_are_refused_with_the_reason(tmp_path, content, reason):
    path = tmp_path / "bad.mbtiles"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MapTilesError, match=reason):
        MBTilesPackage(path)


def test_a_vector_package_is_refused(tmp_path):
    path = write_mbtiles(tmp_path / "v.mbtiles", [((0, 0, 0), b"\x1a\x00")], tile_format="pbf")
    with pytest.raises(MapTilesError, match="cannot be drawn"):
        MBTilesPackage(path)


def test_an_empty_sqlite_file_is_not_a_package(tmp_path):
    path = tmp_path / "empty.mbtiles"
    sqlite3.connect(path).close()
    with pytest.raises(MapTilesError, match="not an MBTiles package"):
        MBTilesPackage(path)
