"""The object the map page sees as ``rtccBridge`` over QWebChannel: the page's calls to the desk.

Each slot is one thing the page tells the desk; the bridge turns it into a Qt signal. One
slot answers at once (a camera's description, as JSON text); the wedges in view are asked
for with a token and sent back later, because working them out can take a while.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger("rtcc.desk.map")


class MapBridge(QObject):
    """Signals raised by the page; ``describe`` and ``wedges`` are answered by the pane."""

    ready = Signal(str)
    cameras_drawn = Signal(int, float)
    camera_clicked = Signal(str)
    call_clicked = Signal(str)
    find_here = Signal(float, float)
    layer_toggled = Signal(str, bool)
    view_changed = Signal(float, float, int)
    update_applied = Signal(int)
    #: (token, the box and layers as JSON); plain types only: QWebChannel relays every signal
    wedges_wanted = Signal(int, str)

    def __init__(
        self, describe: Callable[[str], dict[str, Any] | None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._describe = describe

    # Slot names are the page's: camelCase, as JavaScript calls them.
    @Slot(str)
    def pageReady(self, info: str) -> None:  # noqa: N802
        self.ready.emit(info)

    @Slot(int, float)
    def camerasDrawn(self, count: int, ms: float) -> None:  # noqa: N802
        self.cameras_drawn.emit(count, ms)

    @Slot(str)
    def cameraClicked(self, camera_id: str) -> None:  # noqa: N802
        self.camera_clicked.emit(camera_id)

    @Slot(str)
    def callClicked(self, call_id: str) -> None:  # noqa: N802
        self.call_clicked.emit(call_id)

    @Slot(float, float)
    def findHere(self, lat: float, lon: float) -> None:  # noqa: N802
        self.find_here.emit(lat, lon)

    @Slot(str, bool)
    def layerToggled(self, name: str, visible: bool) -> None:  # noqa: N802
        self.layer_toggled.emit(name, visible)

    @Slot(float, float, int)
    def viewChanged(self, lat: float, lon: float, zoom: int) -> None:  # noqa: N802
        self.view_changed.emit(lat, lon, zoom)

    @Slot(int)
    def applied(self, seq: int) -> None:
        self.update_applied.emit(seq)

    @Slot(str, str)
    def log(self, level: str, message: str) -> None:
        log.log(logging.ERROR if level == "error" else logging.INFO, "map page: %s", message)

    @Slot(str, result=str)
    def describe(self, camera_id: str) -> str:
        info = self._describe(camera_id)
        return json.dumps(info) if info is not None else ""

    @Slot(int, str)
    def wedgesWanted(self, token: int, request: str) -> None:  # noqa: N802
        try:
            box = json.loads(request)
            ask = {k: float(box[k]) for k in ("south", "west", "north", "east")}
            ask["layers"] = [str(name) for name in box["layers"]]
        except (ValueError, KeyError, TypeError) as exc:
            log.error("map page asked for wedges with %r: %s", request[:200], exc)
            return
        self.wedges_wanted.emit(token, json.dumps(ask))
