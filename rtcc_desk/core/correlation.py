"""Which cameras may have seen a call: search radii, candidates, and overwrite deadlines."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rtcc_desk.core.calls import Call
from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import Jurisdiction

#: Search radius in metres when the call type has no radius of its own.
DEFAULT_RADIUS_M = 150.0

#: Wider searches where suspects travel further before and after the event (APCO codes).
DEFAULT_RADII_BY_CALL_TYPE: Mapping[str, float] = {
    "SHOOT": 300.0,
    "ACTSHOOT": 400.0,
    "HOMICIDE": 300.0,
    "STABBING": 250.0,
    "ROBBERY": 250.0,
    "CARJACK": 300.0,
    "ABDUCTF": 300.0,
    "ABDUCTNF": 300.0,
    "HOSTAGE": 300.0,
    "PURSUIT": 400.0,
    "VEHSTLN": 250.0,
    "MVAHR": 250.0,
}


class CorrelationStatus(enum.StrEnum):
    """Whether a call could be correlated at all."""

    OK = "ok"
    NO_USABLE_LOCATION = "no_usable_location"
    OUTSIDE_JURISDICTION = "outside_jurisdiction"


class Access(enum.StrEnum):
    """How the analyst gets the footage: open it now, or ask the owner."""

    OPEN_NOW = "open_now"
    REQUEST = "request"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A camera that may have seen the call, with what the analyst needs to act on it."""

    camera: Camera
    distance_m: float
    direction_unknown: bool
    overwrite_deadline: datetime | None
    deadline_passed: bool | None

    @property
    def sees_location(self) -> bool:
        return not self.direction_unknown

    @property
    def access(self) -> Access:
        return Access.OPEN_NOW if self.camera.kind.open_now else Access.REQUEST

    def sort_key(self) -> tuple[bool, float, str]:
        """Seen for sure before direction unknown, then nearest first; id breaks ties."""
        return (self.direction_unknown, self.distance_m, self.camera.camera_id)


@dataclass(frozen=True, slots=True)
class CorrelationResult:
    """The candidates for one call (or map point), best first."""

    call_id: str
    status: CorrelationStatus
    radius_m: float
    candidates: tuple[Candidate, ...] = field(default=())


def search_radius(
    call: Call | None,
    *,
    override_m: float | None = None,
    radii: Mapping[str, float] = DEFAULT_RADII_BY_CALL_TYPE,
    default_m: float = DEFAULT_RADIUS_M,
) -> float:
    """The radius for this call: the analyst's override, else its call type's, else the default."""
    if override_m is not None:
        if override_m <= 0:
            raise ValueError(f"search radius {override_m} m must be positive")
        return float(override_m)
    code = call.call_type.common_code if call else None
    return float(radii.get(code or "", default_m))


def overwrite_deadline(camera: Camera, incident_time: datetime) -> datetime | None:
    """When the recorder overwrites footage of the incident; None if its retention is unknown."""
    if camera.retention_days is None:
        return None
    return incident_time + timedelta(days=camera.retention_days)


def make_candidate(
    camera: Camera, distance_m: float, incident_time: datetime, now: datetime
) -> Candidate:
    deadline = overwrite_deadline(camera, incident_time)
    return Candidate(
        camera=camera,
        distance_m=round(float(distance_m), 2),
        direction_unknown=camera.view.direction_unknown,
        overwrite_deadline=deadline,
        deadline_passed=None if deadline is None else deadline <= now,
    )


def unmatched(
    point: LatLon | None, jurisdiction: Jurisdiction, radius_m: float, call_id: str
) -> CorrelationResult | None:
    """The result for a point that can never be matched (no location, outside), else None."""
    if point is None:
        return CorrelationResult(call_id, CorrelationStatus.NO_USABLE_LOCATION, radius_m)
    if not jurisdiction.contains(point):
        return CorrelationResult(call_id, CorrelationStatus.OUTSIDE_JURISDICTION, radius_m)
    return None


def ranked(call_id: str, radius_m: float, found: list[Candidate]) -> CorrelationResult:
    """Candidates best first: surely seen before direction unknown, then nearest."""
    found.sort(key=lambda c: c.sort_key())
    return CorrelationResult(call_id, CorrelationStatus.OK, radius_m, tuple(found))
