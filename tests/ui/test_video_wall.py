"""Video wall windows with real local streams (RTSP through ffmpeg, HTTP): tiles go live, masks
black out, refusals show on the tile, hidden tiles stop, lost streams come back, walls persist."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QMimeData, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QMainWindow

from rtcc_desk.adapters.live import LiveState, LiveTiming, PlayerPool
from rtcc_desk.core.cameras import PrivacyReview
from rtcc_desk.core.wall import Stream, TileLayout, WallSet, walls_to_dict
from rtcc_desk.ui.candidates.pane import CandidatesPane
from rtcc_desk.ui.theme import apply_dark_theme
from rtcc_desk.ui.wall import LiveStreamOpener, WallFile, WallServices, WallWindow, camera_mime
from rtcc_desk.ui.wall.tile import fit
from rtcc_desk.ui.wall_wiring import DeskWalls, add_video_walls
from tests.core.wall_fixtures import index_of, pole_camera
from tests.streams import CLIP_CACHE, live_streams, module_streams, test_clip  # noqa: F401

ZONE = ZoneInfo("America/Chicago")
#: A reviewer's mask over the middle of the left half (away from the tile's captions).
MASK = (((0.05, 0.3), (0.45, 0.3), (0.45, 0.7), (0.05, 0.7)),)
#: Quick to give up and quick to retry, so a lost camera is seen and recovers within seconds.
QUICK = LiveTiming(lost_after_s=1.5, connect_timeout_s=6.0, backoff_first_s=0.5,
                   backoff_max_s=2.0, backoff_jitter=0.0, remux_stall_s=3.0)


@pytest.fixture(autouse=True)
def dark_theme(qapp):
    style, palette = qapp.style().name(), qapp.palette()
    apply_dark_theme(qapp)
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.fixture(scope="module")
def pool():
    workers = PlayerPool()
    yield workers
    workers.shutdown(wait=True)


@pytest.fixture(scope="module")
def four_sources(module_streams):  # noqa: F811  (a fixture of tests.streams)
    """Two RTSP and two HTTP cameras on this machine, shared by the module's tests."""
    return module_streams.start(["rtsp", "http", "rtsp", "http"])


def camera_on(source, camera_id: str, **changes):
    camera = pole_camera(camera_id)
    return replace(camera, main_stream_url=source.url, sub_stream_url=source.url, **changes)


def open_wall(qtbot, tmp_path: Path, cameras, *, pool, layout: TileLayout | None = None,
              timing=QUICK, audit=None, call: str = ""):
    index = index_of(*cameras)
    layout = layout or TileLayout.grid(2)
    walls = WallSet(index)
    wall = walls.add_wall("Wall 1", layout=layout)
    services = WallServices(index, index.cameras, ZONE, tmp_path / "snapshots",
                            open_stream=LiveStreamOpener(pool, timing),
                            audit=(lambda *a, **k: audit.append((a, k))) if audit is not None else
                            (lambda *a, **k: None), selected_call=lambda: call)
    window = WallWindow(wall, services)
    qtbot.addWidget(window)
    window.resize(1280, 780)
    return index, wall, window


def wait_live(qtbot, window, tiles, timeout=30_000):
    qtbot.waitUntil(lambda: all(t in window.feeds and window.feeds[t].state is LiveState.LIVE
                                for t in tiles), timeout=timeout)


def brightness(image: QImage, x: int, y: int, half: int = 6) -> float:
    """Mean of R+G+B over a small square: 0 is black."""
    total = count = 0
    for px in range(x - half, x + half):
        for py in range(y - half, y + half):
            colour = image.pixelColor(px, py)
            total += colour.red() + colour.green() + colour.blue()
            count += 1
    return total / count / 3


def test_a_2x2_page_plays_four_real_streams_and_each_tile_goes_live(qtbot, tmp_path, four_sources,
                                                                    pool, screenshot_dir):
    cameras = [camera_on(s, f"P0{n + 1}-1") for n, s in enumerate(four_sources)]
    _, wall, window = open_wall(qtbot, tmp_path, cameras, pool=pool)
    for tile, camera in enumerate(cameras):
        wall.place(tile, camera.camera_id)
    window.show()
    wait_live(qtbot, window, range(4))
    seen = {t: window.feeds[t].stream.serial for t in range(4)}
    qtbot.waitUntil(lambda: all(window.feeds[t].stream.serial >= seen[t] + 5 for t in range(4)),
                    timeout=15_000)  # pictures keep arriving, not one frozen frame
    assert [window.tiles[t].state_text() for t in range(4)] == ["live"] * 4
    assert all(window.feeds[t].stream_kind is Stream.SUB for t in range(4))
    assert {window.feeds[t].stream.shown_url.split(":")[0] for t in range(4)} == {"rtsp", "http"}
    image = window.grab().toImage()
    image.save(str(screenshot_dir / "video-wall-2x2.png"))
    tile = window.tiles[0].grab().toImage()
    assert brightness(tile, tile.width() // 2, tile.height() // 2) > 40  # a picture, not black
    window.close()
    assert not window.feeds


def test_a_masked_region_of_a_grabbed_tile_is_black_and_the_rest_is_not(qtbot, tmp_path,
                                                                        four_sources, pool):
    masked = camera_on(four_sources[1], "P01-1", privacy_masks=MASK)
    plain = camera_on(four_sources[1], "P01-2")  # the same picture, no mask
    _, wall, window = open_wall(qtbot, tmp_path, [masked, plain], pool=pool,
                                layout=TileLayout.grid(1, 2))
    wall.place(0, "P01-1")
    wall.place(1, "P01-2")
    window.show()
    wait_live(qtbot, window, [0, 1])
    qtbot.waitUntil(lambda: window.feeds[0].frame is not None and window.feeds[1].frame is not None)
    qtbot.wait(300)
    for index, expect_black in ((0, True), (1, False)):
        tile = window.tiles[index]
        image = tile.grab().toImage()
        picture = fit(tile.rect(), *window.feeds[index].frame.picture_size)
        inside = (picture.x() + int(0.25 * picture.width()), picture.y() + int(0.5 * picture.height()))
        outside = (picture.x() + int(0.56 * picture.width()), picture.y() + int(0.2 * picture.height()))
        assert (brightness(image, *inside) < 4) is expect_black, f"tile {index + 1} mask region"
        assert brightness(image, *outside) > 60, f"tile {index + 1} outside the mask"
    window.close()


def test_a_pending_review_camera_dropped_on_a_tile_is_refused_with_a_message(qtbot, tmp_path, pool,
                                                                            screenshot_dir):
    pending = pole_camera("P07-2", review=PrivacyReview.PENDING)
    ready = pole_camera("P07-1")
    index, wall, window = open_wall(qtbot, tmp_path, [ready, pending], pool=pool)
    window.show()
    tile = window.tiles[2]
    data = camera_mime(["P07-2"])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    tile.dropEvent(drop)
    assert wall.camera_on(2) is None and 2 not in window.feeds
    assert "awaiting privacy review" in tile.notice
    assert "awaiting privacy review" in window.statusBar().currentMessage()
    window.grab().save(str(screenshot_dir / "video-wall-refused.png"))
    # The camera tree lists it, greyed, saying why it is not shown.
    pole = window.tree.tree.topLevelItem(0)
    entry = next(pole.child(k) for k in range(pole.childCount()) if "P07-2" in pole.child(k).text(0))
    assert entry.text(1) == "not shown" and "awaiting privacy review" in entry.toolTip(1)
    # Plain text naming a camera (dragged from a map popup) is taken when the camera may be shown.
    text = QMimeData()
    text.setText("Camera P07-1 (pole P07)")
    tile.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, text,
                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert wall.camera_on(2) == "P07-1" and 2 in window.feeds
    # Sent back to review while on the wall: it leaves the tile at the next re-check, saying why.
    index.put(replace(ready, privacy_review=PrivacyReview.PENDING))
    wall.drop_refused()
    assert wall.camera_on(2) is None and 2 not in window.feeds
    assert "P07-1 taken off: it is awaiting privacy review" in tile.notice
    window.close()


def test_hiding_a_page_or_minimising_the_window_stops_its_players(qtbot, tmp_path, four_sources, pool):
    cameras = [camera_on(s, f"P0{n + 1}-1") for n, s in enumerate(four_sources[:3])]
    audit: list = []
    _, wall, window = open_wall(qtbot, tmp_path, cameras, pool=pool, audit=audit, call="CFS-2026-0042")
    wall.place(0, "P01-1")
    wall.place(1, "P02-1")
    wall.add_page()
    wall.place(0, "P03-1", page=1)
    window.show()
    wait_live(qtbot, window, [0, 1])
    first_page = [window.feeds[0].stream, window.feeds[1].stream]
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # page 2
    assert wall.current == 1
    assert all(s.state is LiveState.STOPPED for s in first_page)  # stopped and released
    wait_live(qtbot, window, [0])
    views = [a for a, k in audit if a[0] == "video.view"]
    assert {v[1].split()[0] for v in views} == {"camera:P01-1", "camera:P02-1"}
    assert all(k["case_ref"] == "CFS-2026-0042" for a, k in audit)

    second = window.feeds[0]
    window.showMinimized()
    qtbot.waitUntil(lambda: second.state is LiveState.STOPPED, timeout=5000)
    assert not window.active
    window.showNormal()
    qtbot.waitUntil(lambda: window.active and second.state is LiveState.LIVE, timeout=20_000)
    window.close()


def test_a_killed_stream_shows_lost_then_recovers_when_the_camera_returns(
        qtbot, tmp_path, pool, live_streams):  # noqa: F811  (a fixture of tests.streams)
    source = live_streams.http("killed")
    _, wall, window = open_wall(qtbot, tmp_path, [camera_on(source, "P09-1")], pool=pool,
                                layout=TileLayout.grid(1))
    wall.place(0, "P09-1")
    window.show()
    wait_live(qtbot, window, [0])
    feed, tile = window.feeds[0], window.tiles[0]
    source.stop()
    qtbot.waitUntil(lambda: tile.state_text().startswith("lost"), timeout=15_000)
    assert LiveState.LOST in feed.history
    source.start()
    qtbot.waitUntil(lambda: feed.state is LiveState.LIVE, timeout=30_000)
    assert tile.state_text() == "live"
    assert feed.history[-1] is LiveState.LIVE  # lost, then live again
    window.close()


def test_double_click_maximises_on_the_main_stream_and_snapshots_are_audited(qtbot, tmp_path,
                                                                             four_sources, pool):
    camera = replace(camera_on(four_sources[3], "P04-1"), main_stream_url=four_sources[2].url,
                     privacy_masks=MASK)
    audit: list = []
    _, wall, window = open_wall(qtbot, tmp_path, [camera], pool=pool, audit=audit,
                                call="CFS-2026-0077")
    wall.place(3, "P04-1")
    window.show()
    wait_live(qtbot, window, [3])
    qtbot.mouseDClick(window.tiles[3], Qt.MouseButton.LeftButton)
    assert wall.maximised == 3 and window.feeds[3].stream_kind is Stream.MAIN
    assert window.tiles[3].isVisible() and not window.tiles[0].isVisible()
    wait_live(qtbot, window, [3])
    assert window.feeds[3].stream.shown_url == four_sources[2].url
    assert any(a[0] == "wall.maximise" and "P04-1" in a[1] for a, _ in audit)

    with qtbot.waitSignal(window.snapshot_saved, timeout=10_000) as saved:
        qtbot.mouseClick(window.tiles[3].snapshot_button, Qt.MouseButton.LeftButton)
    path = Path(saved.args[0])
    assert path.parent == tmp_path / "snapshots" / "CFS-2026-0077" and path.suffix == ".png"
    image = QImage(str(path))
    assert "P04-1" in image.text("Caption") and "privacy masks applied" in image.text("Caption")
    qtbot.waitUntil(lambda: any(a[0] == "video.snapshot" for a, _ in audit))
    snap = next((a, k) for a, k in audit if a[0] == "video.snapshot")
    assert snap[1]["case_ref"] == "CFS-2026-0077" and path.name in snap[0][1]

    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert wall.maximised is None and window.feeds[3].stream_kind is Stream.SUB
    window.close()


def test_walls_layouts_and_tours_survive_a_restart(qtbot, tmp_path, pool):
    nowhere = "http://127.0.0.1:9/none"  # nothing listens: tiles stay "connecting", no video needed
    cameras = [replace(pole_camera(f"P{n:02d}-{k}", bearing=120.0 * (k - 1)), main_stream_url=nowhere,
                       sub_stream_url=nowhere) for n in range(1, 4) for k in (1, 2, 3)]
    index = index_of(*cameras)
    services = WallServices(index, index.cameras, ZONE, tmp_path / "snapshots",
                            open_stream=LiveStreamOpener(pool, QUICK))
    main = QMainWindow()
    qtbot.addWidget(main)
    file = WallFile(tmp_path / "walls" / "ws-1.json")
    desk_walls = DeskWalls(main, services, file)
    desk_walls.open_saved()
    qtbot.addWidget(desk_walls.windows[desk_walls.walls.walls[0].wall_id])  # closed even on failure
    window = next(iter(desk_walls.windows.values()))
    wall = window.wall
    # What the analyst does in the window: layout, a camera, a second page, a tour.
    bar = window.toolbar
    bar.layouts.setCurrentIndex(bar.layouts.findData("1+5"))
    bar.layouts.activated.emit(bar.layouts.currentIndex())
    window.drop_cameras(0, ["P01-1"])
    bar.add_page_action.trigger()
    bar.layouts.activated.emit(bar.layouts.findData("3x3"))
    assert wall.current == 1 and len(window.tiles) == 9
    pole = window.tree.tree.topLevelItem(1)  # P02: its three cameras
    pole.setSelected(True)
    window.tree.tree.topLevelItem(2).child(0).setSelected(True)  # and P03-1
    qtbot.mouseClick(window.tiles[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.tiles[1], Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier)
    bar.tour_seconds.setValue(30)
    bar.start_tour_action.trigger()
    assert wall.page.tours[0].camera_ids == ("P02-1", "P02-2", "P02-3", "P03-1")
    assert wall.page.tours[0].tiles == (0, 1) and window.tiles[0].toured
    window.toggle_full_screen()
    second = desk_walls.new_wall(wall.screen_name)
    second.drop_cameras(3, ["P03-2"])
    desk_walls.close_wall(second.wall.wall_id)  # closed walls come back closed, pages kept
    assert second.wall.wall_id in desk_walls.closed
    before = walls_to_dict(desk_walls.walls)
    desk_walls.stop()
    saved = json.loads(file.path.read_text())
    assert saved["closed"] == [second.wall.wall_id] and saved["walls"][0]["full_screen"]

    again = DeskWalls(main, services, file)
    assert walls_to_dict(again.walls) == before
    again.open_saved()
    qtbot.addWidget(again.windows[wall.wall_id])
    assert set(again.windows) == {wall.wall_id}
    window = again.windows[wall.wall_id]
    assert window.isFullScreen() and window.wall.current == 1 and len(window.tiles) == 9
    assert window.pages.count() == 2 and "⟳" in window.pages.tabText(1)
    assert window.wall.page.tours[0].camera_ids == ("P02-1", "P02-2", "P02-3", "P03-1")
    assert window.tiles[0].toured and window.tiles[1].toured and not window.tiles[2].toured
    assert window.wall.pages[0].layout == TileLayout.named("1+5")
    assert again.walls.wall(second.wall.wall_id).page.camera_on(3) == "P03-2"
    again.stop()


def test_a_candidate_row_drags_its_camera_id_onto_a_tile(qtbot, tmp_path, pool):
    from rtcc_desk.ui.candidates.model import CameraIdRole
    from rtcc_desk.ui.wall.drag_source import CameraDragSource
    from rtcc_desk.ui.wall.mime import dropped_camera_ids
    from tests.core.wall_fixtures import DOWNTOWN, START, offset

    camera = pole_camera("P08-1")
    index, wall, window = open_wall(qtbot, tmp_path, [camera], pool=pool)
    pane = CandidatesPane(now_fn=lambda: START)
    qtbot.addWidget(pane)
    pane.resize(900, 300)
    pane.show()
    result = index.candidates_at(offset(DOWNTOWN, 0, 40), incident_time=START, now=START,
                                 radius_m=150)
    pane.show_result(result, index.camera, START, subject="a point")
    source = CameraDragSource(pane.table, CameraIdRole)
    row = pane.table.visualRect(pane.model.index(0, 0)).center()
    assert source.camera_at(row) == "P08-1"
    ids, sure = dropped_camera_ids(camera_mime([source.camera_at(row)]))
    assert (ids, sure) == (["P08-1"], True)
    window.drop_cameras(1, ids)
    assert wall.camera_on(1) == "P08-1"


class _StandInMap(QObject):
    camera_clicked = Signal(str)


class _StandInDesk(QObject):
    """The desk's surface the wiring uses; the real one needs a server and a map page."""

    search_shown = Signal(object)

    def __init__(self, index) -> None:
        super().__init__()
        self.p = SimpleNamespace(map=_StandInMap(), candidates=CandidatesPane(), index=index)
        self.records: list = []

    def request_subject(self):
        return None, None, []

    def audit(self, action: str, object_: str, **fields: str) -> None:
        self.records.append((action, object_, fields))


def test_the_demo_wall_shows_moving_video_with_no_cameras_attached(qtbot, tmp_path, screenshot_dir):
    from rtcc_desk.adapters.demo import generate_demo_cameras

    index = index_of(*generate_demo_cameras(seed=1, registered=0, edge_devices=0))
    desk = _StandInDesk(index)
    main = QMainWindow()
    main.help_menu = main.menuBar().addMenu("&Help")
    qtbot.addWidget(main)
    settings = SimpleNamespace(timezone="America/Chicago")
    assert add_video_walls(main, desk, index, tmp_path, settings, roles=["privacy_reviewer"],
                           workstation="ws") is None
    # Clips are cached with the tests' clips, so only the first run ever makes them.
    folder = tmp_path / "desk"
    (folder / "demo-video").parent.mkdir(parents=True)
    (folder / "demo-video").symlink_to(CLIP_CACHE, target_is_directory=True)
    walls = add_video_walls(main, desk, index, folder, settings, roles=["analyst"],
                            workstation="ws", demo=True)
    try:
        assert [a.text() for a in main.menuBar().actions()] == ["Video &wall", "&Help"]
        qtbot.waitUntil(lambda: bool(walls.windows), timeout=90_000)  # opens once the video plays
        window = next(iter(walls.windows.values()))
        approved = [c.camera_id for c in index.cameras() if c.in_service][:4]
        for tile, camera_id in enumerate(approved):
            window.wall.place(tile, camera_id)
        assert index.camera(approved[0]).sub_stream_url.startswith(("rtsp://127.0.0.1", "http://127.0.0.1"))
        wait_live(qtbot, window, range(4), timeout=40_000)
        qtbot.waitUntil(lambda: window.feeds[0].frame is not None)
        assert window.feeds[0].frame.picture_size == (640, 360)  # the sub stream, not the main
        qtbot.wait(1500)
        window.grab().save(str(screenshot_dir / "video-wall-demo.png"))
        assert window.tree.tree.topLevelItemCount() == 90
        walls.menu.aboutToShow.emit()  # the menu opens a wall window per monitor
        new_wall = next(a for a in walls.menu.actions() if a.text().startswith("New wall on screen 1"))
        new_wall.trigger()
        assert len(walls.windows) == 2 and len(walls.walls.walls) == 2
    finally:
        walls.stop()
    assert any(r[0] == "video.view" for r in desk.records)
