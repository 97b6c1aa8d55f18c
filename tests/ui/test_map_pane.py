"""The map pane against the real QtWebEngine page: what the page holds, clicks, pushes, tiles."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtTest import QSignalSpy, QTest
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineUrlRequestInterceptor

from rtcc_desk.adapters.demo import CadSimulator, generate_demo_cameras, load_builtin_vocabulary
from rtcc_desk.adapters.demo.corridors import CORRIDORS
from rtcc_desk.adapters.map_tiles import solid_png, write_mbtiles
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.cameras import CameraKind
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT
from rtcc_desk.ui.map import MapConfig, MapLayer, MapPane
from rtcc_desk.ui.map.tiles import is_local, tile_hosts

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DOWNTOWN = (32.5115, -93.7490)
LAYER_OF_KIND = {CameraKind.CITY_POLE: "city_poles", CameraKind.BUSINESS: "business",
                 CameraKind.RESIDENTIAL: "residential", CameraKind.EDGE_CHANNEL: "edge"}


# ---- helpers: wait on the real page without sleeping blindly ------------------------------

def pump(ms: int) -> None:
    """Run the event loop for a while. (QTest.qWait and QSignalSpy.wait keep Python's GIL,
    which starves the pane's worker threads; a QEventLoop lets them run.)"""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for_signal(signal, timeout_ms: int = 20_000, check=lambda *args: True) -> tuple:
    """The first emission of ``signal`` from now on whose arguments ``check`` accepts."""
    spy = QSignalSpy(signal)
    deadline = time.monotonic() + timeout_ms / 1000
    seen = 0
    while True:
        for index in range(seen, spy.count()):
            args = tuple(spy.at(index))
            if check(*args):
                return args
        seen = spy.count()
        assert time.monotonic() < deadline, f"no matching {signal} within {timeout_ms} ms"
        pump(10)


def js(pane: MapPane, script: str, timeout_ms: int = 10_000):
    """Evaluate JavaScript in the page; the result comes back through JSON."""
    loop, out = QEventLoop(), []
    pane.evaluate(f"JSON.stringify({script})", lambda result: (out.append(result), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    assert out, f"page did not answer {script!r}"
    return json.loads(out[0]) if out[0] else None


def state(pane: MapPane) -> dict:
    return js(pane, "rtccMap.state()")


def applied(pane: MapPane, seq: int) -> None:
    """Wait until the page has drawn update ``seq`` (acks are cumulative)."""
    wait_for_signal(pane.update_applied, check=lambda done: done >= seq)


def wait_until(pane: MapPane, predicate, timeout_ms: int = 10_000) -> dict:
    """Poll the page's state until ``predicate(state)`` holds; returns that state."""
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.start(timeout_ms)
    while True:
        current = state(pane)
        if predicate(current):
            return current
        assert deadline.isActive(), f"page state never matched: {current}"
        pump(50)


def click(pane: MapPane, x: float, y: float, button=Qt.MouseButton.LeftButton) -> None:
    """A real mouse click on the page's render widget at container pixel (x, y)."""
    target = pane.view.focusProxy()
    QTest.mouseClick(target, button, Qt.KeyboardModifier.NoModifier, QPoint(round(x), round(y)))


def streets_geojson() -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": c.name},
         "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in c.points]}}
        for c in CORRIDORS]}


def outline_geojson() -> dict:
    return json.loads(json.dumps(SHREVEPORT.boundary.__geo_interface__))


def make_call(seed: int = 5, accept=lambda call: True):
    simulator = CadSimulator(seed=seed, vocabulary=load_builtin_vocabulary(),
                             update_probability=0.0)
    while True:
        call = simulator.next_call()
        if call.location is not None and (call.priority.common or 0) >= 8 and accept(call):
            return call


def call_with_candidates(cameras, seed: int = 8):
    """A high-priority demo call with some surely-seeing and some direction-unknown candidates."""
    index = CameraIndex(SHREVEPORT)
    index.load(cameras)

    def rich(call) -> bool:
        found = index.candidates_for_call(call, now=NOW).candidates
        return len(found) >= 6 and any(c.direction_unknown for c in found) and any(
            not c.direction_unknown for c in found)

    call = make_call(seed, rich)
    return call, index.candidates_for_call(call, now=NOW)


# ---- one page for the module: loading QtWebEngine costs more than every test together ----

@pytest.fixture(scope="module")
def cameras():
    return generate_demo_cameras(seed=1, registered=3000)


@pytest.fixture(scope="module")
def pane(qapp, cameras):
    config = MapConfig(centre=DOWNTOWN, zoom=13, outline=outline_geojson(),
                       context=streets_geojson())
    pane = MapPane(config)
    pane.resize(1920, 1080)
    pane.show()
    pane.set_cameras(cameras)
    wait_for_signal(pane.cameras_drawn, check=lambda n: n > 0)
    yield pane
    pane.close()
    pane.deleteLater()
    pump(50)


def test_the_page_holds_every_camera_by_layer(pane, cameras):
    expected = dict.fromkeys(LAYER_OF_KIND.values(), 0)
    for camera in cameras:
        if camera.location is not None and not camera.withdrawn:
            expected[LAYER_OF_KIND[camera.kind]] += 1
    page = state(pane)
    assert page["cameras"] == expected
    assert page["total"] == pane.camera_count == sum(expected.values())
    assert expected["city_poles"] == 270 and expected["edge"] > 0
    assert page["base"] == "plain"
    # the symbols really were drawn: the tiles in view hold cameras of every layer
    assert all(page["inView"][layer] > 0 for layer in expected)


def test_a_real_click_on_a_camera_reaches_python_with_its_id(pane, cameras):
    lone = _isolated_camera(cameras, CameraKind.RESIDENTIAL)
    applied(pane, pane.focus(lone.location.lat, lone.location.lon, 18))
    x, y = js(pane, f"rtccMap.pixelOf({json.dumps(lone.camera_id)})")
    QTimer.singleShot(0, lambda: click(pane, x, y))
    (camera_id,) = wait_for_signal(pane.camera_clicked)
    assert camera_id == lone.camera_id
    assert state(pane)["selected"] == lone.camera_id


def test_cameras_on_one_pole_are_offered_as_a_list(pane, cameras):
    pole = next(c for c in cameras if c.kind is CameraKind.CITY_POLE)
    applied(pane, pane.focus(pole.location.lat, pole.location.lon, 18))
    x, y = js(pane, f"rtccMap.pixelOf({json.dumps(pole.camera_id)})")
    click(pane, x, y)
    choices = wait_until_value(pane, "Array.from(document.querySelectorAll('.rtcc-pick-item'))"
                                     ".map(b => b.dataset.cameraId)", lambda ids: ids)
    assert sorted(choices) == [f"{pole.pole_id}-{n}" for n in (1, 2, 3)]
    # each choice is described by the desk: kind, name and which way it looks
    text = wait_until_value(pane, "document.querySelector('.rtcc-pick').textContent",
                            lambda t: "City pole camera" in t)
    assert pole.name in text and "looking" in text
    third = f"{pole.pole_id}-3"
    # Each choice can be dragged onto a wall tile: the drag carries the camera id.
    dragged = js(pane, f"""(() => {{
        const item = document.querySelector('[data-camera-id="{third}"]');
        const drag = new DragEvent('dragstart', {{dataTransfer: new DataTransfer(), bubbles: true}});
        item.dispatchEvent(drag);
        return [item.draggable, drag.dataTransfer.getData('application/x-rtcc-camera-id'),
                drag.dataTransfer.getData('text/plain')];
    }})()""")
    assert dragged == [True, third, third]
    pick = f"document.querySelector('[data-camera-id=\"{third}\"]').click()"
    QTimer.singleShot(0, lambda: js(pane, pick))
    (camera_id,) = wait_for_signal(pane.camera_clicked)
    assert camera_id == third


def test_a_call_pushed_from_python_appears_without_a_reload(pane):
    before = state(pane)
    js(pane, "(window.keptAcrossPushes = 'still here')")
    call = make_call()
    applied(pane, pane.put_call(call))
    after = state(pane)
    assert call.call_id in after["calls"]
    assert after["pageId"] == before["pageId"]
    assert js(pane, "window.keptAcrossPushes") == "still here"
    assert js(pane, "document.querySelectorAll('.rtcc-call-high').length") >= 1
    applied(pane, pane.remove_call(call.call_id))
    assert call.call_id not in state(pane)["calls"]


def test_withdrawn_and_removed_cameras_leave_the_map(pane, cameras):
    business = next(c for c in cameras if c.kind is CameraKind.BUSINESS)
    edge = next(c for c in cameras if c.kind is CameraKind.EDGE_CHANNEL)
    counts = state(pane)["cameras"]
    applied(pane, pane.put_cameras([dataclasses.replace(business, withdrawn=True)]))
    applied(pane, pane.remove_cameras([edge.camera_id, "no-such-camera"]))
    page = state(pane)
    assert page["cameras"]["business"] == counts["business"] - 1
    assert page["cameras"]["edge"] == counts["edge"] - 1
    assert js(pane, f"rtccMap.pixelOf({json.dumps(business.camera_id)})") is None
    assert pane.camera(business.camera_id) is None
    # registering again puts it back, moved
    moved = dataclasses.replace(business, location=LatLon(*DOWNTOWN))
    applied(pane, pane.put_cameras([moved, edge]))
    assert state(pane)["cameras"] == counts
    assert js(pane, f"rtccMap.pixelOf({json.dumps(business.camera_id)}) !== null")


def test_a_hidden_layer_is_not_drawn_and_the_legend_says_so(pane):
    applied(pane, pane.focus(*DOWNTOWN, 14))
    assert state(pane)["inView"]["residential"] > 0
    applied(pane, pane.set_layer_visible(MapLayer.RESIDENTIAL, False))
    page = state(pane)
    assert page["layers"]["residential"] is False
    assert page["inView"]["residential"] == 0 and page["inView"]["business"] > 0
    assert js(pane, "document.querySelector('input[data-layer=residential]').checked") is False
    applied(pane, pane.set_layer_visible("residential", True))
    assert state(pane)["inView"]["residential"] > 0
    # the analyst's own tick in the legend reaches Python too
    tick = "document.querySelector('input[data-layer=calls]').click()"
    QTimer.singleShot(0, lambda: js(pane, tick))
    assert wait_for_signal(pane.layer_visibility_changed) == ("calls", False)
    assert not pane.layer_visible(MapLayer.CALLS)
    applied(pane, pane.set_layer_visible(MapLayer.CALLS, True))


def test_right_click_find_cameras_here(pane):
    applied(pane, pane.focus(*DOWNTOWN, 16))
    click(pane, 700, 500, Qt.MouseButton.RightButton)
    wait_until(pane, lambda s: s["contextMenuOpen"])
    lat, lon = js(pane, "(p => [p.lat, p.lng])(rtccMap.lastMenuAt())")
    QTimer.singleShot(0, lambda: js(pane, "document.querySelector('.rtcc-context-find').click()"))
    found = wait_for_signal(pane.find_cameras_here)
    assert found == pytest.approx((lat, lon))
    assert abs(found[0] - DOWNTOWN[0]) < 0.01 and abs(found[1] - DOWNTOWN[1]) < 0.01
    assert not state(pane)["contextMenuOpen"]


def test_search_draws_the_radius_and_rings_the_candidates(pane, cameras):
    call, result = call_with_candidates(cameras)
    applied(pane, pane.show_candidates(call.location, result))
    page = state(pane)
    assert page["search"] == {"lat": call.location.lat, "lon": call.location.lon,
                              "radius": result.radius_m}
    sure = {c.camera.camera_id for c in result.candidates if not c.direction_unknown}
    unsure = {c.camera.camera_id for c in result.candidates if c.direction_unknown}
    assert set(page["highlighted"]) == sure and set(page["uncertain"]) == unsure
    applied(pane, pane.clear_search())
    page = state(pane)
    assert page["search"] is None and page["highlighted"] == [] and page["uncertain"] == []


def test_view_wedges_only_at_street_zoom(pane):
    applied(pane, pane.focus(*DOWNTOWN, 17))
    assert wait_until(pane, lambda s: s["wedges"] > 0)["wedges"] > 0
    applied(pane, pane.focus(*DOWNTOWN, 13))
    wait_until(pane, lambda s: s["wedges"] == 0)
    assert pane.current_view[2] == 13  # the page tells the desk where it is


def test_screenshots_at_1920x1080(pane, cameras, screenshot_dir: Path):
    call, result = call_with_candidates(cameras)
    pane.put_call(call)
    pane.put_call(make_call(seed=21))
    pane.show_candidates(call.location, result)
    pane.select_camera(result.candidates[0].camera.camera_id)  # open in the details pane
    placed = [c.location for c in cameras if c.location]
    city = (sum(p.lat for p in placed) / len(placed), sum(p.lon for p in placed) / len(placed))
    at_call = (call.location.lat, call.location.lon)
    shots = {"map-city.png": (*city, 12), "map-street.png": (*at_call, 17)}
    for name, (lat, lon, zoom) in shots.items():
        applied(pane, pane.focus(lat, lon, zoom))
        if zoom >= 17:
            wait_until(pane, lambda s: s["wedges"] > 0)
        pump(400)  # the last tiles and wedges reach the screen
        image = pane.grab().toImage()
        assert (image.width(), image.height()) == (1920, 1080)
        image.save(str(screenshot_dir / name))
        assert _distinct_colours(image) >= 8, f"{name} looks blank"
    applied(pane, pane.clear_search())
    pane.select_camera(None)
    pane.remove_call(call.call_id)


# ---- a second page: changes made before it is ready, the tile package, and the network ----

class RecordingInterceptor(QWebEngineUrlRequestInterceptor):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info):  # noqa: N802 (Qt's name)
        self.urls.append(info.requestUrl().toString())


def test_tiles_package_changes_before_ready_and_no_request_off_the_machine(qapp, tmp_path, cameras):
    red = (170, 40, 60)
    tiles = [((z, x, y), solid_png(red)) for z in range(10, 15)
             for x, y in _tiles_around(DOWNTOWN, z)]
    package = write_mbtiles(tmp_path / "city.mbtiles", tiles, attribution="Test tiles")
    profile = QWebEngineProfile()
    recorder = RecordingInterceptor()
    profile.setUrlRequestInterceptor(recorder)
    pane = MapPane(MapConfig(mbtiles=package, centre=DOWNTOWN, zoom=13), profile=profile)
    pane.resize(1200, 800)
    pane.show()
    try:
        # everything below is asked before the page is ready: it must all arrive
        some = cameras[:300] + cameras[-20:]
        call = make_call()
        pane.set_cameras(some)
        pane.put_call(call)
        pane.remove_cameras([some[0].camera_id])
        pane.show_search(*DOWNTOWN, 250, [some[1].camera_id, some[2].camera_id])
        last = pane.set_layer_visible(MapLayer.EDGE, False)
        assert not pane.is_ready
        applied(pane, last)
        page = wait_until(pane, lambda s: s["tilesLoaded"] > 0)
        assert page["base"] == "mbtiles"
        assert page["total"] == len(some) - 1
        assert page["calls"] == [call.call_id]
        assert sorted(page["highlighted"]) == sorted([some[1].camera_id, some[2].camera_id])
        assert page["layers"]["edge"] is False
        assert page["tileErrors"] == 0
        assert any(url.startswith("rtcc-tiles://") for url in recorder.urls)
        assert any(url.startswith("qrc:///qtwebchannel/") for url in recorder.urls)
        off_machine = [url for url in recorder.urls if not is_local(url)]
        assert off_machine == []
        # the tile colour is on screen, away from symbols and controls
        pump(400)  # tiles fade in
        image = pane.grab().toImage()
        colour = image.pixelColor(600, 760)
        assert (colour.red(), colour.green(), colour.blue()) == red
    finally:
        pane.close()
        pane.deleteLater()
        pump(100)
        del pane


def test_a_tile_server_is_used_and_every_other_remote_request_blocked(qapp):
    green = (40, 150, 70)
    tile = solid_png(green)
    asked: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    profile = QWebEngineProfile()
    recorder = RecordingInterceptor()
    profile.setUrlRequestInterceptor(recorder)
    url = f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
    pane = MapPane(MapConfig(tile_url=url, attribution="Local tiles", centre=DOWNTOWN, zoom=13),
                   profile=profile)
    pane.resize(800, 600)
    pane.show()
    try:
        wait_for_signal(pane.page_ready)
        page = wait_until(pane, lambda s: s["tilesLoaded"] > 0)
        assert page["base"] == "tiles" and asked and asked[0].endswith(".png")
        credit = js(pane, "document.querySelector('.leaflet-control-attribution').textContent")
        assert "Local tiles" in credit
        js(pane, "(() => { const i = new Image(); i.onerror = () => { window.cdnFailed = true; };"
                 " i.src = 'https://unpkg.com/leaflet@1.9.4/dist/leaflet.js'; return 1; })()")
        wait_until_value(pane, "window.cdnFailed === true", bool)
        assert [u for u in pane.guard.blocked if "unpkg.com" in u]
        remote = [u for u in recorder.urls if not is_local(u)]
        assert remote and set(remote) <= set(pane.guard.blocked)
    finally:
        pane.close()
        pane.deleteLater()
        pump(100)
        server.shutdown()


def test_which_requests_count_as_local():
    assert is_local("file:///opt/rtcc/page/index.html")
    assert is_local("qrc:///qtwebchannel/qwebchannel.js")
    assert is_local("rtcc-tiles://pkg1/13/1/2") and is_local("http://127.0.0.1:8080/a.png")
    assert not is_local("https://unpkg.com/leaflet.js")
    hosts = tile_hosts("https://{s}.tiles.city.gov/{z}/{x}/{y}.png")
    assert is_local("https://b.tiles.city.gov/1/2/3.png", hosts)
    assert not is_local("https://tiles.city.gov.evil.example/1/2/3.png", hosts)
    assert tile_hosts("https://tiles.city.gov/{z}/{x}/{y}.png") == {"tiles.city.gov"}
    assert tile_hosts(None) == frozenset()


def test_an_unreadable_package_falls_back_to_the_plain_map(qapp, tmp_path):
    broken = tmp_path / "broken.mbtiles"
    broken.write_bytes(b"not a database")
    pane = MapPane(MapConfig(mbtiles=broken, centre=DOWNTOWN))
    try:
        wait_for_signal(pane.page_ready)
        page = state(pane)
        assert page["base"] == "plain"
        notice = js(pane, "document.querySelector('.rtcc-notice').textContent")
        assert "Tile package not usable" in notice
    finally:
        pane.deleteLater()
        pump(50)


def test_config_refuses_what_cannot_work():
    with pytest.raises(ValueError, match="either tile_url or mbtiles"):
        MapConfig(tile_url="https://t/{z}/{x}/{y}.png", mbtiles=Path("x.mbtiles"))
    with pytest.raises(ValueError, match="needs"):
        MapConfig(tile_url="https://t/tiles.png")
    with pytest.raises(ValueError, match="zooms"):
        MapConfig(zoom=25)


# ---- small helpers ----------------------------------------------------------------------

def wait_until_value(pane: MapPane, script: str, predicate, timeout_ms: int = 5000):
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.start(timeout_ms)
    while True:
        value = js(pane, script)
        if predicate(value):
            return value
        assert deadline.isActive(), f"{script} stayed {value!r}"
        pump(50)


def _isolated_camera(cameras, kind: CameraKind):
    """A camera with no other camera within ~25 m (so a click cannot hit a neighbour)."""
    points = [(c.location.lat, c.location.lon) for c in cameras if c.location]
    for camera in cameras:
        if camera.kind is not kind or camera.location is None:
            continue
        lat, lon = camera.location.lat, camera.location.lon
        near = sum(1 for p in points if abs(p[0] - lat) < 0.00025 and abs(p[1] - lon) < 0.0003)
        if near == 1:
            return camera
    raise AssertionError("no isolated camera in the demo data")


def _tiles_around(centre: tuple[float, float], z: int, reach: int = 4):
    import math

    lat, lon = centre
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return [(x + dx, y + dy) for dx in range(-reach, reach + 1) for dy in range(-reach, reach + 1)]


def _distinct_colours(image: QImage) -> int:
    colours = set()
    for y in range(0, image.height(), 7):
        for x in range(0, image.width(), 7):
            colours.add(image.pixel(x, y) & 0xF0F0F0)  # coarse: ignore anti-aliasing shades
    return len(colours)
