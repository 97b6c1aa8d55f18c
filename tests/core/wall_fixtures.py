"""Cameras, a real camera index and a settable clock for the wall model's tests."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.cameras import PoleCamera, PrivacyReview, RegisteredCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT

DOWNTOWN = LatLon(32.5120, -93.7500)
START = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
PROJ = SHREVEPORT.projection()


def offset(origin: LatLon, bearing_deg: float, metres: float) -> LatLon:
    x, y = PROJ.to_metres(origin)
    rad = math.radians(bearing_deg)
    return PROJ.to_latlon(x + metres * math.sin(rad), y + metres * math.cos(rad))


def pole_camera(camera_id: str, where: LatLon = DOWNTOWN, *, bearing: float = 0.0,
                review: PrivacyReview = PrivacyReview.APPROVED, urls: bool = True,
                range_m: float = 150.0) -> PoleCamera:
    pole_id, _, position = camera_id.rpartition("-")
    host = f"10.20.0.{abs(hash(camera_id)) % 250}"
    return PoleCamera(
        camera_id=camera_id, name=f"{camera_id} looking {bearing:g}", location=where,
        view=View(bearing, 80.0, range_m), retention_days=30, pole_id=pole_id or camera_id,
        position_on_pole=int(position) if position in ("1", "2", "3") else 1,
        main_stream_url=f"rtsp://wall:s3cret@{host}/main" if urls else "",
        sub_stream_url=f"rtsp://wall:s3cret@{host}/sub" if urls else "",
        privacy_review=review,
    )


def home_camera(camera_id: str, where: LatLon = DOWNTOWN, bearing: float = 0.0) -> RegisteredCamera:
    return RegisteredCamera(camera_id=camera_id, location=where, view=View(bearing, 90.0, 60.0),
                            owner_ref="owner-1")


def index_of(*cameras) -> CameraIndex:
    index = CameraIndex(SHREVEPORT)
    index.load(cameras)
    return index


def approved(n: int, prefix: str = "P") -> list[PoleCamera]:
    """``n`` approved cameras P01-1, P01-2, P01-3, P02-1, ... downtown."""
    return [pole_camera(f"{prefix}{k // 3 + 1:02d}-{k % 3 + 1}", bearing=(k % 3) * 120.0)
            for k in range(n)]


def send_back_to_review(index: CameraIndex, camera_id: str) -> None:
    index.put(replace(index.camera(camera_id), privacy_review=PrivacyReview.PENDING))


class FakeClock:
    """The wall's clock, moved by the test."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class Recorder:
    """A listener that keeps every event it is told."""

    def __init__(self) -> None:
        self.events = []

    def __call__(self, event) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [e.change.value for e in self.events]
