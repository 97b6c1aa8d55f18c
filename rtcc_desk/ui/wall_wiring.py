"""Video walls in the desk: the "Video wall" menu, the wall windows (restored at start), tours'
clock, saving per workstation, and moving demo video. ``add_video_walls`` is called once from
``app.assemble()``; see docs/video-wall.md."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QMessageBox

from rtcc_desk.core.wall import TileLayout, WallEvent, WallSet
from rtcc_desk.core.wall.wall_set import utc_now
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.wall.demo_video import DemoVideo
from rtcc_desk.ui.wall.services import WallServices
from rtcc_desk.ui.wall.wall_file import WallFile, remember_place
from rtcc_desk.ui.wall.window import WallWindow

log = logging.getLogger("rtcc.desk.wall")
#: Roles that see the "Video wall" menu (privacy reviewers and admins work elsewhere).
WALL_ROLES = frozenset({"analyst", "supervisor"})
#: Tours move on, and cameras sent back to review leave the walls, within this long.
TICK_MS = 1000
RECHECK_MS = 5000


class DeskWalls(QObject):
    """Every wall of this workstation, their windows, and the menu that opens and closes them."""

    def __init__(self, main_window: QMainWindow, services: WallServices, wall_file: WallFile, *,
                 clock=utc_now) -> None:
        super().__init__(main_window)
        self.main_window, self.services, self.file = main_window, services, wall_file
        loaded = wall_file.load(services.directory, clock=clock)
        self.walls: WallSet = loaded.walls or WallSet(services.directory, clock=clock)
        if not self.walls.walls:
            self.walls.add_wall("Wall 1", layout=TileLayout.grid(2),
                                screen_name=QGuiApplication.primaryScreen().name())
        self.closed: set[str] = set(loaded.closed)
        #: what restoring had to say (cameras taken off since, parts of the file skipped)
        self.notes: list[str] = loaded.notes + [str(r) for r in loaded.removals]
        self.windows: dict[str, WallWindow] = {}
        self.demo: DemoVideo | None = None
        self.menu: QMenu | None = None
        self._stopped = False
        self._unsubscribe = self.walls.subscribe(self._changed)
        self._save_soon = QTimer(self, singleShot=True, interval=1000, timeout=self.save)
        self._timers = [QTimer(self, interval=TICK_MS, timeout=self.walls.tick),
                        QTimer(self, interval=RECHECK_MS, timeout=self.recheck)]
        for timer in self._timers:
            timer.start()

    # ----- windows -------------------------------------------------------------------------------

    def open_saved(self) -> None:
        """Open every wall that was open when the desk last closed, where it was."""
        for wall in self.walls.walls:
            if wall.wall_id not in self.closed:
                self.open_wall(wall.wall_id)
        if self.notes:
            self._tell("Video walls: " + "; ".join(self.notes))

    def open_wall(self, wall_id: str) -> WallWindow:
        window = self.windows.get(wall_id)
        if window is None:
            window = WallWindow(self.walls.wall(wall_id), self.services)
            window.closed.connect(self._window_closed)
            self.windows[wall_id] = window
        self.closed.discard(wall_id)
        window.open()
        window.raise_()
        self._save_soon.start()
        return window

    def new_wall(self, screen_name: str, *, full_screen: bool = False) -> WallWindow:
        wall = self.walls.add_wall(layout=TileLayout.grid(2), screen_name=screen_name,
                                   full_screen=full_screen)
        return self.open_wall(wall.wall_id)

    def close_wall(self, wall_id: str) -> None:
        """Close the window (its streams stop); the wall and its pages stay for reopening."""
        window = self.windows.get(wall_id)
        if window is not None:
            window.close()

    def remove_wall(self, wall_id: str) -> None:
        window = self.windows.pop(wall_id, None)
        if window is not None:
            window.shut_down()
            window.deleteLater()
        self.closed.discard(wall_id)
        self.walls.remove_wall(wall_id)
        self.save()

    def _window_closed(self, wall_id: str) -> None:
        window = self.windows.pop(wall_id, None)
        if window is not None:
            remember_place(window, window.wall)
            window.deleteLater()
        self.closed.add(wall_id)
        self.save()

    # ----- cameras, saving, stopping -------------------------------------------------------------

    def recheck(self) -> None:
        """Take off every wall the cameras that may no longer be shown; re-mask the others."""
        self.walls.recheck()
        for window in self.windows.values():
            window.sync()

    def cameras_changed(self) -> None:
        """The camera inventory changed (sync, review decision): call after updating the index."""
        self.walls.recheck()
        for window in self.windows.values():
            window.refresh_cameras()

    def save(self) -> None:
        for window in self.windows.values():
            if window.isVisible():
                remember_place(window, window.wall)
        try:
            self.file.save(self.walls, self.closed)
        except OSError as exc:
            log.error("could not save the video walls to %s: %s", self.file.path, exc)
            self._tell(f"Video walls not saved: {exc}")

    def stop(self) -> None:
        """The desk is closing: save, stop every stream (views audited), take demo video off."""
        if self._stopped:
            return
        self._stopped = True
        for timer in [*self._timers, self._save_soon]:
            timer.stop()
        self.save()
        self._unsubscribe()
        for window in list(self.windows.values()):
            window.shut_down()
        if self.demo is not None:
            self.demo.close()

    def _changed(self, event: WallEvent) -> None:
        if not self._stopped:
            self._save_soon.start()

    def _tell(self, text: str) -> None:
        log.info("%s", text)
        status = self.main_window.statusBar() if hasattr(self.main_window, "statusBar") else None
        if status is not None:
            status.showMessage(text, 15_000)

    # ----- demo video -----------------------------------------------------------------------------

    def start_demo_video(self, clips_folder: Path, index, then_open: bool = True) -> None:
        """Serve the demo's looping streams and point every pole camera at one (off the GUI
        thread); the saved walls open once they play."""
        demo = self.demo = DemoVideo(clips_folder)

        def ready(_streams) -> None:
            if self._stopped:
                demo.close()
                return
            for camera in demo.cameras_with_video(index.cameras()):
                index.put(camera)
            self.cameras_changed()
            if then_open:
                self.open_saved()

        def failed(exc: Exception) -> None:
            log.error("demo video could not start: %s", exc)
            if self._stopped:  # the desk closed while the video was starting: nobody to tell
                return
            self._tell(f"Demo video could not start ({exc}); walls show no pictures")
            if then_open:
                self.open_saved()

        run_in_background(demo.start, ready, failed)

    # ----- the menu -------------------------------------------------------------------------------

    def build_menu(self, window: QMainWindow) -> QMenu:
        """The "Video wall" menu in the main window's menu bar (before Help)."""
        menu = QMenu("Video &wall", window)
        menu.setObjectName("video-wall-menu")
        menu.aboutToShow.connect(lambda: self._fill_menu(menu))
        help_menu = getattr(window, "help_menu", None)
        if help_menu is not None:
            window.menuBar().insertMenu(help_menu.menuAction(), menu)
        else:
            window.menuBar().addMenu(menu)
        self._fill_menu(menu)
        self.menu = menu
        return menu

    def _fill_menu(self, menu: QMenu) -> None:
        menu.clear()
        desk_screen = self.main_window.screen()
        for number, screen in enumerate(QGuiApplication.screens(), 1):
            size = screen.size()
            label = (f"New wall on screen {number}: {screen.name() or 'unnamed'} "
                     f"({size.width()}×{size.height()})")
            # A monitor of its own gets the wall full screen; the desk's own monitor, a window.
            menu.addAction(label, lambda s=screen: self.new_wall(
                s.name(), full_screen=s is not desk_screen))
        menu.addSeparator()
        for wall in self.walls.walls:
            action = menu.addAction(f"{wall.name} — {len(wall.pages)} page(s)")
            action.setCheckable(True)
            action.setChecked(wall.wall_id in self.windows)
            action.setToolTip("Checked: its window is open. Uncheck to close it (its cameras stop).")
            action.toggled.connect(
                lambda on, w=wall.wall_id: self.open_wall(w) if on else self.close_wall(w))
        menu.addSeparator()
        remove = menu.addMenu("Remove wall")
        for wall in self.walls.walls:
            remove.addAction(wall.name, lambda w=wall: self._ask_remove(w.wall_id, w.name))
        remove.setEnabled(len(self.walls.walls) > 0)
        menu.addAction("Save walls now", self.save)

    def _ask_remove(self, wall_id: str, name: str) -> None:
        answer = QMessageBox.question(self.main_window, "Remove wall",
                                      f"Remove {name} with all its pages and tours?")
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_wall(wall_id)


def add_video_walls(window: QMainWindow, desk, cameras, folder: Path, settings, *,
                    roles: Iterable[str], workstation: str, demo: bool = False) -> DeskWalls | None:
    """Add the video walls to the desk for an analyst or supervisor; None for other roles.

    ``cameras`` is the desk's CameraIndex; walls are saved in ``folder/walls/<workstation>.json``,
    snapshots go to ``folder/snapshots/<call>/``. In demo mode local looping streams are
    started and the saved walls open once they play.
    """
    from rtcc_desk.ui.candidates.model import CameraIdRole  # noqa: PLC0415
    from rtcc_desk.ui.wall.drag_source import CameraDragSource  # noqa: PLC0415

    if not WALL_ROLES & set(roles):
        return None
    picked = {"camera": ""}
    latest = {"result": None}

    def pick(camera_id: str) -> None:
        picked["camera"] = camera_id or picked["camera"]

    desk.p.map.camera_clicked.connect(pick)
    desk.p.candidates.candidate_selected.connect(pick)
    desk.search_shown.connect(lambda result: latest.__setitem__("result", result))
    CameraDragSource(desk.p.candidates.table, CameraIdRole)

    def selected_call() -> str:
        call, _, _ = desk.request_subject()
        return call.call_id if call is not None else ""

    def correlation():
        _, when, _ = desk.request_subject()  # None when nothing is selected any more
        return latest["result"] if when is not None else None

    services = WallServices(
        directory=cameras, cameras=cameras.cameras, zone=ZoneInfo(settings.timezone),
        snapshots=folder / "snapshots", audit=desk.audit, selected_call=selected_call,
        correlation=correlation, picked_camera=lambda: picked["camera"])
    walls = DeskWalls(window, services, WallFile(folder / "walls" / f"{workstation}.json"))
    walls.build_menu(window)
    QApplication.instance().aboutToQuit.connect(walls.stop)
    if demo:
        walls.start_demo_video(folder / "demo-video", cameras)
    else:
        walls.open_saved()
    return walls
