"""Correlation: which cameras may have seen a call, in what order, and until when."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from rtcc_desk.core.calls import Call, CallType
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.cameras import EdgeChannel, PoleCamera, PrivacyReview, RegisteredCamera, View
from rtcc_desk.core.correlation import Access, CorrelationStatus, search_radius
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT

DOWNTOWN = LatLon(32.5120, -93.7500)
INCIDENT = datetime(2026, 11, 20, 2, 15, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PROJ = SHREVEPORT.projection()


def offset(origin: LatLon, bearing_deg: float, metres: float) -> LatLon:
    """A point ``metres`` from origin on a compass bearing, in the jurisdiction's projection."""
    x, y = PROJ.to_metres(origin)
    rad = math.radians(bearing_deg)
    return PROJ.to_latlon(x + metres * math.sin(rad), y + metres * math.cos(rad))


def business(camera_id: str, where: LatLon, *, bearing=None, fov=90.0, range_m=60.0, days=30.0):
    view = View(bearing, 360.0 if bearing is None else fov, range_m)
    return RegisteredCamera(
        camera_id=camera_id, location=where, view=view, retention_days=days,
        owner_ref="owner-1", is_business=True,
    )


def index_with(*cameras) -> CameraIndex:
    index = CameraIndex(SHREVEPORT)
    index.load(cameras)
    return index


def ids(result) -> list[str]:
    return [c.camera.camera_id for c in result.candidates]


def query(index, point, radius=150.0):
    return index.candidates_at(point, incident_time=INCIDENT, now=NOW, radius_m=radius)


class TestSectorEdges:
    """A camera facing east (90°) with a 60° view and 100 m range, at downtown."""

    camera = business("east", DOWNTOWN, bearing=90.0, fov=60.0, range_m=100.0)

    @pytest.mark.parametrize("bearing", [60.02, 90.0, 119.98])
    def test_point_just_inside_the_angle_is_seen(self, bearing):
        assert ids(query(index_with(self.camera), offset(DOWNTOWN, bearing, 50))) == ["east"]

    @pytest.mark.parametrize("bearing", [59.98, 120.02, 270.0])
    def test_point_just_outside_the_angle_is_not(self, bearing):
        assert ids(query(index_with(self.camera), offset(DOWNTOWN, bearing, 50))) == []

    def test_point_just_inside_the_range_is_seen(self):
        assert ids(query(index_with(self.camera), offset(DOWNTOWN, 90.0, 99.99))) == ["east"]

    def test_point_just_beyond_the_range_is_not(self):
        assert ids(query(index_with(self.camera), offset(DOWNTOWN, 90.0, 100.01))) == []

    def test_range_at_the_corner_of_the_view(self):
        index = index_with(self.camera)
        assert ids(query(index, offset(DOWNTOWN, 119.9, 99.99))) == ["east"]
        assert ids(query(index, offset(DOWNTOWN, 119.9, 100.02))) == []

    def test_view_that_wraps_through_north(self):
        camera = business("north", DOWNTOWN, bearing=350.0, fov=40.0, range_m=80.0)
        index = index_with(camera)
        assert ids(query(index, offset(DOWNTOWN, 5.0, 40))) == ["north"]
        assert ids(query(index, offset(DOWNTOWN, 331.0, 40))) == ["north"]
        assert ids(query(index, offset(DOWNTOWN, 11.0, 40))) == []

    def test_camera_beyond_the_search_radius_is_left_out_even_if_it_sees(self):
        camera = business("far", DOWNTOWN, bearing=90.0, fov=60.0, range_m=400.0)
        point = offset(DOWNTOWN, 90.0, 200)
        index = index_with(camera)
        assert ids(query(index, point, radius=150)) == []
        assert ids(query(index, point, radius=250)) == ["far"]


def test_direction_unknown_covers_a_full_circle_and_ranks_after_seen_cameras():
    facing = business("facing", offset(DOWNTOWN, 0, 40), bearing=180.0, range_m=60)
    unknown = business("unknown", offset(DOWNTOWN, 90, 10), bearing=None, range_m=30)
    behind = business("behind", offset(DOWNTOWN, 180, 40), bearing=180.0, range_m=60)
    result = query(index_with(facing, unknown, behind), DOWNTOWN)
    assert ids(result) == ["facing", "unknown"]
    assert [c.sees_location for c in result.candidates] == [True, False]
    assert result.candidates[1].direction_unknown


def test_nearest_first_among_cameras_that_see():
    near = business("near", offset(DOWNTOWN, 0, 20), bearing=180.0)
    far = business("far", offset(DOWNTOWN, 0, 50), bearing=180.0)
    result = query(index_with(far, near), DOWNTOWN)
    assert ids(result) == ["near", "far"]
    assert result.candidates[0].distance_m == pytest.approx(20, abs=0.01)


def test_overwrite_deadline_and_whether_it_has_passed():
    week = business("week", offset(DOWNTOWN, 0, 20), bearing=180.0, days=3)
    month = business("month", offset(DOWNTOWN, 0, 30), bearing=180.0, days=30)
    unknown = RegisteredCamera(
        camera_id="no-retention", location=offset(DOWNTOWN, 0, 25), view=View(180, 90, 60),
        owner_ref="o",
    )
    result = query(index_with(week, month, unknown), DOWNTOWN)
    by_id = {c.camera.camera_id: c for c in result.candidates}
    assert by_id["week"].overwrite_deadline == INCIDENT + timedelta(days=3)
    assert by_id["week"].deadline_passed is True
    assert by_id["month"].overwrite_deadline == INCIDENT + timedelta(days=30)
    assert by_id["month"].deadline_passed is False
    assert by_id["no-retention"].overwrite_deadline is None
    assert by_id["no-retention"].deadline_passed is None


def test_city_and_edge_cameras_open_now_private_ones_are_requested():
    pole = PoleCamera(
        camera_id="P1-1", location=offset(DOWNTOWN, 0, 30), view=View(180, 60, 150),
        pole_id="P1", position_on_pole=1, retention_days=30, privacy_review=PrivacyReview.APPROVED,
    )
    edge = EdgeChannel(
        camera_id="E1-1", location=offset(DOWNTOWN, 90, 30), view=View(270, 60, 60),
        edge_device_id="E1", channel=1, retention_days=30,
    )
    home = business("home", offset(DOWNTOWN, 180, 30), bearing=0.0)
    access = {c.camera.camera_id: c.access for c in query(index_with(pole, edge, home), DOWNTOWN).candidates}
    assert access == {"P1-1": Access.OPEN_NOW, "E1-1": Access.OPEN_NOW, "home": Access.REQUEST}


def test_camera_outside_the_jurisdiction_is_flagged_and_never_matched():
    baton_rouge = LatLon(30.4515, -91.1871)
    inside = business("inside", DOWNTOWN)
    outside = business("outside", baton_rouge)
    index = index_with(inside, outside)
    assert index.is_outside("outside") and not index.is_outside("inside")
    assert len(index) == 1
    assert query(index, baton_rouge).status is CorrelationStatus.OUTSIDE_JURISDICTION
    assert query(index, baton_rouge).candidates == ()
    index.put(business("outside-2", baton_rouge))
    assert index.is_outside("outside-2") and "outside-2" not in index


def test_call_without_usable_location_is_kept_but_never_matched():
    index = index_with(business("c", DOWNTOWN))
    call = Call(call_id="C1", received_at=INCIDENT, updated_at=INCIDENT, location=None)
    result = index.candidates_for_call(call, now=NOW)
    assert result.status is CorrelationStatus.NO_USABLE_LOCATION
    assert result.candidates == ()


def test_radius_follows_the_call_type_and_the_analyst_override():
    shooting = Call(
        call_id="S", received_at=INCIDENT, updated_at=INCIDENT,
        call_type=CallType("SHOTS", "SHOTS FIRED", "SHOOT"), location=DOWNTOWN,
    )
    noise = Call(
        call_id="N", received_at=INCIDENT, updated_at=INCIDENT,
        call_type=CallType("NOISE", "LOUD MUSIC", "NOISE"), location=DOWNTOWN,
    )
    assert search_radius(shooting) == 300.0
    assert search_radius(noise) == 150.0
    assert search_radius(shooting, override_m=75) == 75.0
    with pytest.raises(ValueError, match="positive"):
        search_radius(noise, override_m=0)
    camera = business("wide", offset(DOWNTOWN, 0, 250), bearing=180.0, range_m=300)
    index = index_with(camera)
    assert ids(index.candidates_for_call(shooting, now=NOW)) == ["wide"]
    assert ids(index.candidates_for_call(noise, now=NOW)) == []


def test_changes_and_withdrawals_take_effect_without_a_rebuild():
    index = index_with(business("a", offset(DOWNTOWN, 0, 20), bearing=180.0))
    builds = index.rebuilds
    index.put(business("b", offset(DOWNTOWN, 90, 20), bearing=270.0))
    assert ids(query(index, DOWNTOWN)) == ["a", "b"]
    # re-aimed away from the call: no longer a candidate
    index.put(business("a", offset(DOWNTOWN, 0, 20), bearing=0.0))
    assert ids(query(index, DOWNTOWN)) == ["b"]
    index.withdraw("b")
    assert ids(query(index, DOWNTOWN)) == []
    index.put(RegisteredCamera(
        camera_id="a", location=offset(DOWNTOWN, 0, 20), view=View(180, 90, 60),
        owner_ref="o", withdrawn=True,
    ))
    assert "a" not in index
    assert index.rebuilds == builds


def test_city_camera_awaiting_privacy_review_is_never_offered():
    def pole(review):
        return PoleCamera(
            camera_id="P9-2", location=offset(DOWNTOWN, 0, 30), view=View(180, 60, 150),
            pole_id="P9", position_on_pole=2, retention_days=30, privacy_review=review,
        )

    index = index_with(pole(PrivacyReview.PENDING))
    assert ids(query(index, DOWNTOWN)) == []
    assert not index.is_in_service("P9-2") and index.out_of_service_count == 1
    index.put(pole(PrivacyReview.APPROVED))  # approved: activated
    assert ids(query(index, DOWNTOWN)) == ["P9-2"]
    index.put(pole(PrivacyReview.REJECTED))
    assert ids(query(index, DOWNTOWN)) == []


def test_a_360_degree_camera_with_a_bearing_surely_sees_all_round():
    fisheye = business("fisheye", offset(DOWNTOWN, 0, 20), bearing=0.0, fov=360.0, range_m=40)
    (candidate,) = query(index_with(fisheye), DOWNTOWN).candidates
    assert candidate.sees_location and not candidate.direction_unknown
