"""A wall window's toolbar: layout, pages, tour, pop cameras, screen and full screen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QToolBar, QWidget

from rtcc_desk.core.wall import MIN_TOUR_SECONDS, PRESETS
from rtcc_desk.core.wall.wall import Wall

#: A tour's step unless the analyst picks another.
DEFAULT_TOUR_SECONDS = 15


def layout_label(key: str) -> str:
    layout = PRESETS[key]
    if "+" in key:
        return f"{key}  (one big tile, {layout.rows}×{layout.cols} grid)"
    return key.replace("x", "×")


class WallToolbar(QToolBar):
    layout_chosen = Signal(object)  #: TileLayout
    add_page = Signal()
    remove_page = Signal()
    start_tour = Signal(float)  #: seconds per step
    stop_tour = Signal()
    pop_cameras = Signal()
    screen_chosen = Signal(str)  #: screen name
    full_screen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Wall", parent)
        self.setObjectName("wall-toolbar")
        self.setMovable(False)
        self.layouts = QComboBox(toolTip="Tile layout of this page")
        for key in PRESETS:
            self.layouts.addItem(layout_label(key), key)
        self.layouts.activated.connect(self._layout_activated)
        self.addWidget(QLabel(" Layout "))
        self.addWidget(self.layouts)
        self.addSeparator()
        self.add_page_action = self._action("Add page", self.add_page, "Ctrl+T",
                                            "Add an empty page with this layout")
        self.remove_page_action = self._action("Remove page", self.remove_page, None,
                                               "Remove the page shown (its cameras leave the wall)")
        self.addSeparator()
        self.tour_seconds = QSpinBox(minimum=int(MIN_TOUR_SECONDS), maximum=3600,
                                     value=DEFAULT_TOUR_SECONDS, suffix=" s")
        self.tour_seconds.setToolTip("How long each camera of a tour stays on its tile")
        self.start_tour_action = QAction("Start tour", self)
        self.start_tour_action.setToolTip(
            "Rotate the cameras selected in the camera tree through the selected tiles "
            "(or every tile of the page)")
        self.start_tour_action.triggered.connect(
            lambda: self.start_tour.emit(float(self.tour_seconds.value())))
        self.addAction(self.start_tour_action)
        self.addWidget(QLabel(" every "))
        self.addWidget(self.tour_seconds)
        self.stop_tour_action = self._action("Stop tours", self.stop_tour, None,
                                             "Stop the tours of this page; tiles keep their cameras")
        self.addSeparator()
        self.pop_action = self._action("Pop cameras for the call", self.pop_cameras, "Ctrl+P",
                                       "Fill the selected tiles (or the whole page) with the nearest "
                                       "approved pole cameras that see the selected call")
        self.addSeparator()
        self.screens = QComboBox(toolTip="Monitor this wall is shown on")
        self.screens.activated.connect(lambda i: self.screen_chosen.emit(self.screens.itemData(i)))
        self.addWidget(QLabel(" Screen "))
        self.addWidget(self.screens)
        self.full_screen_action = self._action("Full screen", self.full_screen, "F11",
                                               "Full screen on this monitor (F11 again to leave)")
        self.full_screen_action.setCheckable(True)

    def _layout_activated(self, index: int) -> None:
        key = self.layouts.itemData(index)
        if key in PRESETS:  # not the "custom" entry, which only shows a restored layout
            self.layout_chosen.emit(PRESETS[key])

    def _action(self, text: str, signal, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip + (f" ({shortcut})" if shortcut else ""))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda: signal.emit())
        self.addAction(action)
        return action

    def show_wall(self, wall: Wall, full_screen: bool) -> None:
        """Bring every control in line with the wall (after any change)."""
        key = next((k for k, layout in PRESETS.items() if layout == wall.page.layout), None)
        if key is None:
            custom = f"custom: {wall.page.layout.name}"
            if self.layouts.findData("custom") < 0:
                self.layouts.addItem(custom, "custom")
            self.layouts.setItemText(self.layouts.findData("custom"), custom)
            self.layouts.setCurrentIndex(self.layouts.findData("custom"))
        else:
            self.layouts.setCurrentIndex(self.layouts.findData(key))
        self.remove_page_action.setEnabled(len(wall.pages) > 1)
        self.stop_tour_action.setEnabled(bool(wall.page.tours))
        self.full_screen_action.setChecked(full_screen)
        screens = QGuiApplication.screens()
        if [self.screens.itemData(n) for n in range(self.screens.count())] != [s.name() for s in screens]:
            # Refilled only when monitors come or go: an open drop-down is not pulled away.
            self.screens.clear()
            for screen in screens:
                size = screen.size()
                self.screens.addItem(f"{screen.name()} ({size.width()}×{size.height()})", screen.name())
        at = self.screens.findData(wall.screen_name)
        self.screens.setCurrentIndex(max(0, at))

