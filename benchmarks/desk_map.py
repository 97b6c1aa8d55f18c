"""Map pane in the real QtWebEngine page: first paint with 100k cameras, and a call's candidates."""

from __future__ import annotations

import os
import time

# Before any Qt import: no display needed; Chromium's sandbox cannot run as root in a container.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.common import Figure, median, p99, print_section  # noqa: E402
from benchmarks.correlation import NOW, demo_calls  # noqa: E402
from rtcc_desk.adapters.demo import generate_demo_cameras  # noqa: E402
from rtcc_desk.core.camera_index import CameraIndex  # noqa: E402
from rtcc_desk.core.jurisdiction import SHREVEPORT  # noqa: E402
from rtcc_desk.ui.map import MapConfig, MapPane  # noqa: E402

FIRST_PAINT_TARGET_S = 1.5
HIGHLIGHT_TARGET_MS = 100.0


def _wait(signal, check=lambda *args: True, timeout_ms: int = 60_000) -> tuple:
    loop, got = QEventLoop(), []

    def seen(*args):
        if check(*args):
            got.append(args)
            loop.quit()

    signal.connect(seen)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(seen)
    if not got:
        raise TimeoutError(f"no {signal} within {timeout_ms} ms")
    return got[0]


def _settle(ms: int = 100) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _new_pane(centre) -> MapPane:
    pane = MapPane(MapConfig(centre=(centre.lat, centre.lon), zoom=12))
    pane.resize(1920, 1080)
    pane.show()
    return pane


def run(cameras: int = 100_000, selections: int = 100) -> list[Figure]:
    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive for the run)
    demo = generate_demo_cameras(seed=7, registered=cameras - 300)
    centre = SHREVEPORT.centre
    # Chromium's own start-up belongs to the desk's cold start, not to the map's first paint
    warm = _new_pane(centre)
    _wait(warm.page_ready)
    warm.deleteLater()
    _settle()

    start = time.perf_counter()
    pane = _new_pane(centre)  # the page starts loading here
    pane.set_cameras(demo)
    ready_at: list[float] = []
    pane.page_ready.connect(lambda: ready_at.append(time.perf_counter() - start))
    _count, js_ms = _wait(pane.bridge.cameras_drawn, lambda n, _ms: n > 0)
    first_paint = time.perf_counter() - start
    shown = pane.camera_count

    index = CameraIndex(SHREVEPORT)
    index.load(demo)
    round_trips, pushes = [], []
    for call in demo_calls(selections):
        began = time.perf_counter()
        result = index.candidates_for_call(call, now=NOW)
        sent = time.perf_counter()
        seq = pane.show_candidates(call.location, result)
        _wait(pane.update_applied, lambda done, seq=seq: done >= seq)
        done = time.perf_counter()
        round_trips.append((done - began) * 1000)
        pushes.append((done - sent) * 1000)
    pane.deleteLater()
    _settle()  # pages go before their profiles, or Qt warns at exit

    figures = [
        Figure(f"map first paint, {shown:,} cameras (page load → drawn, ack)", first_paint, "s",
               f"< {FIRST_PAINT_TARGET_S} s", first_paint < FIRST_PAINT_TARGET_S),
        Figure("  of which: page ready (Leaflet up, web channel open)",
               ready_at[0] if ready_at else 0.0, "s"),
        Figure("  of which: page unpacks and draws the cameras", js_ms / 1000, "s"),
        Figure(f"call selected → candidates highlighted, median ({selections} calls)",
               median(round_trips), "ms"),
        Figure("call selected → candidates highlighted, p99 (correlate, push, ack)",
               p99(round_trips), "ms", f"< {HIGHLIGHT_TARGET_MS:g} ms",
               p99(round_trips) < HIGHLIGHT_TARGET_MS),
        Figure("  of which: Python → page → ack, median", median(pushes), "ms"),
    ]
    print_section("Desk map pane (QtWebEngine, offscreen)", figures)
    return figures
