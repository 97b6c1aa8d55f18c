"""Cameras the RTCC knows about: city pole cameras, registered private cameras, edge channels."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.privacy_review import Masks, PrivacyReview, check_masks

__all__ = [
    "DEFAULT_VIEW", "EDGE_MAX_CHANNELS", "POLE_POSITIONS", "Camera", "CameraKind", "EdgeChannel",
    "Masks", "PoleCamera", "PrivacyReview", "RecorderType", "RegisteredCamera", "View",
]

#: Cameras on one city pole: positions 1..3.
POLE_POSITIONS = (1, 2, 3)
#: An edge recorder carries at most this many camera channels.
EDGE_MAX_CHANNELS = 4


class CameraKind(enum.StrEnum):
    """What sort of camera this is; decides whether the RTCC can open it or must ask."""

    CITY_POLE = "city_pole"
    BUSINESS = "business"
    RESIDENTIAL = "residential"
    EDGE_CHANNEL = "edge_channel"

    @property
    def open_now(self) -> bool:
        """City cameras and edge channels can be opened by an analyst; the rest are requested."""
        return self in (CameraKind.CITY_POLE, CameraKind.EDGE_CHANNEL)


class RecorderType(enum.StrEnum):
    """The kind of recorder behind a registered camera (how the owner exports footage)."""

    DOORBELL_CLOUD = "doorbell_cloud"
    DVR_NVR = "dvr_nvr"
    EDGE_DEVICE = "edge_device"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class View:
    """Where a camera looks: compass bearing and field of view in degrees, range in metres.

    A bearing of None means the direction is unknown: the camera is taken to see a full
    circle of its range and is marked "direction unknown" in every result.
    """

    bearing: float | None
    fov: float
    range_m: float

    def __post_init__(self) -> None:
        if self.bearing is not None and not 0.0 <= self.bearing < 360.0:
            raise ValueError(f"bearing {self.bearing} must be in 0..360")
        if not 0.0 < self.fov <= 360.0:
            raise ValueError(f"field of view {self.fov} must be in (0, 360]")
        if not 0.0 < self.range_m <= 5000.0:
            raise ValueError(f"range {self.range_m} m must be in (0, 5000]")

    @property
    def direction_unknown(self) -> bool:
        """No bearing known. (A 360° camera with a known bearing surely sees all round.)"""
        return self.bearing is None


#: Used when a registration or import says nothing about the view.
DEFAULT_VIEW = View(bearing=None, fov=360.0, range_m=30.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Camera:
    """Fields every camera has. ``retention_days`` None means "not known"."""

    camera_id: str
    name: str = ""
    location: LatLon | None
    view: View = DEFAULT_VIEW
    retention_days: float | None = None
    withdrawn: bool = False
    kind: CameraKind = field(init=False)

    @property
    def in_service(self) -> bool:
        """Whether the camera records, so that it can have seen a call."""
        return not self.withdrawn

    def __post_init__(self) -> None:
        if not self.camera_id:
            raise ValueError("camera id is empty")
        if self.retention_days is not None and not 0 < self.retention_days <= 3650:
            raise ValueError(f"retention {self.retention_days} days must be in (0, 3650]")


@dataclass(frozen=True, slots=True, kw_only=True)
class PoleCamera(Camera):
    """One of the three cameras on a city utility pole.

    ``privacy_masks`` are the polygons the privacy reviewer drew over what must never be shown
    (windows, yards, doorways): each a tuple of (x, y) corners as fractions of the frame, x to
    the right and y down, blacked out on every frame before it reaches a screen. The review
    rules (what sends a camera back to pending) are in ``rtcc_desk.core.privacy_review``.
    """

    pole_id: str
    position_on_pole: int
    # Left out of repr: a stream URL may carry the camera's password, and reprs end up in logs.
    main_stream_url: str = field(default="", repr=False)
    sub_stream_url: str = field(default="", repr=False)
    privacy_review: PrivacyReview = PrivacyReview.PENDING
    privacy_masks: Masks = ()
    kind: CameraKind = field(init=False, default=CameraKind.CITY_POLE)

    @property
    def in_service(self) -> bool:
        # A city camera is activated only after its privacy review approves what it shows.
        return not self.withdrawn and self.privacy_review is PrivacyReview.APPROVED

    def __post_init__(self) -> None:
        Camera.__post_init__(self)
        if self.position_on_pole not in POLE_POSITIONS:
            raise ValueError(f"position on pole {self.position_on_pole} must be 1, 2 or 3")
        # Lists read from JSON become tuples, so equal masks compare equal and hash.
        object.__setattr__(self, "privacy_masks", check_masks(self.privacy_masks))


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisteredCamera(Camera):
    """A resident's or business's own camera; the RTCC knows only where it is and asks for footage."""

    owner_ref: str
    address: str = ""
    recorder_type: RecorderType = RecorderType.UNKNOWN
    is_business: bool = False
    kind: CameraKind = field(init=False, default=CameraKind.RESIDENTIAL)

    def __post_init__(self) -> None:
        Camera.__post_init__(self)
        # kind follows the owner type; set through object.__setattr__ because the record is frozen.
        object.__setattr__(
            self, "kind", CameraKind.BUSINESS if self.is_business else CameraKind.RESIDENTIAL
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeChannel(Camera):
    """One camera channel recorded on a business's edge box."""

    edge_device_id: str
    channel: int
    kind: CameraKind = field(init=False, default=CameraKind.EDGE_CHANNEL)

    def __post_init__(self) -> None:
        Camera.__post_init__(self)
        if not 1 <= self.channel <= EDGE_MAX_CHANNELS:
            raise ValueError(f"edge channel {self.channel} must be 1..{EDGE_MAX_CHANNELS}")
