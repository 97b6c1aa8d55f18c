"""What a camera dragged onto a wall tile carries: its id, under one MIME type for every source."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QMimeData

#: Camera ids, one per line (the camera tree, the candidate list, the map).
CAMERA_MIME = "application/x-rtcc-camera-id"
#: A tile dragged onto another tile of the same wall: "<wall id> <tile>".
TILE_MIME = "application/x-rtcc-wall-tile"

# Plain text dropped from elsewhere (a map popup, an e-mail) may hold a camera id among words.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{1,80}")


def camera_mime(camera_ids: Iterable[str]) -> QMimeData:
    """Drag data for ``camera_ids``; plain text too, so a drop elsewhere still says which."""
    ids = [c for c in camera_ids if c]
    data = QMimeData()
    data.setData(CAMERA_MIME, "\n".join(ids).encode("utf-8"))
    data.setText("\n".join(ids))
    return data


def dropped_camera_ids(data: QMimeData) -> tuple[list[str], bool]:
    """(camera ids, sure): ``sure`` is False for words taken from plain text, which the wall
    then keeps only if they name known cameras."""
    if data.hasFormat(CAMERA_MIME):
        text = bytes(data.data(CAMERA_MIME).data()).decode("utf-8", "replace")
        return [line.strip() for line in text.splitlines() if line.strip()], True
    if data.hasText():
        return list(dict.fromkeys(_TOKEN.findall(data.text()[:4000]))), False
    return [], False


def tile_mime(wall_id: str, tile: int) -> QMimeData:
    data = QMimeData()
    data.setData(TILE_MIME, f"{wall_id} {tile}".encode())
    return data


def dropped_tile(data: QMimeData) -> tuple[str, int] | None:
    """(wall id, tile) of a tile being dragged, or None."""
    if not data.hasFormat(TILE_MIME):
        return None
    wall_id, _, tile = bytes(data.data(TILE_MIME).data()).decode().rpartition(" ")
    return (wall_id, int(tile)) if tile.isdigit() else None
