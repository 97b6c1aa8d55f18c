"""The Feeds menu: replay a CAD CSV file at a chosen speed, open the feed-health log."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox

from rtcc_desk.adapters.feeds.csv_replay import CsvReplayFeed
from rtcc_desk.adapters.feeds.errors import FeedError
from rtcc_desk.adapters.feeds.hub import FeedHub
from rtcc_desk.ui.feed_log import FeedLogDialog


def add_feed_menu(window: QMainWindow, hub: FeedHub, log: FeedLogDialog) -> None:
    menu = window.menuBar().addMenu("F&eeds")
    menu.addAction("Replay a CAD CSV file…").triggered.connect(lambda: ask_for_replay(window, hub))
    menu.addAction("Feed health…").triggered.connect(log.show_log)


def ask_for_replay(window: QMainWindow, hub: FeedHub) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Replay CAD calls", "", "CAD CSV (*.csv);;All files (*)")
    if not path:
        return
    speed, ok = QInputDialog.getDouble(window, "Replay speed",
                                       "Speed (1 = as they happened, 60 = a minute per second, 0 = all at once):",
                                       60.0, 0.0, 10_000.0, 1)
    if ok:
        start_replay(hub, Path(path), speed, window)


def start_replay(hub: FeedHub, path: Path, speed: float, window: QMainWindow | None = None) -> CsvReplayFeed | None:
    """Add a replay of ``path`` to the running feeds; problems with it go to the feed-health log."""
    name = f"replay:{path.name}"
    if any(source.name == name for source in hub.sources):
        hub.remove(name)  # replaying the same file again starts it over
    try:
        return hub.add(CsvReplayFeed(path, speed=speed, name=name))
    except FeedError as exc:
        if window is not None:
            QMessageBox.warning(window, "Replay", f"{path.name}: {exc}")
        return None
