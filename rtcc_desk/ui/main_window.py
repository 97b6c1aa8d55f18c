"""The main window: dockable panes any of which can be detached onto any monitor, menus, shortcuts."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from rtcc_desk.ui.layout_store import restore_layout, save_layout
from rtcc_desk.ui.status_bar import DeskStatusBar

log = logging.getLogger("rtcc.desk")
AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea, "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea, "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
}


class MainWindow(QMainWindow):
    lock_requested = Signal()

    def __init__(self, layout_file: Path, status: DeskStatusBar, *, title: str = "RTCC Desk",
                 banner: str | None = None) -> None:
        super().__init__()
        self.layout_file = layout_file
        self.setWindowTitle(title)
        self.setObjectName("rtcc-main")
        self.setDockNestingEnabled(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        self.setStatusBar(status)
        self.status = status
        self.panes: dict[str, QDockWidget] = {}
        self._default_state: QByteArray | None = None
        self._build_menus(banner)

    # panes -------------------------------------------------------------------------------

    def add_pane(self, key: str, title: str, widget: QWidget, area: str = "left",
                 shortcut: str | None = None, split_with: str | None = None,
                 tab_with: str | None = None) -> QDockWidget:
        """Add a pane as a dock (objectName = key, which the saved layout refers to)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(key)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        if tab_with in self.panes:
            self.addDockWidget(self.dockWidgetArea(self.panes[tab_with]), dock)
            self.tabifyDockWidget(self.panes[tab_with], dock)
        elif split_with in self.panes:
            self.splitDockWidget(self.panes[split_with], dock, Qt.Orientation.Vertical)
        else:
            self.addDockWidget(AREAS[area], dock)
        self.panes[key] = dock
        toggle = dock.toggleViewAction()
        if shortcut:
            toggle.setShortcut(QKeySequence(shortcut))
            focus = QAction(f"Focus {title}", self, shortcut=QKeySequence(shortcut))
            focus.triggered.connect(lambda _=False, d=dock: self.focus_pane(d))
            self.addAction(focus)
        self._panes_menu.addAction(toggle)
        send = QAction(f"Send {title} to the next screen", self)
        send.triggered.connect(lambda _=False, d=dock: self.send_to_next_screen(d))
        self._screens_menu.addAction(send)
        return dock

    def focus_pane(self, dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()
        dock.widget().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def send_to_next_screen(self, dock: QDockWidget) -> None:
        """Float ``dock`` and move it, maximised in size, onto the next monitor."""
        screens = QGuiApplication.screens()
        current = dock.screen() or QGuiApplication.primaryScreen()
        target = screens[(screens.index(current) + 1) % len(screens)]
        dock.setFloating(True)
        dock.setGeometry(target.availableGeometry())
        dock.show()

    # layout ------------------------------------------------------------------------------

    def restore(self) -> bool:
        """Remember the built-in layout (for "Reset layout"), then apply the saved one if any."""
        self._default_state = self.saveState()
        return restore_layout(self, self.layout_file)

    def save(self) -> None:
        try:
            save_layout(self, self.layout_file)
        except OSError as exc:
            log.error("could not save the layout to %s: %s", self.layout_file, exc)
            self.status.showMessage(f"Layout not saved: {exc}", 10_000)

    def reset_layout(self) -> None:
        if self._default_state is not None:
            for dock in self.panes.values():
                dock.setFloating(False)
            self.restoreState(self._default_state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.save()
        super().closeEvent(event)

    # menus -------------------------------------------------------------------------------

    def _build_menus(self, banner: str | None) -> None:
        bar = self.menuBar()
        desk = bar.addMenu("&Desk")
        lock = desk.addAction("Lock the desk")
        lock.setShortcut(QKeySequence("Ctrl+L"))
        lock.triggered.connect(self.lock_requested)
        desk.addSeparator()
        quit_action = desk.addAction("Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        view = bar.addMenu("&View")
        self._panes_menu = view.addMenu("Panes")
        self._screens_menu = view.addMenu("Send to screen")
        view.addSeparator()
        save = view.addAction("Save layout")
        save.setShortcut(QKeySequence("Ctrl+Shift+S"))
        save.triggered.connect(self.save)
        view.addAction("Reset layout").triggered.connect(self.reset_layout)
        full = view.addAction("Full screen")
        full.setShortcut(QKeySequence("F11"))
        full.triggered.connect(lambda: self.showNormal() if self.isFullScreen() else self.showFullScreen())
        if banner:  # e.g. demo mode: visible on every screenshot of the window
            label = QLabel(banner)
            label.setProperty("role", "banner")
            bar.setCornerWidget(label, Qt.Corner.TopRightCorner)
        self.help_menu = bar.addMenu("&Help")
