"""Seeded Shreveport demo cameras: 90 poles × 3, home and business cameras, edge boxes."""

from __future__ import annotations

import csv
import dataclasses
import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from rtcc_desk.adapters.demo.corridors import NEIGHBOURHOODS, StreetMap, on_land
from rtcc_desk.core.cameras import (
    Camera,
    EdgeChannel,
    PoleCamera,
    PrivacyReview,
    RecorderType,
    RegisteredCamera,
    View,
)
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.wall.stream_urls import check_stream_url

T = TypeVar("T")

POLE_COUNT = 90
CITY_RETENTION_DAYS = 30
EDGE_RETENTION_DAYS = 30
#: Column names of the demo camera CSV, in order; the camera CSV importer reads them by name.
# fmt: off
CSV_COLUMNS = (
    "id", "kind", "name", "lat", "lon", "bearing", "fov", "range", "retention_days", "address",
    "owner", "recorder_type", "pole_id", "position", "main_stream_url", "sub_stream_url",
    "privacy_review", "edge_device_id", "channel",
)
# fmt: on

# Retention (days, None = owner does not know) by recorder. Cloud doorbell plans cluster at
# 7/14/30/60 days; home DVRs overwrite after a few weeks; business NVRs keep longer.
# fmt: off
_HOME_CLOUD_RETENTION = {7: 25, 14: 18, 30: 32, 60: 12, 10: 3, 21: 3, 45: 2, None: 5}
_HOME_DVR_RETENTION = {7: 20, 14: 25, 21: 10, 30: 30, 45: 5, 60: 5, None: 5}
_BUSINESS_RETENTION = {14: 15, 21: 8, 30: 37, 45: 10, 60: 12, 90: 13, None: 5}
_HOME_RECORDERS = {RecorderType.DOORBELL_CLOUD: 72, RecorderType.DVR_NVR: 16,
                   RecorderType.OTHER: 6, RecorderType.UNKNOWN: 6}
_BUSINESS_RECORDERS = {RecorderType.DVR_NVR: 82, RecorderType.DOORBELL_CLOUD: 6,
                       RecorderType.OTHER: 6, RecorderType.UNKNOWN: 6}
_BUSINESS_TYPES = (
    "Convenience store", "Gas station", "Restaurant", "Pharmacy", "Auto parts", "Bank", "Church",
    "Apartment complex", "Hotel", "Liquor store", "Barber shop", "Dollar store", "Tire shop",
    "Laundromat", "Grocery", "Pawn shop",
)
# fmt: on
_HOME_LABELS = ("Front door", "Driveway", "Backyard", "Side gate")
_BUSINESS_LABELS = ("Entrance", "Parking lot", "Register", "Rear door")
_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def generate_demo_cameras(
    *, seed: int = 1, registered: int = 3000, edge_devices: int = 6
) -> list[Camera]:
    """The demo city's cameras: poles first, then registered cameras, then edge channels.

    Each part draws from its own seeded generator, so asking for more registered cameras
    leaves the poles exactly where they were.
    """
    if registered < 0 or edge_devices < 0:
        raise ValueError("camera counts must not be negative")
    streets = StreetMap()
    return [
        *_pole_cameras(random.Random(f"poles-{seed}"), streets),
        *_registered_cameras(random.Random(f"registered-{seed}"), streets, registered),
        *_edge_channels(random.Random(f"edge-{seed}"), streets, edge_devices),
    ]


def _pole_cameras(rng: random.Random, streets: StreetMap) -> list[PoleCamera]:
    cameras: list[PoleCamera] = []
    pole_no = 0
    for index, corridor in enumerate(streets.corridors):
        spacing = streets.length(index) / corridor.poles
        for k in range(corridor.poles):
            pole_no += 1
            while True:
                distance = (k + 0.5 + rng.uniform(-0.25, 0.25)) * spacing
                spot = streets.point_at(
                    index, distance, rng.uniform(6.0, 12.0) * rng.choice((-1, 1))
                )
                if on_land(spot.location):
                    break
            pole_id = f"SPT-P{pole_no:03d}"
            # a few recently installed poles still wait for their privacy review
            review = PrivacyReview.PENDING if rng.random() < 0.06 else PrivacyReview.APPROVED
            rotation = rng.uniform(0.0, 120.0)
            block = spot.address.split(" ", 1)[0]
            block = f"{int(block) // 100 * 100} block {corridor.name}"
            for position in (1, 2, 3):
                bearing = round((rotation + 120.0 * (position - 1) + rng.uniform(-6, 6)) % 360.0, 1)
                host = f"10.20.{pole_no}.{10 + position}"
                cameras.append(
                    PoleCamera(
                        camera_id=f"{pole_id}-{position}",
                        name=f"{block} – looking {_compass(bearing)}",
                        location=_rounded(spot.location),
                        view=View(
                            bearing % 360.0,
                            round(rng.uniform(60, 90), 1),
                            float(rng.randint(120, 200)),
                        ),
                        retention_days=CITY_RETENTION_DAYS,
                        pole_id=pole_id,
                        position_on_pole=position,
                        main_stream_url=f"rtsp://{host}:554/Streaming/Channels/101",
                        sub_stream_url=f"rtsp://{host}:554/Streaming/Channels/102",
                        privacy_review=review,
                    )
                )
    if pole_no != POLE_COUNT:
        raise RuntimeError(f"corridor pole counts add up to {pole_no}, not {POLE_COUNT}")
    return cameras


def with_stream_urls(
    cameras: Iterable[Camera], urls: Mapping[str, tuple[str, str] | str]
) -> list[Camera]:
    """The cameras, each pole camera named in ``urls`` given those stream addresses.

    The demo's hook for live video: the generated addresses (10.20.x.y) reach no camera, so
    at start the demo serves a few local streams (``rtcc_media.sources``) and fills them in
    here, camera id → ``(main, sub)`` or one address for both. Addresses are checked
    (ValueError naming the camera, password hidden); cameras not named keep theirs.
    """
    result: list[Camera] = []
    for camera in cameras:
        given = urls.get(camera.camera_id) if isinstance(camera, PoleCamera) else None
        if given is not None:
            main, sub = (given, given) if isinstance(given, str) else given
            try:
                main, sub = check_stream_url(main), check_stream_url(sub)
            except ValueError as exc:
                raise ValueError(f"stream for {camera.camera_id}: {exc}") from None
            camera = dataclasses.replace(camera, main_stream_url=main, sub_stream_url=sub)
        result.append(camera)
    return result


def spread_streams(
    cameras: Iterable[Camera], sources: Sequence[tuple[str, str] | str]
) -> dict[str, tuple[str, str] | str]:
    """Camera id → one of a few demo ``sources``, taken in turn, for every pole camera.

    A demo cannot serve 270 streams from one machine; a dozen or so looping clips shared
    round the poles look alive on any wall page. Feed the result to ``with_stream_urls``.
    """
    if not sources:
        raise ValueError("give at least one demo stream")
    poles = [c.camera_id for c in cameras if isinstance(c, PoleCamera)]
    return {camera_id: sources[n % len(sources)] for n, camera_id in enumerate(poles)}


def _registered_cameras(
    rng: random.Random, streets: StreetMap, count: int
) -> list[RegisteredCamera]:
    cameras: list[RegisteredCamera] = []
    owner_no = 0
    while len(cameras) < count:
        owner_no += 1
        # businesses have more cameras per owner (2.15 vs 1.3 on average): 29% of owners
        # being businesses gives the 40% of cameras the RTCC sees in practice
        business = rng.random() < 0.29
        # one owner's cameras share an address and a recorder, as a real system does
        if business:
            n = _pick(rng, {1: 35, 2: 30, 3: 20, 4: 15})
            spot = streets.random_point(rng, min_offset=15, max_offset=45, downtown_weight=6.0)
            base, address, facing = spot.location, spot.address, spot.towards_street
            recorder = _pick(rng, _BUSINESS_RECORDERS)
            retention = _pick(rng, _BUSINESS_RETENTION)
            label = rng.choice(_BUSINESS_TYPES)
        else:
            n = _pick(rng, {1: 75, 2: 20, 3: 5})
            if rng.random() < 0.7:
                hood = rng.choices(NEIGHBOURHOODS, weights=[h.weight for h in NEIGHBOURHOODS])[0]
                base = streets.neighbourhood_point(rng, hood)
                address = (
                    f"{rng.randint(1, 59) * 100 + rng.randint(0, 99)} {rng.choice(hood.streets)}"
                )
                facing = None
            else:
                spot = streets.random_point(rng, min_offset=20, max_offset=120)
                base, address, facing = spot.location, spot.address, spot.towards_street
            recorder = _pick(rng, _HOME_RECORDERS)
            cloud = recorder is RecorderType.DOORBELL_CLOUD
            retention = _pick(rng, _HOME_CLOUD_RETENTION if cloud else _HOME_DVR_RETENTION)
            label = "Home"
        for k in range(min(n, count - len(cameras))):
            view = (
                _business_view(rng, facing, k) if business else _home_view(rng, recorder, facing, k)
            )
            labels = _BUSINESS_LABELS if business else _HOME_LABELS
            cameras.append(
                RegisteredCamera(
                    camera_id=f"REG-{len(cameras) + 1:06d}",
                    name=f"{label} – {labels[k]}",
                    location=_near(rng, streets, base, 12.0),
                    view=view,
                    retention_days=retention,
                    owner_ref=f"owner-{owner_no:06d}",
                    address=address,
                    recorder_type=recorder,
                    is_business=business,
                )
            )
    return cameras


def _home_view(rng: random.Random, recorder: RecorderType, facing: float | None, k: int) -> View:
    doorbell = recorder is RecorderType.DOORBELL_CLOUD
    # most owners register a doorbell without saying which way it looks
    if rng.random() < (0.55 if doorbell else 0.4):
        return View(None, 360.0, float(rng.randint(12, 30)))
    towards = facing if facing is not None and k == 0 else rng.uniform(0, 360)
    bearing = round((towards + rng.uniform(-30, 30)) % 360.0, 1) % 360.0
    if doorbell:
        return View(bearing, float(rng.choice((140, 150, 160, 180))), float(rng.randint(8, 20)))
    return View(bearing, round(rng.uniform(80, 110), 1), float(rng.randint(15, 35)))


def _business_view(rng: random.Random, facing: float, k: int) -> View:
    if rng.random() < 0.15:
        return View(None, 360.0, float(rng.randint(20, 40)))
    # the first camera watches the street; later ones the lot, the register, the back door
    towards = facing + rng.uniform(-20, 20) if k == 0 else rng.uniform(0, 360)
    return View(
        round(towards % 360.0, 1) % 360.0,
        round(rng.uniform(70, 110), 1),
        float(rng.randint(25, 60)),
    )


def _edge_channels(rng: random.Random, streets: StreetMap, devices: int) -> list[EdgeChannel]:
    cameras: list[EdgeChannel] = []
    for d in range(1, devices + 1):
        device_id = f"EDGE-{d:03d}"
        spot = streets.random_point(rng, min_offset=15, max_offset=40, downtown_weight=6.0)
        business = rng.choice(_BUSINESS_TYPES)
        for channel in range(1, _pick(rng, {1: 1, 2: 2, 3: 3, 4: 6}) + 1):
            view = _business_view(rng, spot.towards_street, channel - 1)
            if view.bearing is None:  # the installer records every edge camera's direction
                view = View(round(rng.uniform(0, 359.9), 1), 90.0, view.range_m)
            cameras.append(
                EdgeChannel(
                    camera_id=f"{device_id}-{channel}",
                    name=f"{business}, {spot.address} – channel {channel}",
                    location=_near(rng, streets, spot.location, 10.0),
                    view=view,
                    retention_days=EDGE_RETENTION_DAYS,
                    edge_device_id=device_id,
                    channel=channel,
                )
            )
    return cameras


def write_demo_cameras_csv(cameras: Iterable[Camera], path: Path | str) -> Path:
    """Write cameras to one CSV with ``CSV_COLUMNS``; empty cells where a field does not apply."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for camera in cameras:
            writer.writerow(_csv_row(camera))
    return path


def _csv_row(camera: Camera) -> dict[str, str]:
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(
        id=camera.camera_id,
        kind=camera.kind.value,
        name=camera.name,
        lat=_number(camera.location.lat if camera.location else None),
        lon=_number(camera.location.lon if camera.location else None),
        bearing=_number(camera.view.bearing),
        fov=_number(camera.view.fov),
        range=_number(camera.view.range_m),
        retention_days=_number(camera.retention_days),
    )
    if isinstance(camera, PoleCamera):
        row.update(
            pole_id=camera.pole_id,
            position=str(camera.position_on_pole),
            main_stream_url=camera.main_stream_url,
            sub_stream_url=camera.sub_stream_url,
            privacy_review=camera.privacy_review.value,
        )
    elif isinstance(camera, RegisteredCamera):
        row.update(
            address=camera.address, owner=camera.owner_ref, recorder_type=camera.recorder_type.value
        )
    elif isinstance(camera, EdgeChannel):
        row.update(
            edge_device_id=camera.edge_device_id,
            channel=str(camera.channel),
            recorder_type=RecorderType.EDGE_DEVICE.value,
        )
    return row


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _pick(rng: random.Random, weights: dict[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _near(rng: random.Random, streets: StreetMap, base: LatLon, radius_m: float) -> LatLon:
    x, y = streets.projection.to_metres(base)
    while True:
        point = _rounded(
            streets.projection.to_latlon(
                x + rng.uniform(-radius_m, radius_m), y + rng.uniform(-radius_m, radius_m)
            )
        )
        if on_land(point, margin_deg=0.0):
            return point


def _rounded(point: LatLon) -> LatLon:
    # six decimals (~0.1 m) so a CSV round trip gives back exactly the same position
    return LatLon(round(point.lat, 6), round(point.lon, 6))


def _compass(bearing: float) -> str:
    return _COMPASS[int((bearing + 22.5) // 45) % 8]
