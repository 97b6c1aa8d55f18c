"""The map pane: a local Leaflet page in QtWebEngine, fed incrementally over QWebChannel.

The pane keeps the authoritative state (cameras, calls, search, layers); the page draws it.
Every change is pushed with ``runJavaScript`` as one small call; changes made before the
page is ready (or while it reloads after a crash) only update the state, and the whole state
is sent in one go when the page says it is ready, so nothing is lost or replayed twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QTemporaryDir, QTimer, QUrl, Qt, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rtcc_desk.core.calls import Call
from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.correlation import CorrelationResult
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.map_payload import (
    CameraTable,
    MapLayer,
    call_payload,
    describe_camera,
    search_payload,
)
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.map.bridge import MapBridge
from rtcc_desk.ui.map.config import MapConfig
from rtcc_desk.ui.map.page_file import page_config, write_page
from rtcc_desk.ui.map.tiles import LocalOnlyGuard, TileSchemeHandler, tile_hosts

log = logging.getLogger("rtcc.desk.map")


class MapPane(QWidget):
    """Cameras, calls and searches on a map; signals what the analyst clicks.

    Every method that changes the map returns a sequence number; ``update_applied(seq)``
    says the page has drawn every change up to and including that one.
    """

    page_ready = Signal()
    #: A bulk camera load has been drawn (count of cameras on the map).
    cameras_drawn = Signal(int)
    camera_clicked = Signal(str)
    call_clicked = Signal(str)
    find_cameras_here = Signal(float, float)
    layer_visibility_changed = Signal(str, bool)
    view_changed = Signal(float, float, int)
    update_applied = Signal(int)

    def __init__(
        self,
        config: MapConfig | None = None,
        parent: QWidget | None = None,
        *,
        profile: QWebEngineProfile | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config or MapConfig()
        self._table = CameraTable()
        self._camera_json: str | None = None  # the packed cameras, kept for a reload
        self._building = False  # a camera set is being packed off the GUI thread
        self._generation = 0
        self._deferred: list = []
        self._calls: dict[str, dict[str, Any]] = {}
        self._search: dict[str, Any] | None = None
        self._selected: str | None = None
        self._layers = {layer.value: True for layer in MapLayer}
        self._focus: tuple[float, float, int | None] | None = None
        self._wedge_centre: LatLon | None = None
        self._seq = 0
        self._ready = False
        self.current_view: tuple[float, float, int] | None = None

        own_profile = profile is None
        # off the record: no cookies or cache on disk; a caller may pass a profile with a cache
        profile = profile or QWebEngineProfile()
        self.view = QWebEngineView(self)
        page = QWebEnginePage(profile, self.view)
        self.view.setPage(page)
        if own_profile:
            profile.setParent(self.view)  # after the page, so it is destroyed after the page
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        # A local page may reach no remote address at all, unless a tile server is configured;
        # then LocalOnlyGuard lets through that one host and blocks every other.
        settings = page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
                              bool(self.config.tile_url))
        # said outright: with remote access on, QtWebEngine otherwise stops the page's own files
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self.guard = LocalOnlyGuard(tile_hosts(self.config.tile_url), self)
        page.setUrlRequestInterceptor(self.guard)
        self.bridge = MapBridge(self._describe, self)
        channel = QWebChannel(page)
        channel.registerObject("rtccBridge", self.bridge)
        page.setWebChannel(channel)
        self._connect_bridge()
        page.loadStarted.connect(self._on_load_started)
        page.renderProcessTerminated.connect(self._on_renderer_gone)

        self._folder = QTemporaryDir()
        tiles = TileSchemeHandler.for_profile(profile) if self.config.mbtiles else None
        package_name = f"pkg{id(self):x}"
        if tiles is not None:  # a shared profile outlives the pane: let go of its package
            self.destroyed.connect(lambda: tiles.remove(package_name))
        self._page_path = write_page(self._folder.path(),
                                     page_config(self.config, tiles, package_name))
        self.reload()

    # ---- what the analyst sees ----------------------------------------------------------

    def set_cameras(self, cameras: Iterable[Camera]) -> int:
        """Replace every camera on the map (withdrawn and unplaced ones are left off).

        The packing runs off the GUI thread (100k cameras take a good part of a second);
        until it is done, camera changes wait and are applied to the new set in order.
        """
        cameras = list(cameras)
        self._generation += 1
        generation = self._generation
        self._deferred = []
        self._seq += 1

        def pack() -> tuple[CameraTable, str]:
            # the view columns only wedges need come after the first paint
            table = CameraTable.of(cameras, views_later=True)
            return table, json.dumps(table.encode())

        def packed(result: tuple[CameraTable, str]) -> None:
            if generation != self._generation:
                return  # a later set_cameras replaced this one
            self._table, self._camera_json = result
            if self._deferred:  # camera changes asked while packing, in order
                for change in self._deferred:
                    change()
                self._deferred = []
                self._camera_json = None
            self._building = False
            if self._ready:
                self._send_state()
            table = self._table
            run_in_background(table.compute_views, table.fill_views,
                              lambda exc: log.error("map: view columns: %s", exc, exc_info=exc))

        def failed(exc: Exception) -> None:
            log.error("map: packing the cameras failed: %s", exc, exc_info=exc)
            if generation == self._generation:  # keep the cameras the map had
                self._building = False
                if self._ready:
                    self._send_state()

        self._building = True
        run_in_background(pack, packed, failed)
        return self._seq

    def put_cameras(self, cameras: Iterable[Camera]) -> int:
        """Add or update cameras; a withdrawn or unplaced one is taken off the map."""
        cameras = list(cameras)

        def change() -> str:
            rows, removed = self._table.put(cameras)
            script = f"m.putCameras({json.dumps(self._table.encode(rows))});" if rows else ""
            if removed:
                script += f"m.removeCameras({json.dumps(removed)});"
            self._table.compact_if_sparse()
            return script

        return self._change_cameras(change)

    def remove_cameras(self, camera_ids: Iterable[str]) -> int:
        """Take cameras off the map (a withdrawn registration, a decommissioned pole)."""
        camera_ids = list(camera_ids)

        def change() -> str:
            removed = self._table.remove(camera_ids)
            if self._selected in removed:
                self._selected = None
            self._table.compact_if_sparse()
            return f"m.removeCameras({json.dumps(removed)});" if removed else ""

        return self._change_cameras(change)

    def set_calls(self, calls: Iterable[Call]) -> int:
        """Replace the active calls shown (calls without a usable location are left off)."""
        payloads = [p for p in map(call_payload, calls) if p is not None]
        self._calls = {p["id"]: p for p in payloads}
        return self._push(lambda: f"m.setCalls({json.dumps(list(self._calls.values()))});")

    def put_call(self, call: Call) -> int:
        """Show a new call or move/update one already shown."""
        payload = call_payload(call)
        if payload is None:
            return self.remove_call(call.call_id)
        self._calls[call.call_id] = payload
        return self._push(lambda: f"m.putCall({json.dumps(payload)});")

    def remove_call(self, call_id: str) -> int:
        self._calls.pop(call_id, None)
        return self._push(lambda: f"m.removeCall({json.dumps(call_id)});")

    def show_search(
        self,
        lat: float,
        lon: float,
        radius_m: float,
        candidate_ids: Iterable[str],
        *,
        uncertain_ids: Iterable[str] = (),
    ) -> int:
        """Draw the search circle and ring the candidates (``uncertain_ids``: dashed rings)."""
        candidate_ids = list(candidate_ids)
        uncertain = list(dict.fromkeys(uncertain_ids))
        self._search = search_payload(lat, lon, radius_m, [*candidate_ids, *uncertain])
        self._search["uncertain"] = uncertain
        payload = self._search
        return self._push(lambda: f"m.showSearch({json.dumps(payload)});")

    def show_candidates(self, at: LatLon, result: CorrelationResult) -> int:
        """``show_search`` for a correlation result: direction-unknown candidates dashed."""
        sure = [c.camera.camera_id for c in result.candidates if not c.direction_unknown]
        unsure = [c.camera.camera_id for c in result.candidates if c.direction_unknown]
        return self.show_search(at.lat, at.lon, result.radius_m, sure, uncertain_ids=unsure)

    def clear_search(self) -> int:
        self._search = None
        return self._push(lambda: "m.clearSearch();")

    def select_camera(self, camera_id: str | None) -> int:
        """Ring one camera in white (the one open in the details pane); None clears it."""
        self._selected = camera_id
        return self._push(lambda: f"m.selectCamera({json.dumps(camera_id)});")

    def focus(self, lat: float, lon: float, zoom: int | None = None) -> int:
        """Centre the map on a position, at a zoom level (None keeps the current one)."""
        self._focus = (float(lat), float(lon), zoom)
        return self._push(lambda: f"m.focus({lat!r}, {lon!r}, {json.dumps(zoom)});")

    def set_layer_visible(self, layer: MapLayer | str, visible: bool) -> int:
        name = MapLayer(layer).value
        self._layers[name] = bool(visible)
        shown = json.dumps(bool(visible))
        return self._push(lambda: f"m.setLayerVisible({json.dumps(name)}, {shown});")

    def layer_visible(self, layer: MapLayer | str) -> bool:
        return self._layers[MapLayer(layer).value]

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def camera_count(self) -> int:
        """Cameras on the map (a set still being packed is not counted yet)."""
        return len(self._table)

    def camera(self, camera_id: str) -> Camera | None:
        return self._table.camera(camera_id)

    def evaluate(self, script: str, callback) -> None:
        """Run JavaScript in the page and hand its (JSON-able) result to ``callback``."""
        self.view.page().runJavaScript(script, 0, callback)

    def reload(self) -> None:
        """Load the page again; the state is sent again once it is ready."""
        self._ready = False
        self.view.page().load(QUrl.fromLocalFile(str(self._page_path)))

    # ---- plumbing -----------------------------------------------------------------------

    def _push(self, script) -> int:
        """Send one change (built lazily: until the page is in step only the state changes)."""
        self._seq += 1
        if self._ready and not self._building:
            self._run(self._seq, script())
        return self._seq

    def _change_cameras(self, change) -> int:
        """Apply a camera change now, or after the camera set being packed, if there is one."""
        self._camera_json = None
        if self._building:
            self._deferred.append(change)
            self._seq += 1
            return self._seq
        return self._push(change) if self._ready else self._push_state_only(change)

    def _push_state_only(self, change) -> int:
        change()
        self._seq += 1
        return self._seq

    def _run(self, seq: int, body: str) -> None:
        self.view.page().runJavaScript(f"rtccMap.apply({seq}, function (m) {{ {body} }});")

    def _on_page_ready(self, _info: str) -> None:
        self._ready = True
        if not self._building:
            self._send_state()
        self.page_ready.emit()

    def _send_state(self) -> None:
        """The whole state at once: whatever changed while the page was not in step."""
        if self._camera_json is None:
            self._camera_json = json.dumps(self._table.encode())
        parts = [f"m.loadCameras({self._camera_json});"]
        parts += [f"m.setLayerVisible({json.dumps(name)}, false);"
                  for name, on in self._layers.items() if not on]
        parts.append(f"m.setCalls({json.dumps(list(self._calls.values()))});")
        if self._search is not None:
            parts.append(f"m.showSearch({json.dumps(self._search)});")
        if self._selected is not None:
            parts.append(f"m.selectCamera({json.dumps(self._selected)});")
        if self._focus is not None:
            lat, lon, zoom = self._focus
            parts.append(f"m.focus({lat!r}, {lon!r}, {json.dumps(zoom)});")
        self._run(self._seq, "".join(parts))

    def _connect_bridge(self) -> None:
        bridge = self.bridge
        bridge.ready.connect(self._on_page_ready)
        bridge.cameras_drawn.connect(lambda count, _ms: self.cameras_drawn.emit(count))
        bridge.camera_clicked.connect(self._on_camera_clicked)
        bridge.call_clicked.connect(self.call_clicked)
        bridge.find_here.connect(self.find_cameras_here)
        bridge.layer_toggled.connect(self._on_layer_toggled)
        bridge.view_changed.connect(self._on_view_changed)
        bridge.update_applied.connect(self.update_applied)
        bridge.wedges_wanted.connect(self._on_wedges_wanted)

    def _on_camera_clicked(self, camera_id: str) -> None:
        self._selected = camera_id
        self.camera_clicked.emit(camera_id)

    def _on_layer_toggled(self, name: str, visible: bool) -> None:
        self._layers[name] = visible
        self.layer_visibility_changed.emit(name, visible)

    def _on_view_changed(self, lat: float, lon: float, zoom: int) -> None:
        self.current_view = (lat, lon, zoom)
        self.view_changed.emit(lat, lon, zoom)

    def _on_load_started(self) -> None:
        self._ready = False

    def _on_renderer_gone(self, status, code: int) -> None:
        log.error("map page renderer ended (%s, exit code %s): reloading", status, code)
        self._ready = False
        QTimer.singleShot(500, self.reload)

    def _describe(self, camera_id: str) -> dict[str, str] | None:
        camera = self._table.camera(camera_id)
        return describe_camera(camera) if camera is not None else None

    def _on_wedges_wanted(self, token: int, request: str) -> None:
        """The wedges in view: geometry here (pyproj stays on this thread, and each camera's
        outline is worked out once), the JSON on a worker thread; the page keeps the latest."""
        ask = json.loads(request)
        box = [ask[k] for k in ("south", "west", "north", "east")]
        if self._wedge_centre is None:  # one projection for the session: the city's centre
            centre = self.config.centre or ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            self._wedge_centre = LatLon(*centre)
        wedges = self._table.wedges(*box, ask["layers"], self._wedge_centre)

        def send(data: str) -> None:
            if self._ready:
                self.view.page().runJavaScript(f"rtccMap.showWedges({int(token)}, {data});")

        run_in_background(wedges.to_json, send,
                          lambda exc: log.error("map: wedges: %s", exc, exc_info=exc))
