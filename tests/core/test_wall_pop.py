"""'Pop cameras': the nearest approved pole cameras that see the selected call fill a tile group."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rtcc_desk.core.calls import Call
from rtcc_desk.core.cameras import PrivacyReview
from rtcc_desk.core.wall import TileLayout, WallError, WallSet
from tests.core.wall_fixtures import (
    DOWNTOWN,
    START,
    FakeClock,
    home_camera,
    index_of,
    offset,
    pole_camera,
    send_back_to_review,
)

CALL_AT = offset(DOWNTOWN, 45, 400)
NOW = START + timedelta(minutes=3)


def facing_call(camera_id, bearing_from_call, metres, **kwargs):
    """A camera ``metres`` from the call on ``bearing_from_call``, looking back at it."""
    where = offset(CALL_AT, bearing_from_call, metres)
    return pole_camera(camera_id, where, bearing=(bearing_from_call + 180) % 360, **kwargs)


@pytest.fixture
def index():
    return index_of(
        facing_call("NEAR-1", 0, 40),
        facing_call("MID-2", 90, 90),
        facing_call("FAR-3", 200, 130),
        facing_call("FARTHER-1", 300, 145),
        pole_camera("AWAY-1", offset(CALL_AT, 0, 30), bearing=0.0),  # looks away
        facing_call("PENDING-1", 45, 20, review=PrivacyReview.PENDING),
        home_camera("REG-000001", offset(CALL_AT, 180, 10), bearing=0.0),
        pole_camera("ELSEWHERE-1", DOWNTOWN),
    )


@pytest.fixture
def wall(index):
    return WallSet(index, clock=FakeClock(NOW)).add_wall(layout=TileLayout.grid(3))


def call(location=CALL_AT, call_id="24-118812"):
    return Call(call_id=call_id, received_at=START, updated_at=START, location=location)


def test_the_nearest_approved_pole_cameras_that_see_the_call_fill_the_chosen_tiles(index, wall):
    wall.place(8, "ELSEWHERE-1")
    result = wall.pop_cameras(index.candidates_for_call(call(), now=NOW), [0, 1, 2])
    assert result.placed == {0: "NEAR-1", 1: "MID-2", 2: "FAR-3"}
    assert [wall.camera_on(t) for t in range(3)] == ["NEAR-1", "MID-2", "FAR-3"]
    assert result.left_out == ("FARTHER-1",)
    assert result.message == (
        "call 24-118812: 3 camera(s) on tile(s) 1, 2, 3; 1 more see it but did not fit")
    assert wall.camera_on(8) == "ELSEWHERE-1"  # tiles outside the group are left alone


def test_tiles_left_over_are_emptied_so_an_earlier_calls_cameras_do_not_linger(index, wall):
    for tile, camera_id in enumerate(["ELSEWHERE-1", "FAR-3", "FARTHER-1"], start=3):
        wall.place(tile, camera_id)
    near_only = call(offset(DOWNTOWN, 45, 400), "24-118813")
    index_small = index_of(index.camera("NEAR-1"), index.camera("ELSEWHERE-1"))
    result = wall.pop_cameras(index_small.candidates_for_call(near_only, now=NOW), [3, 4, 5])
    assert result.placed == {3: "NEAR-1"} and result.emptied == (4, 5)
    assert [wall.camera_on(t) for t in (3, 4, 5)] == ["NEAR-1", None, None]


def test_a_camera_sent_back_to_review_after_the_correlation_is_not_popped(index, wall):
    result = index.candidates_for_call(call(), now=NOW)
    send_back_to_review(index, "NEAR-1")
    popped = wall.pop_cameras(result, [0, 1])
    assert popped.placed == {0: "MID-2", 1: "FAR-3"}


def test_a_call_without_a_usable_location_changes_nothing(index, wall):
    wall.place(0, "NEAR-1")
    result = wall.pop_cameras(index.candidates_for_call(call(location=None), now=NOW), [0, 1])
    assert result.placed == {} and result.emptied == ()
    assert result.message == "call 24-118812 has no usable location: no cameras popped"
    assert wall.camera_on(0) == "NEAR-1"


def test_no_camera_sees_it_empties_the_group_and_says_why(wall):
    empty = index_of(pole_camera("ELSEWHERE-1", DOWNTOWN))
    wall.place(0, "NEAR-1")
    result = wall.pop_cameras(empty.candidates_for_call(call(), now=NOW), [0])
    assert wall.camera_on(0) is None
    assert result.message.startswith("no approved city camera sees call 24-118812 within 150 m")


def test_popping_onto_a_touring_tile_stops_the_tour_and_moves_popped_cameras(index, wall):
    wall.start_tour(["ELSEWHERE-1", "NEAR-1"], [0, 6], 10)
    assert wall.camera_on(6) == "NEAR-1"
    wall.pop_cameras(index.candidates_for_call(call(), now=NOW), [0, 1])
    assert wall.page.tours == []
    assert wall.camera_on(6) is None and wall.camera_on(0) == "NEAR-1"
    with pytest.raises(WallError, match="at least one tile"):
        wall.pop_cameras(index.candidates_for_call(call(), now=NOW), [])
