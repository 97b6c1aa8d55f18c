"""One candidate camera as the list shows it: its row record, columns and cell texts (no Qt)."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime

from rtcc_desk.core.cameras import Camera, CameraKind, EdgeChannel, PoleCamera, RegisteredCamera
from rtcc_desk.core.correlation import Access
from rtcc_desk.core.countdown import countdown_text, retention_text


class CandidateColumn(enum.StrEnum):
    """The candidate list's columns, in display order."""

    KIND = "Kind"
    NAME = "Camera"
    DISTANCE = "Distance"
    VIEW = "View"
    RETENTION = "Retention"
    COUNTDOWN = "Overwritten in"
    OWNER = "Owner"
    ACCESS = "Access"


KIND_TEXT = {
    CameraKind.CITY_POLE: "City pole",
    CameraKind.BUSINESS: "Business",
    CameraKind.RESIDENTIAL: "Residential",
    CameraKind.EDGE_CHANNEL: "Edge",
}
_OWNER_TEXT = {
    CameraKind.CITY_POLE: "City",
    CameraKind.BUSINESS: "Business",
    CameraKind.RESIDENTIAL: "Resident",
    CameraKind.EDGE_CHANNEL: "Business (edge box)",
}
_RECORDER_TEXT = {
    "doorbell_cloud": "doorbell cloud",
    "dvr_nvr": "DVR/NVR",
    "edge_device": "edge box",
    "other": "other recorder",
    "unknown": "recorder unknown",
}


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A candidate with the camera's current record; ``rank`` is its place in the result."""

    camera: Camera
    distance_m: float
    direction_unknown: bool
    deadline: datetime | None
    rank: int

    @property
    def camera_id(self) -> str:
        return self.camera.camera_id

    @property
    def access(self) -> Access:
        return Access.OPEN_NOW if self.camera.kind.open_now else Access.REQUEST

    def expired(self, now: datetime) -> bool:
        return self.deadline is not None and self.deadline <= now


def recorder_text(camera: Camera) -> str:
    if isinstance(camera, RegisteredCamera):
        return _RECORDER_TEXT.get(camera.recorder_type.value, camera.recorder_type.value)
    if isinstance(camera, EdgeChannel):
        return "edge box"
    if isinstance(camera, PoleCamera):
        return "city recorder"
    return ""


def cell_text(row: CandidateRow, column: CandidateColumn, now: datetime) -> str:
    camera = row.camera
    if column is CandidateColumn.KIND:
        return KIND_TEXT[camera.kind]
    if column is CandidateColumn.NAME:
        return camera.name or camera.camera_id
    if column is CandidateColumn.DISTANCE:
        return f"{row.distance_m:,.0f} m"
    if column is CandidateColumn.VIEW:
        return "direction unknown" if row.direction_unknown else "sees location"
    if column is CandidateColumn.RETENTION:
        recorder = recorder_text(camera)
        days = retention_text(camera.retention_days)
        return f"{days} · {recorder}" if recorder else days
    if column is CandidateColumn.COUNTDOWN:
        return countdown_text(row.deadline, now)
    if column is CandidateColumn.OWNER:
        return _OWNER_TEXT[camera.kind]
    return "Open now" if row.access is Access.OPEN_NOW else "Request"


def tooltip(row: CandidateRow, column: CandidateColumn) -> str:
    camera = row.camera
    if column is CandidateColumn.COUNTDOWN and row.deadline is not None:
        return f"The recorder overwrites the incident's footage at {row.deadline:%Y-%m-%d %H:%M %Z}"
    if column is CandidateColumn.VIEW and row.direction_unknown:
        return "Its bearing is not known: it may or may not face the location."
    address = getattr(camera, "address", "")
    return f"{camera.camera_id}" + (f" · {address}" if address else "")


def sort_value(row: CandidateRow, column: CandidateColumn | None) -> tuple:
    """Ascending order of a column; None (no column chosen) keeps the correlation's ranking."""
    tie = (row.rank,)
    if column is None:
        return tie
    if column is CandidateColumn.DISTANCE:
        return (row.distance_m, *tie)
    if column is CandidateColumn.VIEW:
        return (row.direction_unknown, *tie)
    if column is CandidateColumn.RETENTION:
        days = row.camera.retention_days
        return (math.inf if days is None else days, *tie)
    if column is CandidateColumn.COUNTDOWN:
        return (math.inf if row.deadline is None else row.deadline.timestamp(), *tie)
    if column is CandidateColumn.ACCESS:
        return (row.access is Access.REQUEST, *tie)
    if column is CandidateColumn.NAME:
        return ((row.camera.name or row.camera.camera_id).casefold(), *tie)
    table = KIND_TEXT if column is CandidateColumn.KIND else _OWNER_TEXT
    return (table[row.camera.kind], *tie)
