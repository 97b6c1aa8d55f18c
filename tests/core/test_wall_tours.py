"""Tours: a camera group rotating through a tile set every N seconds, on an injected clock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rtcc_desk.core.cameras import PrivacyReview
from rtcc_desk.core.wall import CameraRefused, TileLayout, Tour, WallChange, WallError, WallSet
from tests.core.wall_fixtures import (
    START,
    FakeClock,
    Recorder,
    approved,
    index_of,
    pole_camera,
    send_back_to_review,
)

GROUP = [c.camera_id for c in approved(6)]  # P01-1 … P02-3


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def index():
    return index_of(*approved(9), pole_camera("NEW-1", review=PrivacyReview.PENDING))


@pytest.fixture
def wall(index, clock):
    return WallSet(index, clock=clock).add_wall(layout=TileLayout.grid(2))


def shown(wall, tiles=(0, 1)):
    return [wall.camera_on(t) for t in tiles]


def test_six_cameras_rotate_through_two_tiles_every_ten_seconds(wall, clock):
    wall.start_tour(GROUP, [0, 1], 10)
    assert shown(wall) == ["P01-1", "P01-2"]
    clock.advance(9.9)
    assert wall.tick() == {}
    clock.advance(0.1)
    wall.tick()
    assert shown(wall) == ["P01-3", "P02-1"]
    clock.advance(10)
    wall.tick()
    assert shown(wall) == ["P02-2", "P02-3"]
    clock.advance(10)
    wall.tick()
    assert shown(wall) == ["P01-1", "P01-2"]  # round again
    assert shown(wall, (2, 3)) == [None, None]  # tiles outside the tour are left alone


def test_a_group_that_does_not_divide_evenly_wraps_so_every_camera_gets_its_turn():
    tour = Tour(tuple("ABCDE"), (0, 1), 10, START)
    steps = [tour.cameras_at(START.replace(second=s)) for s in (0, 10, 20, 30, 40)]
    assert [[step[0], step[1]] for step in steps] == [
        ["A", "B"], ["C", "D"], ["E", "A"], ["B", "C"], ["D", "E"]]
    assert tour.next_change(START.replace(second=12)) == START.replace(second=20)


def test_a_group_no_larger_than_its_tiles_just_sits_there():
    tour = Tour(("A", "B"), (0, 1, 2), 10, START)
    assert tour.cameras_at(START.replace(minute=30)) == {0: "A", 1: "B", 2: None}
    assert tour.next_change(START) is None


def test_ticks_tell_the_window_only_when_a_tile_changes(wall, clock):
    heard = Recorder()
    wall.subscribe(heard)
    wall.start_tour(GROUP, [2, 3], 30)
    assert heard.kinds() == ["tours", "tiles"]
    clock.advance(5)
    wall.tick()
    assert len(heard.events) == 2
    clock.advance(25)
    wall.tick()
    assert heard.events[-1].change is WallChange.TILES
    assert heard.events[-1].tiles == frozenset({2, 3})


def test_a_camera_sent_back_to_review_is_skipped_and_returns_once_approved(wall, index, clock):
    wall.start_tour(GROUP[:3], [0, 1], 10)
    assert shown(wall) == ["P01-1", "P01-2"]
    send_back_to_review(index, "P01-2")
    wall.tick()
    assert shown(wall) == ["P01-1", "P01-3"]  # two cameras left: they fit, no rotation
    index.put(replace(index.camera("P01-2"), privacy_review=PrivacyReview.APPROVED))
    clock.advance(10)
    wall.tick()
    assert shown(wall) == ["P01-3", "P01-1"]  # three again: rotating, step 1
    clock.advance(10)
    wall.tick()
    assert shown(wall) == ["P01-2", "P01-3"]


def test_a_tour_is_refused_with_an_unapproved_camera_a_short_step_or_busy_tiles(wall):
    with pytest.raises(CameraRefused, match="NEW-1 .* awaiting privacy review"):
        wall.start_tour([*GROUP[:2], "NEW-1"], [0, 1], 10)
    with pytest.raises(WallError, match="at least 5 seconds"):
        wall.start_tour(GROUP, [0, 1], 2)
    with pytest.raises(WallError, match="twice"):
        wall.start_tour(["P01-1", "P01-1"], [0, 1], 10)
    wall.start_tour(GROUP, [0, 1], 10)
    with pytest.raises(WallError, match=r"tile\(s\) 2 already run a tour"):
        wall.start_tour(GROUP, [1, 2], 10)
    assert len(wall.page.tours) == 1


def test_setting_a_touring_tile_by_hand_stops_that_tour(wall, clock):
    heard = Recorder()
    wall.subscribe(heard)
    wall.start_tour(GROUP, [0, 1], 10)
    wall.place(1, "P03-3")
    assert wall.page.tours == []
    assert any(e.change is WallChange.TOURS and "tile 2 was set by hand" in e.message
               for e in heard.events)
    clock.advance(60)
    wall.tick()
    assert shown(wall) == ["P01-1", "P03-3"]  # the tour's last camera stays; nothing rotates


def test_stopping_a_tour_keeps_what_its_tiles_show(wall, clock):
    tour = wall.start_tour(GROUP, [0, 1], 10)
    clock.advance(10)
    wall.tick()
    wall.stop_tour(tour)
    clock.advance(100)
    wall.tick()
    assert shown(wall) == ["P01-3", "P02-1"]
