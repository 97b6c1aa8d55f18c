"""Save and restore the window layout per workstation, onto whichever monitors exist now.

Qt's ``saveState`` keeps which pane is docked where and which float; this adds, for the main
window and every floating pane, the *screen* it was on (by name and position), so that a pane
detached onto the third monitor goes back there — or, when that monitor is gone, onto a
screen that exists (see ``core.screen_placement``).
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from rtcc_desk.core.screen_placement import Rect, SavedWindow, Screen, place, remember

log = logging.getLogger("rtcc.desk")
FORMAT_VERSION = 1


def current_screens() -> list[Screen]:
    return [_screen(s) for s in QGuiApplication.screens()]


def _screen(qscreen: QScreen) -> Screen:
    return Screen(qscreen.name(), _rect(qscreen.availableGeometry()))


def _rect(r: QRect) -> Rect:
    return Rect(r.x(), r.y(), r.width(), r.height())


def _saved_window(widget: QWidget) -> dict:
    qscreen = widget.screen() or QGuiApplication.primaryScreen()
    index = QGuiApplication.screens().index(qscreen)
    return asdict(remember(_screen(qscreen), index, _rect(widget.geometry())))


def _restore_window(widget: QWidget, data: dict) -> None:
    screens = current_screens()
    primary = QGuiApplication.screens().index(QGuiApplication.primaryScreen())
    _, rect = place(SavedWindow(**data), screens, primary)
    widget.setGeometry(rect.x, rect.y, rect.width, rect.height)


def save_layout(window: QMainWindow, path: Path) -> None:
    """Write the layout atomically (a crash mid-write keeps the previous one)."""
    docks = {d.objectName(): {"floating": d.isFloating(), "visible": d.isVisible(),
                              "window": _saved_window(d) if d.isFloating() else None}
             for d in window.findChildren(QDockWidget)}
    data = {
        "version": FORMAT_VERSION,
        "state": base64.b64encode(bytes(window.saveState(FORMAT_VERSION).data())).decode(),
        "main": _saved_window(window),
        "maximized": window.isMaximized(),
        "docks": docks,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1))
    os.replace(temporary, path)


def restore_layout(window: QMainWindow, path: Path) -> bool:
    """Apply a saved layout; False (and the default layout kept) when there is none or it is unreadable."""
    try:
        data = json.loads(path.read_text())
        state = QByteArray(base64.b64decode(data["state"]))
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("layout file %s unreadable (%s); using the default layout", path, exc)
        return False
    _restore_window(window, data["main"])
    if not window.restoreState(state, FORMAT_VERSION):
        log.warning("layout file %s is from another version; using the default layout", path)
        return False
    for dock in window.findChildren(QDockWidget):
        saved = data.get("docks", {}).get(dock.objectName())
        if saved and saved.get("floating") and saved.get("window"):
            _restore_window(dock, saved["window"])
    if data.get("maximized"):
        window.showMaximized()
    return True
