"""Walls saved as versioned JSON and restored at start, tolerating cameras that have gone since."""

from __future__ import annotations

import json

import pytest

from rtcc_desk.core.screen_placement import SavedWindow
from rtcc_desk.core.wall import (
    FORMAT_VERSION,
    Stream,
    TileLayout,
    WallFileError,
    WallSet,
    dump_walls,
    load_walls,
    walls_to_dict,
)
from tests.core.wall_fixtures import FakeClock, approved, index_of, send_back_to_review

CAMERAS = approved(12)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def saved(clock):
    """Two walls as an analyst left them: pages, a maximised tile, a tour, screens."""
    walls = WallSet(index_of(*CAMERAS), clock=clock)
    north = walls.add_wall("North", layout=TileLayout.named("1+5"), screen_name="DP-1",
                           full_screen=True)
    north.place(0, "P01-1", stream=Stream.MAIN)
    north.place(1, "P01-2")
    north.place(2, "P01-3")
    north.add_page(TileLayout.grid(2), name="Tour page")
    north.start_tour([c.camera_id for c in CAMERAS[3:9]], [0, 1], 15, page=1)
    north.show_page(1)
    north.maximise(0)
    east = walls.add_wall("East", layout=TileLayout.grid(4), screen_name="HDMI-2")
    east.show_on("HDMI-2", window=SavedWindow("HDMI-2", 1, 40, 30, 1280, 720))
    east.place(15, "P04-3")
    return dump_walls(walls)


def test_walls_come_back_as_they_were_left(saved, clock):
    restored = load_walls(saved, index_of(*CAMERAS), clock=clock)
    assert restored.removals == [] and restored.notes == []
    north, east = restored.walls.walls
    assert (north.wall_id, north.name, north.screen_name, north.full_screen) == (
        "wall-1", "North", "DP-1", True)
    assert north.pages[0].layout == TileLayout.named("1+5")
    assert north.pages[0].camera_ids() == ["P01-1", "P01-2", "P01-3"]
    assert north.stream_for(0, page=0) is Stream.MAIN
    assert (north.current, north.maximised, north.pages[1].name) == (1, 0, "Tour page")
    assert east.window == SavedWindow("HDMI-2", 1, 40, 30, 1280, 720)
    assert east.camera_on(15) == "P04-3"
    assert json.loads(saved)["version"] == FORMAT_VERSION
    assert walls_to_dict(restored.walls) == json.loads(saved)


def test_a_restored_tour_keeps_its_rhythm(saved, clock):
    clock.advance(15)
    restored = load_walls(saved, index_of(*CAMERAS), clock=clock)
    north = restored.walls.walls[0]
    restored.walls.tick()
    assert [north.camera_on(t, page=1) for t in (0, 1)] == ["P02-3", "P03-1"]  # step 1


def test_cameras_that_vanished_or_went_back_to_review_leave_empty_tiles_and_a_report(saved):
    index = index_of(*[c for c in CAMERAS if c.camera_id not in ("P01-2", "P03-1")])
    send_back_to_review(index, "P04-3")
    restored = load_walls(saved, index, source="/home/analyst/.local/share/rtcc/walls.json")
    north, east = restored.walls.walls
    assert north.pages[0].camera_ids() == ["P01-1", "P01-3"]
    assert east.camera_on(15) is None
    assert [str(r) for r in restored.removals] == [
        "North, page 1, tile 2: camera P01-2 taken off: it is not in the camera inventory "
        "(removed, or never imported)",
        "North, page 2, tour: camera P03-1 taken off: it is not in the camera inventory "
        "(removed, or never imported)",
        "East, page 1, tile 16: camera P04-3 taken off: it is awaiting privacy review",
    ]
    assert "P03-1" not in north.pages[1].tours[0].camera_ids


def test_a_malformed_wall_or_page_is_skipped_with_a_note_and_the_rest_restored(saved):
    data = json.loads(saved)
    data["walls"][0]["pages"][1]["layout"]["tiles"].append([0, 0, 1, 1])  # overlap
    data["walls"][0]["pages"][0]["tiles"]["9"] = {"camera": "P01-1"}  # no tile 10 in 1+5
    data["walls"][1]["window"] = "somewhere"
    data["walls"].append({"name": "no id"})
    restored = load_walls(json.dumps(data), index_of(*CAMERAS), source="walls.json")
    assert [w.name for w in restored.walls.walls] == ["North", "East"]
    assert len(restored.walls.walls[0].pages) == 1
    assert restored.walls.walls[0].current == 0  # the page shown is gone: back to page 1
    assert restored.walls.walls[1].window is None
    assert restored.notes == [
        "North: page 1: tile '9' skipped: there is no tile 10 on this page: "
        "the 1+5 layout has tiles 1-6",
        "North: page 2 skipped: tile at row 1, column 1 overlaps the tile at row 1, column 1",
        "East: window position ignored: 'somewhere' is not one",
        "walls.json: wall 3 skipped: missing 'id'",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not readable JSON"),
    ('{"walls": {}}', "not a saved wall layout"),
    ('{"version": 99, "walls": []}', "format version 99; this desk reads up to 1"),
    ('{"walls": []}', "format version None"),
])
def test_an_unusable_file_is_refused_whole_naming_it(text, message):
    with pytest.raises(WallFileError, match=message) as caught:
        load_walls(text, index_of(*CAMERAS), source="walls.json")
    assert str(caught.value).startswith("walls.json: ")
