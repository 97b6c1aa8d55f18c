"""The straightforward loop over every camera: the reference the spatial index is checked and timed against."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.correlation import CorrelationResult, make_candidate, ranked, unmatched
from rtcc_desk.core.geo import LatLon, LocalProjection, angle_between
from rtcc_desk.core.jurisdiction import Jurisdiction
from rtcc_desk.core.view_geometry import EDGE_TOLERANCE


class CameraScan:
    """Same answers as ``CameraIndex``, by testing every camera one at a time in plain Python."""

    def __init__(self, jurisdiction: Jurisdiction, projection: LocalProjection | None = None):
        self.jurisdiction = jurisdiction
        self.projection = projection or jurisdiction.projection()
        self._cameras: dict[str, tuple[Camera, float, float]] = {}

    def load(self, cameras: Iterable[Camera]) -> None:
        self._cameras.clear()
        for camera in cameras:
            self.put(camera)

    def put(self, camera: Camera) -> None:
        self._cameras.pop(camera.camera_id, None)
        if not camera.in_service or camera.location is None:
            return
        if not self.jurisdiction.contains(camera.location):
            return
        x, y = self.projection.to_metres(camera.location)
        self._cameras[camera.camera_id] = (camera, x, y)

    def withdraw(self, camera_id: str) -> None:
        self._cameras.pop(camera_id, None)

    def candidates_at(
        self, point: LatLon | None, *, incident_time: datetime, now: datetime, radius_m: float,
        call_id: str = "",
    ) -> CorrelationResult:
        if (never := unmatched(point, self.jurisdiction, radius_m, call_id)) is not None:
            return never
        px, py = self.projection.to_metres(point)
        found = []
        for camera, x, y in self._cameras.values():
            dx, dy = px - x, py - y
            distance = math.hypot(dx, dy)
            view = camera.view
            if distance > view.range_m + EDGE_TOLERANCE or distance > radius_m:
                continue
            if not view.direction_unknown and view.fov < 360.0:
                bearing_to_call = math.degrees(math.atan2(dx, dy)) % 360.0
                if angle_between(bearing_to_call, view.bearing) > view.fov / 2 + EDGE_TOLERANCE:
                    continue
            found.append(make_candidate(camera, distance, incident_time, now))
        return ranked(call_id, radius_m, found)
