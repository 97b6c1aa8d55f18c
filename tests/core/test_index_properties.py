"""Property test: the incrementally updated index always agrees with a rebuild and with a plain scan."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtcc_desk.core import camera_index
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.camera_scan import CameraScan
from rtcc_desk.core.cameras import RegisteredCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT

INCIDENT = datetime(2026, 11, 20, tzinfo=UTC)
#: Built once: a pyproj transformer costs far more than a query.
PROJECTION = SHREVEPORT.projection()
NOW = datetime(2026, 11, 25, tzinfo=UTC)
# A small area (about 600 m across) so that random cameras and calls actually meet.
lats = st.floats(32.5100, 32.5155)
lons = st.floats(-93.7530, -93.7470)
# Some positions just outside Shreveport's box, to exercise the jurisdiction flag.
edge_lats = st.one_of(lats, st.just(32.5950))

views = st.one_of(
    st.builds(View, st.none(), st.just(360.0), st.floats(5, 250)),
    st.builds(View, st.floats(0, 359.99), st.floats(1, 360), st.floats(5, 250)),
)
camera_ids = st.sampled_from([f"cam-{i}" for i in range(25)])
cameras = st.builds(
    lambda cid, lat, lon, view, withdrawn: RegisteredCamera(
        camera_id=cid, location=LatLon(lat, lon), view=view, owner_ref="o",
        retention_days=14, withdrawn=withdrawn,
    ),
    # about one put in six withdraws the camera (the owner's withdrawal arrives as an update)
    camera_ids, edge_lats, lons, views, st.integers(0, 5).map(lambda n: n == 0),
)
operations = st.lists(
    st.one_of(st.tuples(st.just("put"), cameras), st.tuples(st.just("withdraw"), camera_ids)),
    max_size=60,
)


def answers(source, points, radius):
    return [
        source.candidates_at(p, incident_time=INCIDENT, now=NOW, radius_m=radius) for p in points
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    initial=st.lists(cameras, max_size=30),
    ops=operations,
    points=st.lists(st.builds(LatLon, lats, lons), min_size=1, max_size=5),
    radius=st.floats(20, 300),
    small_rebuild_limit=st.booleans(),
)
def test_incremental_updates_agree_with_rebuild_and_scan(
    initial, ops, points, radius, small_rebuild_limit
):
    # Sometimes force frequent rebuilds so both the pending scan and compaction paths run.
    limits = (2, 2) if small_rebuild_limit else (512, 4096)
    saved = camera_index.MIN_PENDING_BEFORE_REBUILD, camera_index.MAX_PENDING_BEFORE_REBUILD
    camera_index.MIN_PENDING_BEFORE_REBUILD, camera_index.MAX_PENDING_BEFORE_REBUILD = limits
    try:
        index, scan = CameraIndex(SHREVEPORT, PROJECTION), CameraScan(SHREVEPORT, PROJECTION)
        index.load(initial)
        scan.load(initial)
        latest = {c.camera_id: c for c in initial}
        for op, arg in ops:
            if op == "put":
                index.put(arg)
                scan.put(arg)
                latest[arg.camera_id] = arg
            else:
                index.withdraw(arg)
                scan.withdraw(arg)
                latest.pop(arg, None)
        rebuilt = CameraIndex(SHREVEPORT, PROJECTION)
        rebuilt.load(latest.values())
        incremental = answers(index, points, radius)
        assert incremental == answers(rebuilt, points, radius)
        assert incremental == answers(scan, points, radius)
        assert len(index) == len(rebuilt)
    finally:
        camera_index.MIN_PENDING_BEFORE_REBUILD, camera_index.MAX_PENDING_BEFORE_REBUILD = saved


@settings(max_examples=300, deadline=None)
@given(
    bearing=st.floats(0, 359.99),
    fov=st.floats(1, 359),
    range_m=st.floats(5, 250),
    side=st.sampled_from([-1, 1]),
    fraction=st.floats(0.001, 1.0),
)
def test_points_on_the_edges_of_a_view_are_found_by_the_index_as_by_the_loop(
    bearing, fov, range_m, side, fraction
):
    """Points exactly on a sector's straight edges and arc: the tree must not lose them."""
    import math

    camera = RegisteredCamera(
        camera_id="edge", location=LatLon(32.512, -93.75), view=View(bearing, fov, range_m),
        owner_ref="o", retention_days=7,
    )
    cx, cy = PROJECTION.to_metres(camera.location)
    angle = math.radians(bearing + side * fov / 2)
    on_edge = PROJECTION.to_latlon(
        cx + fraction * range_m * math.sin(angle), cy + fraction * range_m * math.cos(angle)
    )
    index, scan = CameraIndex(SHREVEPORT, PROJECTION), CameraScan(SHREVEPORT, PROJECTION)
    index.load([camera])
    scan.load([camera])
    assert answers(index, [on_edge], 300.0) == answers(scan, [on_edge], 300.0)
