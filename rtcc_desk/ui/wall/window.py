"""A wall window on one monitor: page tabs, the tile grid, the camera tree, and the live feeds.

The window watches its ``Wall`` (core) and keeps the tiles in line with it: which camera each
tile shows, which stream it plays, and — what keeps a wall affordable — which tiles decode at
all. Only the tiles on screen play: another page, a minimised, hidden or closed window stops
its streams; showing them again starts them. Starting and stopping never block (the streams'
worker lanes do the slow part), and frames are read from a timer, never from libvlc.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QStatusBar,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.live import LiveState
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.core.wall import CameraRefused, WallChange, WallError, WallEvent, may_show
from rtcc_desk.core.wall.layout import TileLayout
from rtcc_desk.core.wall.wall import Wall
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.wall.audit_trail import WallAudit
from rtcc_desk.ui.wall.camera_tree import CameraTree
from rtcc_desk.ui.wall.feed import TileFeed
from rtcc_desk.ui.wall.grid import TileGrid
from rtcc_desk.ui.wall.services import WallServices
from rtcc_desk.ui.wall.snapshots import prepare_snapshot, write_png
from rtcc_desk.ui.wall.tile import WallTile
from rtcc_desk.ui.wall.toolbar import WallToolbar
from rtcc_desk.ui.wall.wall_file import put_on_screen

log = logging.getLogger("rtcc.desk.wall")
#: Frames are picked up this often (the streams run at 15 fps or less).
POLL_MS = 60
#: Tiles repaint at least this often, for the clock and the reconnect countdown.
CLOCK_MS = 1000


class WallWindow(QMainWindow):
    closed = Signal(str)  #: wall id, when the analyst closes the window
    snapshot_saved = Signal(str)  #: path of a snapshot written

    def __init__(self, wall: Wall, services: WallServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wall, self.services = wall, services
        self.audit = WallAudit(services, lambda: wall.name)
        self.setObjectName(f"wall-window-{wall.wall_id}")
        # A wall window never keeps the desk running: quitting the main window quits.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.tiles: list[WallTile] = []
        self.feeds: dict[int, TileFeed] = {}
        self.selected: set[int] = set()
        self._page_shown: int | None = None
        self._layout_shown: TileLayout | None = None
        self._maximised_shown: int | None = None
        self._active = False
        self._shutting_down = False
        self._poll_timer = QTimer(self, interval=POLL_MS, timeout=self._poll)
        self._clock_timer = QTimer(self, interval=CLOCK_MS, timeout=self._tick_clock)
        self._build()
        self._unsubscribe = wall.subscribe(self._on_event)
        self.refresh_cameras()

    # ----- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.toolbar = WallToolbar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        tb = self.toolbar
        tb.layout_chosen.connect(self.choose_layout)
        tb.add_page.connect(lambda: self._try(lambda: self.wall.show_page(self.wall.add_page())))
        tb.remove_page.connect(lambda: self._try(lambda: self.wall.remove_page(self.wall.current)))
        tb.start_tour.connect(self.start_tour)
        tb.stop_tour.connect(self.stop_tours)
        tb.pop_cameras.connect(self.pop_cameras)
        tb.screen_chosen.connect(self.move_to_screen)
        tb.full_screen.connect(self.toggle_full_screen)
        self.pages = QTabBar(self, expanding=False, drawBase=False)
        self.pages.setObjectName("wall-pages")
        self.pages.currentChanged.connect(self._page_tab_changed)
        self.grid = TileGrid(self)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.pages)
        column.addWidget(self.grid, 1)
        self.setCentralWidget(body)
        self.tree = CameraTree(self)
        self.tree.camera_activated.connect(self.place_on_free_tile)
        self.tree_dock = QDockWidget("Cameras", self)
        self.tree_dock.setObjectName("wall-cameras")
        self.tree_dock.setWidget(self.tree)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.tree_dock)
        self.resizeDocks([self.tree_dock], [290], Qt.Orientation.Horizontal)
        self.tree_dock.toggleViewAction().setShortcut(QKeySequence("Ctrl+K"))
        self.toolbar.addAction(self.tree_dock.toggleViewAction())
        self.setStatusBar(QStatusBar(self))
        for keys, slot in ((QKeySequence.StandardKey.MoveToNextPage, self.wall.next_page),
                           (QKeySequence.StandardKey.MoveToPreviousPage, self.wall.previous_page),
                           (QKeySequence("Escape"), self.wall.restore),
                           (QKeySequence.StandardKey.Delete, self.clear_selected)):
            QShortcut(keys, self, activated=lambda s=slot: self._try(s))
        self._retitle()

    def refresh_cameras(self) -> None:
        """The inventory changed: rebuild the tree and bring tiles in line (masks, addresses)."""
        self.tree.set_cameras(self.services.cameras())
        self.sync()

    def _retitle(self) -> None:
        self.setWindowTitle(f"{self.wall.name} — RTCC video wall")

    # ----- the model's changes ------------------------------------------------------------------

    def _on_event(self, event: WallEvent) -> None:
        if event.wall_id != self.wall.wall_id or self._shutting_down:
            return
        if event.change is WallChange.WALLS:
            self._retitle()
        elif event.change is WallChange.SCREEN:
            self.place()
        elif event.change is WallChange.MAXIMISED and self.wall.maximised is not None:
            camera_id = self.wall.camera_on(self.wall.maximised)
            if camera_id:
                self.audit.maximised(camera_id, self.wall.maximised)
        if event.change is WallChange.CAMERAS_DROPPED:
            for removal in event.removals:
                if removal.page == self.wall.current and removal.tile is not None \
                        and removal.tile < len(self.tiles):
                    self.tiles[removal.tile].notify(f"{removal.camera_id} taken off: {removal.reason}")
        notes = [event.message] + [str(r) for r in event.removals]
        if any(notes):
            self.say("; ".join(n for n in notes if n))
        self.sync()

    def sync(self) -> None:
        """Bring tiles, feeds and controls in line with the wall; safe to call any time."""
        wall, page = self.wall, self.wall.page
        if wall.current != self._page_shown:
            for tile in list(self.feeds):  # the old page is hidden: its streams go
                self._release(tile)
            self.selected.clear()
        if wall.current != self._page_shown or page.layout != self._layout_shown:
            self._rebuild_tiles(page.layout)
        if wall.maximised != self._maximised_shown or wall.current != self._page_shown \
                or page.layout != self._layout_shown:
            self.grid.arrange(page.layout, self.tiles, wall.maximised)
        self._page_shown, self._layout_shown = wall.current, page.layout
        self._maximised_shown = wall.maximised
        for index, tile in enumerate(self.tiles):
            assignment = page.tiles.get(index)
            camera = self.services.directory.camera(assignment.camera_id) if assignment else None
            camera = camera if isinstance(camera, PoleCamera) else None
            feed = self.feeds.get(index)
            if feed is not None and (camera is None or not feed.matches(camera)):
                self._release(index)
                feed = None
            if camera is not None and feed is None:
                feed = self.feeds[index] = TileFeed(camera, self.services.open_stream(camera),
                                                    now=self.services.now)
            elif feed is not None and camera is not None:
                feed.update_camera(camera)
            tile.show_camera(camera, feed, toured=page.tour_on(index) is not None)
            tile.set_selected(index in self.selected)
        self._decode_visible()
        self._show_pages()
        self.toolbar.show_wall(wall, self.isFullScreen())

    def _rebuild_tiles(self, layout: TileLayout) -> None:
        for tile in list(self.feeds):
            if tile >= len(layout):
                self._release(tile)
        for tile in self.tiles:
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        for index in range(len(layout)):
            tile = WallTile(index, self.wall.wall_id, self.services.zone, self.services.now, self.grid)
            tile.dropped.connect(self.drop_cameras)
            tile.tile_dropped.connect(lambda a, b: self._try(lambda: self.wall.swap(a, b)))
            tile.activated.connect(self.toggle_maximised)
            tile.snapshot_wanted.connect(self.take_snapshot)
            tile.pressed.connect(self._tile_pressed)
            tile.menu_wanted.connect(self._tile_menu)
            self.tiles.append(tile)
        self.selected = {t for t in self.selected if t < len(layout)}

    def _show_pages(self) -> None:
        bar = self.pages
        bar.blockSignals(True)
        while bar.count() > len(self.wall.pages):
            bar.removeTab(bar.count() - 1)
        while bar.count() < len(self.wall.pages):
            bar.addTab("")
        for index, page in enumerate(self.wall.pages):
            tours = " ⟳" if page.tours else ""
            bar.setTabText(index, f"{page.name or f'Page {index + 1}'} · {page.layout.name}{tours}")
        bar.setCurrentIndex(self.wall.current)
        bar.blockSignals(False)

    def _page_tab_changed(self, index: int) -> None:
        if 0 <= index < len(self.wall.pages):
            self._try(lambda: self.wall.show_page(index))

    # ----- decoding only what is seen -------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True while the window is on screen (shown, not minimised): its tiles decode."""
        return self._active

    def _set_active(self, active: bool) -> None:
        if active == self._active or self._shutting_down and active:
            return
        self._active = active
        if active:
            self._poll_timer.start()
            self._clock_timer.start()
        else:
            self._clock_timer.stop()  # the poll timer runs on until the stops have gone through
        self._decode_visible()

    def _decode_visible(self) -> None:
        visible = set(self.wall.visible_tiles()) if self._active else set()
        for index, feed in self.feeds.items():
            if index in visible:
                feed.play(self.wall.stream_for(index))
            else:
                self.audit.viewed(feed.stop())
        if not self._active and not self.feeds:
            self._poll_timer.stop()

    def _poll(self) -> None:
        for index, feed in self.feeds.items():
            if feed.poll() and index < len(self.tiles):
                self.tiles[index].update()
        if not self._active and all(f.state is LiveState.STOPPED for f in self.feeds.values()):
            self._poll_timer.stop()

    def _tick_clock(self) -> None:
        for tile in self.tiles:
            if tile.isVisible():
                tile.update()

    def _release(self, index: int) -> None:
        feed = self.feeds.pop(index, None)
        if feed is not None:
            self.audit.viewed(feed.close())

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's names)
        super().showEvent(event)
        self._set_active(not self.isMinimized())

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self._set_active(False)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._set_active(self.isVisible() and not self.isMinimized())
            self.toolbar.full_screen_action.setChecked(self.isFullScreen())

    def closeEvent(self, event) -> None:  # noqa: N802
        self.release_all()
        super().closeEvent(event)
        if not self._shutting_down:
            self.closed.emit(self.wall.wall_id)

    def release_all(self) -> None:
        """Stop and release every stream (window closing); the wall keeps its cameras."""
        self._set_active(False)
        for index in list(self.feeds):
            self._release(index)
        for tile in self.tiles:
            tile.show_camera(tile.camera, None)

    def shut_down(self) -> None:
        """The desk is closing: release everything and close without reporting a closed wall."""
        self._shutting_down = True
        self.release_all()
        self._unsubscribe()
        self.close()

    # ----- screen -------------------------------------------------------------------------------

    def place(self) -> None:
        """Put the window on its wall's screen, full screen there if the wall says so."""
        put_on_screen(self, self.wall)
        if self.wall.full_screen and not self.isFullScreen() and self.isVisible():
            self.showFullScreen()
        elif not self.wall.full_screen and self.isFullScreen():
            self.showNormal()

    def open(self) -> None:
        """Show the window where its wall was, full screen if it was."""
        put_on_screen(self, self.wall)
        if self.wall.full_screen:
            self.showFullScreen()
        else:
            self.show()

    def move_to_screen(self, name: str) -> None:
        if name and name != self.wall.screen_name:
            self.wall.window = None  # the whole of the new monitor, not the old offset
            self.wall.show_on(name, full_screen=self.isFullScreen())

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.wall.full_screen = self.isFullScreen()

    # ----- what the analyst does -------------------------------------------------------------------

    def say(self, text: str, ms: int = 10_000) -> None:
        self.statusBar().showMessage(text, ms)

    def _try(self, change) -> bool:
        try:
            change()
        except WallError as exc:
            self.say(str(exc))
            return False
        return True

    def choose_layout(self, layout: TileLayout) -> None:
        self._try(lambda: self.wall.set_layout(layout))

    def drop_cameras(self, tile: int, camera_ids: list[str], sure: bool = True) -> list[str]:
        """Put dropped cameras on ``tile`` and the tiles after it; returns those refused, each
        written on the tile it was meant for (e.g. "awaiting privacy review")."""
        if not sure:  # words from plain text: only those naming a known camera count
            camera_ids = [c for c in camera_ids if self.services.directory.camera(c) is not None]
            if not camera_ids:
                self.tiles[tile].notify("No camera id in what was dropped here")
                return []
        refused: list[str] = []
        free = list(range(tile, len(self.tiles)))
        for camera_id in camera_ids:
            if not free:
                self.say(f"{len(camera_ids)} cameras dropped; the tiles after tile {tile + 1} are full")
                break
            target = free[0]
            try:
                self.wall.place(target, camera_id)
            except CameraRefused as exc:
                refused.append(camera_id)
                self.tiles[target].notify(f"{camera_id} cannot go on a wall: {exc.reason}")
                self.say(str(exc))
                continue
            except WallError as exc:
                self.say(str(exc))
                break
            free.pop(0)
        return refused

    def place_on_free_tile(self, camera_id: str) -> None:
        """A camera double-clicked in the tree: the first selected or empty tile gets it."""
        page = self.wall.page
        empty = [t for t in range(len(page.layout)) if t not in page.tiles]
        target = min(self.selected) if self.selected else (empty[0] if empty else 0)
        self.drop_cameras(target, [camera_id])

    def toggle_maximised(self, tile: int) -> None:
        if self.wall.camera_on(tile) is not None or self.wall.maximised == tile:
            self._try(lambda: self.wall.toggle_maximised(tile))

    def clear_selected(self) -> None:
        for tile in sorted(self.selected):
            self._try(lambda t=tile: self.wall.clear(t))

    def chosen_tiles(self) -> list[int]:
        """The tile group actions work on: the selected tiles, else the whole page."""
        return sorted(self.selected) if self.selected else list(range(len(self.wall.page.layout)))

    def pop_cameras(self) -> None:
        result = self.services.correlation()
        if result is None:
            self.say("Select a call on the desk first: pop cameras fills tiles with the cameras "
                     "that see it")
            return
        try:
            popped = self.wall.pop_cameras(result, self.chosen_tiles())
        except WallError as exc:
            self.say(str(exc))
            return
        self.say(popped.message)

    def start_tour(self, seconds: float) -> None:
        chosen = self.tree.selected_camera_ids()
        cameras = [c for c in chosen if may_show(self.services.directory, c)]
        if not cameras:
            self.say("Select cameras or poles in the camera tree first (only approved cameras tour)")
            return
        skipped = len(chosen) - len(cameras)
        started = self._try(lambda: self.wall.start_tour(cameras, self.chosen_tiles(), seconds))
        if started and skipped:
            self.say(f"Tour started; {skipped} camera(s) left out: not approved for walls")

    def stop_tours(self) -> None:
        for tour in list(self.wall.page.tours):
            self.wall.stop_tour(tour)

    def _tile_pressed(self, tile: int, adding: bool) -> None:
        if adding:
            self.selected ^= {tile}
        else:
            self.selected = set() if self.selected == {tile} else {tile}
        for index, widget in enumerate(self.tiles):
            widget.set_selected(index in self.selected)

    def _tile_menu(self, tile: int, at: QPoint) -> None:
        menu = QMenu(self)
        camera = self.wall.camera_on(tile)
        picked = self.services.picked_camera()
        if picked and picked != camera:
            menu.addAction(f"Put {picked} here (picked on the map or candidates)",
                           lambda: self.drop_cameras(tile, [picked]))
        if camera is not None:
            maximised = self.wall.maximised == tile
            menu.addAction("Restore" if maximised else "Maximise (main stream)",
                           lambda: self.toggle_maximised(tile))
            menu.addAction("Snapshot", lambda: self.take_snapshot(tile))
            unmasked = self.services.view_unmasked
            shown = self.services.directory.camera(camera)
            if unmasked is not None and shown is not None:
                menu.addAction("View unmasked… (supervisor, audited)",
                               lambda: unmasked(shown, self))
            menu.addAction("Clear tile", lambda: self._try(lambda: self.wall.clear(tile)))
        menu.addAction("Clear page", lambda: self._try(self.wall.clear_page))
        menu.exec(at)

    # ----- snapshots and audit ---------------------------------------------------------------------

    def take_snapshot(self, tile: int) -> None:
        """Save the tile's masked picture, captioned, under snapshots/<call>/ and audit it."""
        feed = self.feeds.get(tile)
        frame = feed.frame if feed is not None else None
        if feed is None or frame is None:
            if tile < len(self.tiles):
                self.tiles[tile].notify("No picture to save yet", 3000)
            return
        call_id = self.services.selected_call()
        image, path = prepare_snapshot(frame, feed.camera, taken_at=self.services.now(),
                                       zone=self.services.zone, snapshots=self.services.snapshots,
                                       call_id=call_id)
        camera_id = feed.camera.camera_id

        def saved(written) -> None:
            self.audit.snapshot(camera_id, written, call_id)
            self.say(f"Snapshot saved: {written}")
            self.snapshot_saved.emit(str(written))

        run_in_background(lambda: write_png(image, path), saved,
                          lambda exc: self.say(f"Snapshot not saved: {exc}"))
