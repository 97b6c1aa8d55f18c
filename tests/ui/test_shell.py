"""The desk's shell: panes that float onto screens and come back where they were, the status bar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QDockWidget, QLabel

from rtcc_desk.ui.main_window import MainWindow
from rtcc_desk.ui.status_bar import DeskStatusBar

ZONE = ZoneInfo("America/Chicago")


def _window(qtbot, layout_file, now=lambda: datetime.now(UTC)):
    window = MainWindow(layout_file, DeskStatusBar(ZONE, now), banner="DEMO MODE")
    for key, title, area in (("map", "Map", "right"), ("calls", "Calls", "left"),
                             ("candidates", "Candidates", "left"), ("details", "Camera details", "left")):
        window.add_pane(key, title, QLabel(title), area)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.restore()
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_floated_pane_and_a_hidden_pane_come_back_after_a_restart(qtbot, tmp_path):
    layout = tmp_path / "layout.json"
    first = _window(qtbot, layout)
    first.panes["map"].setFloating(True)
    first.panes["map"].setGeometry(200, 150, 700, 500)
    first.panes["details"].hide()
    first.close()  # saves

    second = _window(qtbot, layout)
    qtbot.waitUntil(lambda: second.panes["map"].isFloating())
    assert second.panes["map"].geometry().size().toTuple() == (700, 500)
    assert not second.panes["details"].isVisible()
    assert second.panes["calls"].isVisible() and not second.panes["calls"].isFloating()


def test_a_pane_saved_on_a_monitor_that_is_gone_comes_back_on_a_screen_that_exists(qtbot, tmp_path):
    layout = tmp_path / "layout.json"
    first = _window(qtbot, layout)
    first.panes["map"].setFloating(True)
    first.close()
    data = json.loads(layout.read_text())
    # As if it had been on a third monitor, far right, which is no longer plugged in.
    data["docks"]["map"]["window"] = {"screen_name": "DP-3", "screen_index": 2, "offset_x": 300,
                                      "offset_y": 100, "width": 900, "height": 700}
    layout.write_text(json.dumps(data))

    second = _window(qtbot, layout)
    dock = second.panes["map"]
    qtbot.waitUntil(dock.isFloating)
    screen = second.screen().availableGeometry()
    assert screen.contains(dock.geometry()), (screen, dock.geometry())


def test_an_unreadable_layout_file_keeps_the_default_layout(qtbot, tmp_path):
    layout = tmp_path / "layout.json"
    layout.write_text("{not json")
    window = _window(qtbot, layout)
    assert all(not d.isFloating() for d in window.findChildren(QDockWidget))
    assert window.panes["calls"].isVisible()


def test_status_bar_says_how_stale_the_registry_is_and_how_long_the_server_has_been_away(qtbot):
    clock = [datetime(2026, 11, 25, 18, 0, tzinfo=UTC)]
    bar = DeskStatusBar(ZONE, lambda: clock[0])
    qtbot.addWidget(bar)
    bar.set_registry(clock[0] - timedelta(minutes=3), 3120)
    bar.set_server(False)
    clock[0] += timedelta(minutes=40)
    bar.tick()
    assert "3,120 cameras" in bar.registry.text() and "43m 00s" in bar.registry.text()
    assert "STALE" in bar.registry.text()
    assert "unreachable for 40m 00s" in bar.server.text()
    assert "12:40:00 CST" in bar.clock.text()
    bar.set_server(True)
    assert bar.server.text() == "Server: connected"
