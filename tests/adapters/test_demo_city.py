"""The Shreveport demo camera generator: poles, registered mix, edge boxes, CSV output."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from itertools import combinations

import pytest

from rtcc_desk.adapters.demo import CSV_COLUMNS, generate_demo_cameras, write_demo_cameras_csv
from rtcc_desk.adapters.demo.corridors import CORRIDORS, NEIGHBOURHOODS, on_land
from rtcc_desk.core.cameras import (
    CameraKind,
    EdgeChannel,
    PoleCamera,
    PrivacyReview,
    RecorderType,
    RegisteredCamera,
)
from rtcc_desk.core.geo import LatLon, angle_between
from rtcc_desk.core.jurisdiction import SHREVEPORT


@pytest.fixture(scope="module")
def cameras():
    return generate_demo_cameras(seed=1)


def of_kind(cameras, kind):
    return [c for c in cameras if c.kind is kind]


def test_same_seed_gives_identical_cameras_and_another_seed_differs(cameras):
    assert generate_demo_cameras(seed=1) == cameras
    other = generate_demo_cameras(seed=2)
    assert [c.location for c in other] != [c.location for c in cameras]


def test_counts_for_seed_1(cameras):
    counts = Counter(c.kind for c in cameras)
    assert counts[CameraKind.CITY_POLE] == 270
    assert counts[CameraKind.RESIDENTIAL] + counts[CameraKind.BUSINESS] == 3000
    assert counts[CameraKind.EDGE_CHANNEL] == 17
    assert len({c.camera_id for c in cameras}) == len(cameras)


def test_ninety_poles_with_three_cameras_about_120_degrees_apart(cameras):
    poles = defaultdict(list)
    for camera in of_kind(cameras, CameraKind.CITY_POLE):
        assert isinstance(camera, PoleCamera)
        poles[camera.pole_id].append(camera)
    assert sorted(poles) == [f"SPT-P{n:03d}" for n in range(1, 91)]
    for pole_id, trio in poles.items():
        assert sorted(c.position_on_pole for c in trio) == [1, 2, 3]
        assert {c.camera_id for c in trio} == {f"{pole_id}-{p}" for p in (1, 2, 3)}
        assert len({c.location for c in trio}) == 1
        for a, b in combinations(trio, 2):
            assert 105 <= angle_between(a.view.bearing, b.view.bearing) <= 135
        for c in trio:
            assert 60 <= c.view.fov <= 90 and 120 <= c.view.range_m <= 200
            assert c.retention_days == 30
            n = int(pole_id[-3:])
            assert (
                c.main_stream_url
                == f"rtsp://10.20.{n}.{10 + c.position_on_pole}:554/Streaming/Channels/101"
            )
            assert c.sub_stream_url.endswith("/Streaming/Channels/102")


def test_pole_privacy_reviews_are_mostly_approved_with_a_few_pending(cameras):
    reviews = Counter(c.privacy_review for c in of_kind(cameras, CameraKind.CITY_POLE))
    assert reviews[PrivacyReview.PENDING] == 9  # three poles, seed 1
    assert reviews[PrivacyReview.APPROVED] == 261


def test_poles_are_denser_downtown(cameras):
    projection = SHREVEPORT.projection()
    cx, cy = projection.to_metres(LatLon(32.512, -93.748))
    poles = {c.pole_id: c.location for c in of_kind(cameras, CameraKind.CITY_POLE)}
    near = [
        p
        for p in poles.values()
        if ((projection.to_metres(p)[0] - cx) ** 2 + (projection.to_metres(p)[1] - cy) ** 2) ** 0.5
        < 1200
    ]
    assert len(near) >= 28  # a third of the poles in ~4.5 km² of a ~300 km² city


def test_every_camera_is_inside_shreveport_and_on_land(cameras):
    for camera in cameras:
        assert SHREVEPORT.contains(camera.location), camera
        assert on_land(camera.location, margin_deg=0.0), camera


def test_corridor_data_lies_on_land():
    assert sum(c.poles for c in CORRIDORS) == 90
    for corridor in CORRIDORS:
        assert all(on_land(LatLon(*p)) for p in corridor.points), corridor.name
    assert all(on_land(LatLon(*h.centre)) for h in NEIGHBOURHOODS)


def test_registered_mix_is_about_60_residential_40_business(cameras):
    registered = [c for c in cameras if isinstance(c, RegisteredCamera)]
    share = len(of_kind(registered, CameraKind.RESIDENTIAL)) / len(registered)
    assert 0.55 <= share <= 0.65
    for camera in registered:
        assert re.fullmatch(r"REG-\d{6}", camera.camera_id)
        assert re.fullmatch(r"owner-\d{6}", camera.owner_ref)
        assert re.fullmatch(r"\d{1,5} [A-Z0-9][\w .]+", camera.address), camera.address
    residential = of_kind(registered, CameraKind.RESIDENTIAL)
    doorbells = sum(c.recorder_type is RecorderType.DOORBELL_CLOUD for c in residential)
    assert doorbells / len(residential) > 0.6
    business = of_kind(registered, CameraKind.BUSINESS)
    assert sum(c.recorder_type is RecorderType.DVR_NVR for c in business) / len(business) > 0.7


def test_owners_with_several_cameras_share_one_address(cameras):
    by_owner = defaultdict(set)
    for camera in cameras:
        if isinstance(camera, RegisteredCamera):
            by_owner[camera.owner_ref].add(camera.address)
    assert all(len(addresses) == 1 for addresses in by_owner.values())
    assert len(by_owner) < 3000  # some owners register more than one camera


def test_retention_most_residential_keep_7_to_30_days(cameras):
    residential = of_kind(cameras, CameraKind.RESIDENTIAL)
    days = [c.retention_days for c in residential]
    assert sum(d is not None and 7 <= d <= 30 for d in days) / len(days) > 0.7
    assert all(d is None or 7 <= d <= 60 for d in days)
    common = Counter(d for d in days if d is not None).most_common(3)
    assert {d for d, _ in common} == {7, 14, 30}
    business = [c.retention_days for c in of_kind(cameras, CameraKind.BUSINESS)]
    assert all(d is None or 14 <= d <= 90 for d in business)
    assert sum(d is None for d in days + business) > 0  # some owners do not know


def test_bearings_many_unknown_at_homes_mostly_known_at_businesses(cameras):
    residential = of_kind(cameras, CameraKind.RESIDENTIAL)
    unknown = sum(c.view.bearing is None for c in residential) / len(residential)
    assert 0.3 <= unknown <= 0.7
    for c in residential:
        assert (c.view.bearing is None) == c.view.direction_unknown
    business = of_kind(cameras, CameraKind.BUSINESS)
    assert sum(c.view.bearing is not None for c in business) / len(business) > 0.75


def test_edge_devices_have_one_to_four_channels(cameras):
    channels = defaultdict(list)
    for camera in of_kind(cameras, CameraKind.EDGE_CHANNEL):
        assert isinstance(camera, EdgeChannel)
        assert camera.camera_id == f"{camera.edge_device_id}-{camera.channel}"
        assert camera.retention_days == 30 and camera.view.bearing is not None
        channels[camera.edge_device_id].append(camera.channel)
    assert sorted(channels) == [f"EDGE-{n:03d}" for n in range(1, 7)]
    for numbers in channels.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)) and len(numbers) <= 4


def test_counts_are_parameters_and_poles_do_not_move_with_them(cameras):
    small = generate_demo_cameras(seed=1, registered=250, edge_devices=2)
    assert sum(isinstance(c, RegisteredCamera) for c in small) == 250
    assert len({c.edge_device_id for c in small if isinstance(c, EdgeChannel)}) == 2
    assert of_kind(small, CameraKind.CITY_POLE) == of_kind(cameras, CameraKind.CITY_POLE)
    assert of_kind(generate_demo_cameras(registered=0, edge_devices=0), CameraKind.CITY_POLE)


def test_csv_round_trip_writes_every_column(cameras, tmp_path):
    path = write_demo_cameras_csv(cameras, tmp_path / "demo" / "cameras.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    assert len(rows) == len(cameras)
    for camera, row in zip(cameras, rows, strict=True):
        assert row["id"] == camera.camera_id and row["kind"] == camera.kind.value
        assert float(row["lat"]) == camera.location.lat and float(row["lon"]) == camera.location.lon
        bearing = camera.view.bearing
        assert row["bearing"] == "" if bearing is None else float(row["bearing"]) == bearing
        assert float(row["fov"]) == camera.view.fov and float(row["range"]) == camera.view.range_m
        days = camera.retention_days
        assert row["retention_days"] == "" if days is None else float(row["retention_days"]) == days
        if isinstance(camera, PoleCamera):
            assert (row["pole_id"], row["position"]) == (
                camera.pole_id,
                str(camera.position_on_pole),
            )
            assert row["main_stream_url"] == camera.main_stream_url
            assert row["privacy_review"] == camera.privacy_review.value
        elif isinstance(camera, RegisteredCamera):
            assert (row["address"], row["owner"]) == (camera.address, camera.owner_ref)
            assert row["recorder_type"] == camera.recorder_type.value
        else:
            assert (row["edge_device_id"], row["channel"]) == (
                camera.edge_device_id,
                str(camera.channel),
            )
