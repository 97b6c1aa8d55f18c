"""The wall model: placing (and refusing unapproved) cameras, pages, maximise, walls, events."""

from __future__ import annotations

import pytest

from rtcc_desk.core.cameras import PrivacyReview
from rtcc_desk.core.screen_placement import SavedWindow
from rtcc_desk.core.wall import (
    CameraRefused,
    Stream,
    TileLayout,
    WallChange,
    WallError,
    WallSet,
    pole_tree,
)
from tests.core.wall_fixtures import (
    FakeClock,
    Recorder,
    approved,
    home_camera,
    index_of,
    pole_camera,
    send_back_to_review,
)


@pytest.fixture
def index():
    return index_of(
        *approved(9),
        pole_camera("NEW-1", review=PrivacyReview.PENDING),
        pole_camera("BAD-1", review=PrivacyReview.REJECTED),
        pole_camera("DARK-1", urls=False),
        home_camera("REG-000001"),
    )


@pytest.fixture
def walls(index):
    return WallSet(index, clock=FakeClock())


@pytest.fixture
def wall(walls):
    return walls.add_wall("North wall", layout=TileLayout.grid(3), screen_name="DP-1")


def test_a_camera_dragged_onto_a_tile_shows_there_and_the_window_is_told(wall):
    heard = Recorder()
    wall.subscribe(heard)
    wall.place(4, "P01-2")
    assert wall.camera_on(4) == "P01-2"
    assert wall.stream_for(4) is Stream.SUB
    assert [(e.change, e.tiles) for e in heard.events] == [(WallChange.TILES, frozenset({4}))]


@pytest.mark.parametrize(("camera_id", "reason"), [
    ("NEW-1", "awaiting privacy review"),
    ("BAD-1", "privacy review rejected it"),
    ("DARK-1", "no stream address"),
    ("REG-000001", "residential camera; only city pole cameras"),
    ("GONE-9", "not in the camera inventory"),
])
def test_cameras_that_may_not_be_shown_are_refused_and_nothing_changes(wall, camera_id, reason):
    heard = Recorder()
    wall.subscribe(heard)
    with pytest.raises(CameraRefused, match=reason) as caught:
        wall.place(0, camera_id)
    assert caught.value.camera_id == camera_id
    assert str(caught.value).startswith(f"camera {camera_id} cannot go on a wall: ")
    assert wall.camera_on(0) is None and heard.events == []


def test_a_camera_already_on_the_page_moves_to_the_new_tile(wall):
    wall.place(0, "P01-1")
    heard = Recorder()
    wall.subscribe(heard)
    wall.place(5, "P01-1")
    assert (wall.camera_on(0), wall.camera_on(5)) == (None, "P01-1")
    assert heard.events[0].tiles == frozenset({0, 5})


def test_swap_clear_and_choosing_the_main_stream(wall):
    wall.place(0, "P01-1")
    wall.place(1, "P01-2", stream=Stream.MAIN)
    wall.swap(0, 1)
    assert (wall.camera_on(0), wall.camera_on(1)) == ("P01-2", "P01-1")
    assert wall.stream_for(0) is Stream.MAIN
    wall.swap(1, 8)  # onto an empty tile: a move
    assert (wall.camera_on(1), wall.camera_on(8)) == (None, "P01-1")
    wall.set_stream(8, Stream.MAIN)
    assert wall.stream_for(8) is Stream.MAIN
    wall.clear(8)
    assert wall.camera_on(8) is None
    with pytest.raises(WallError, match="tile 9 of North wall shows no camera"):
        wall.set_stream(8, Stream.SUB)
    with pytest.raises(WallError, match="no tile 10 on this page"):
        wall.place(9, "P01-1")


def test_double_click_maximises_a_tile_on_its_main_stream_and_again_restores(wall):
    wall.place(2, "P01-3")
    heard = Recorder()
    wall.subscribe(heard)
    wall.toggle_maximised(2)
    assert wall.maximised == 2 and wall.visible_tiles() == (2,)
    assert wall.stream_for(2) is Stream.MAIN
    wall.toggle_maximised(2)
    assert wall.maximised is None and wall.visible_tiles() == tuple(range(9))
    assert wall.stream_for(2) is Stream.SUB
    assert heard.kinds() == ["maximised", "maximised"]


def test_pages_each_have_their_own_layout_and_showing_another_restores_a_maximised_tile(wall):
    wall.place(0, "P01-1")
    second = wall.add_page(TileLayout.named("1+5"), name="Downtown")
    assert second == 1 and len(wall.pages[1].layout) == 6
    wall.place(0, "P02-1", page=1)
    wall.maximise(0)
    wall.next_page()
    assert wall.current == 1 and wall.maximised is None
    assert wall.camera_on(0) == "P02-1"
    wall.next_page()  # wraps round
    assert wall.current == 0
    wall.previous_page()
    assert wall.current == 1
    wall.remove_page(0)
    assert wall.current == 0 and wall.page.name == "Downtown"
    with pytest.raises(WallError, match="only one page"):
        wall.remove_page(0)
    with pytest.raises(WallError, match="pages 1-1, not page 3"):
        wall.show_page(2)


def test_a_smaller_layout_takes_off_the_cameras_on_tiles_it_lacks_and_says_so(wall):
    for tile, camera_id in enumerate(["P01-1", "P01-2", "P01-3", "P02-1", "P02-2"]):
        wall.place(tile, camera_id)
    removals = wall.set_layout(TileLayout.grid(2))
    assert [(r.tile, r.camera_id) for r in removals] == [(4, "P02-2")]
    assert str(removals[0]) == (
        "North wall, page 1, tile 5: camera P02-2 taken off: the 2×2 layout has 4 tiles")
    assert wall.page.camera_ids() == ["P01-1", "P01-2", "P01-3", "P02-1"]


def test_each_monitor_gets_its_own_wall_and_the_set_hears_every_wall(walls, wall):
    heard = Recorder()
    walls.subscribe(heard)
    east = walls.add_wall(layout=TileLayout.grid(4), screen_name="HDMI-2", full_screen=True)
    assert (east.wall_id, east.name) == ("wall-2", "Wall 2")
    assert (len(east.page.layout), len(wall.page.layout)) == (16, 9)
    east.place(15, "P03-3")
    wall.show_on("DP-3", full_screen=True, window=SavedWindow("DP-3", 2, 0, 0, 1920, 1080))
    assert (wall.screen_name, wall.full_screen) == ("DP-3", True)
    assert [(e.change.value, e.wall_id) for e in heard.events] == [
        ("walls", "wall-2"), ("tiles", "wall-2"), ("screen", "wall-1")]
    assert [(w.wall_id, p, t) for w, p, t in walls.walls_showing("P03-3")] == [("wall-2", 0, 15)]
    walls.remove_wall("wall-2")
    east.place(0, "P01-1")  # a closed wall is no longer heard
    assert heard.events[-1].change is WallChange.WALLS
    with pytest.raises(WallError, match="no wall 'wall-2'"):
        walls.wall("wall-2")


def test_unsubscribing_stops_the_events(wall):
    heard = Recorder()
    unsubscribe = wall.subscribe(heard)
    unsubscribe()
    wall.place(0, "P01-1")
    assert heard.events == []


def test_a_camera_sent_back_to_review_leaves_every_wall_at_once(index, walls, wall):
    other = walls.add_wall(layout=TileLayout.grid(2))
    wall.place(0, "P01-1")
    wall.place(1, "P01-2")
    other.place(3, "P01-1")
    heard = Recorder()
    walls.subscribe(heard)
    send_back_to_review(index, "P01-1")
    removals = walls.recheck()
    assert [(r.wall, r.tile, r.camera_id) for r in removals] == [
        ("North wall", 0, "P01-1"), ("Wall 2", 3, "P01-1")]
    assert all(r.reason == "it is awaiting privacy review" for r in removals)
    assert wall.camera_on(0) is None and wall.camera_on(1) == "P01-2"
    assert [(e.change.value, e.tiles) for e in heard.events] == [
        ("cameras_dropped", frozenset({0})), ("cameras_dropped", frozenset({3}))]
    with pytest.raises(CameraRefused, match="awaiting privacy review"):
        wall.place(0, "P01-1")


def test_the_camera_tree_lists_poles_with_their_cameras_and_what_may_be_dragged(index):
    tree = pole_tree(index.cameras())
    assert [node.pole_id for node in tree] == ["BAD", "DARK", "NEW", "P01", "P02", "P03"]
    p01 = tree[3]
    assert [c.camera.position_on_pole for c in p01.cameras] == [1, 2, 3]
    assert p01.placeable_ids == ["P01-1", "P01-2", "P01-3"]
    assert tree[2].placeable_ids == []
    assert tree[2].cameras[0].refused == "it is awaiting privacy review"
