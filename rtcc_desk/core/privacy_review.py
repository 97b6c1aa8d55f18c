"""Privacy review of city cameras: review states, masks, decisions, what sends a camera back.

Shared by the server (which keeps the one true review state) and the desk (which shows it and
keeps unreviewed cameras off every wall). A city camera goes live only once a privacy reviewer
has approved what it shows, with mask polygons over windows, yards and doorways; anything that
changes what the camera shows sends it back to pending:

- its position (moved more than ``MOVE_TOLERANCE_M``), pole or place on the pole;
- its bearing or field of view (changed by more than ``ANGLE_TOLERANCE_DEG``);
- where its main or sub stream comes from (scheme, host, port, path, query) — a new password
  for the same stream is not a new view and does not;
- its masks, always;
- coming back into service after being withdrawn (it may have been re-hung).

The name, range and retention do not change the picture, so they never send it back.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pyproj import Geod

if TYPE_CHECKING:
    from rtcc_desk.core.cameras import PoleCamera

#: One corner of a mask: (x, y) as fractions of the frame, x to the right, y down.
Point = tuple[float, float]
Polygon = tuple[Point, ...]
Masks = tuple[Polygon, ...]

#: Enough for every window and yard a reviewer has a reason to cover on one camera.
MAX_MASKS = 32
MAX_POINTS = 64
#: Corners are kept to a millionth of the frame (far below a pixel), so a mask read back from
#: JSON compares equal to the one that was stored.
_DIGITS = 6
#: A re-survey of the same pole moves it by centimetres, not by a new view.
MOVE_TOLERANCE_M = 1.0
#: Rounding in an export (one decimal) is not a re-aim.
ANGLE_TOLERANCE_DEG = 0.5

#: Who records review decisions, and who may look past the masks.
REVIEW_ROLE = "privacy_reviewer"
UNMASK_ROLE = "supervisor"
MIN_NOTE_CHARS, MAX_NOTE_CHARS = 3, 2000
MIN_JUSTIFICATION_CHARS, MAX_JUSTIFICATION_CHARS = 10, 1000
#: An unmasked view still open after this long is ended by the server (see docs/privacy-review.md).
UNMASKED_VIEW_LIMIT = timedelta(minutes=30)

_GEOD = Geod(ellps="WGS84")
_USERINFO = re.compile(r"//[^/?#]*@")
#: Query parameters cameras put passwords or tokens in (Hikvision/Dahua HTTP snapshots, …).
_SECRET_PARAMS = frozenset({"password", "passwd", "pass", "pwd", "token", "auth", "key",
                            "apikey", "api_key", "secret", "user", "username", "usr"})


class PrivacyReview(enum.StrEnum):
    """State of a city camera's privacy review; only approved cameras go live."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class MaskError(ValueError):
    """A mask polygon cannot be used; the message names the mask and the corner."""


class ReviewRefused(ValueError):
    """A review decision or an unmasked view is missing what the rules ask for."""


def check_masks(masks: Any) -> Masks:
    """``masks`` as plain tuples of rounded floats, or MaskError naming what is wrong.

    Each polygon has 3 to ``MAX_POINTS`` corners inside the frame (0..1 both ways). Lists (as
    read from JSON) are accepted and turned into tuples.
    """
    if masks is None:
        return ()
    if isinstance(masks, (str, bytes)) or not hasattr(masks, "__iter__"):
        raise MaskError("masks must be a list of polygons")
    polygons = list(masks)
    if len(polygons) > MAX_MASKS:
        raise MaskError(f"{len(polygons)} masks: at most {MAX_MASKS} per camera")
    return tuple(_polygon(number, polygon) for number, polygon in enumerate(polygons, start=1))


def _polygon(number: int, polygon: Any) -> Polygon:
    if isinstance(polygon, (str, bytes)) or not hasattr(polygon, "__iter__"):
        raise MaskError(f"mask {number}: must be a list of (x, y) corners")
    corners = list(polygon)
    if not 3 <= len(corners) <= MAX_POINTS:
        raise MaskError(f"mask {number}: {len(corners)} corners; a mask needs 3 to {MAX_POINTS}")
    points = tuple(_point(number, k, corner) for k, corner in enumerate(corners, start=1))
    if len(set(points)) < 3:
        raise MaskError(f"mask {number}: needs at least 3 different corners")
    return points


def _point(number: int, k: int, corner: Any) -> Point:
    try:
        x, y = corner
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        raise MaskError(f"mask {number}, corner {k}: must be two numbers (x, y)") from None
    for axis, value in (("x", x), ("y", y)):
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise MaskError(f"mask {number}, corner {k}: {axis} {value} is outside the frame (0..1)")
    return (round(x, _DIGITS), round(y, _DIGITS))


def masks_as_lists(masks: Masks) -> list[list[list[float]]]:
    """Masks as JSON arrays (what the server stores and sends)."""
    return [[[x, y] for x, y in polygon] for polygon in masks]


# ----- stream URLs ------------------------------------------------------------------------


def stream_target(url: str) -> str:
    """Where a stream comes from, without its credentials: two URLs with the same target show
    the same picture, whatever password each carries. Safe for audit text (to show a whole
    address without its password elsewhere, see ``rtcc_desk.core.wall.stream_urls.redact_url``)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a broken port: compare the address without its user and password
        return _USERINFO.sub("//", url.strip())
    host = (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in _SECRET_PARAMS])
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, query, ""))


# ----- what sends a camera back to review ------------------------------------------------


def changes_needing_review(before: PoleCamera, after: PoleCamera) -> tuple[str, ...]:
    """What changed between two versions of a camera that a reviewer must see again, in the
    reviewer's words (no credentials); empty when the approved view still stands."""
    reasons: list[str] = []
    if (before.pole_id, before.position_on_pole) != (after.pole_id, after.position_on_pole):
        reasons.append(f"now on pole {after.pole_id} position {after.position_on_pole} "
                       f"(was {before.pole_id} position {before.position_on_pole})")
    moved = _moved_m(before, after)
    if moved is None or moved > MOVE_TOLERANCE_M:
        reasons.append("moved" if moved is None else f"moved {moved:.0f} m")
    b0, b1 = before.view.bearing, after.view.bearing
    if (b0 is None) != (b1 is None) or (b0 is not None and _turned(b0, b1) > ANGLE_TOLERANCE_DEG):
        reasons.append(f"bearing {_degrees(b0)} → {_degrees(b1)}")
    if abs(before.view.fov - after.view.fov) > ANGLE_TOLERANCE_DEG:
        reasons.append(f"field of view {_degrees(before.view.fov)} → {_degrees(after.view.fov)}")
    for label, old, new in (("main", before.main_stream_url, after.main_stream_url),
                            ("sub", before.sub_stream_url, after.sub_stream_url)):
        if stream_target(old) != stream_target(new):
            reasons.append(f"{label} stream now from {stream_target(new) or 'nowhere'}")
    if check_masks(before.privacy_masks) != check_masks(after.privacy_masks):
        reasons.append(f"masks changed ({len(before.privacy_masks)} → {len(after.privacy_masks)})")
    if before.withdrawn and not after.withdrawn:
        reasons.append("back in service after being withdrawn")
    return tuple(reasons)


def after_inventory_edit(before: PoleCamera | None, after: PoleCamera) -> tuple[PoleCamera, tuple[str, ...]]:
    """The camera as an inventory import leaves it, and why it went back to pending.

    An inventory never approves: a new camera is pending ("new camera"), an edit that changes
    the view is pending with its reasons, any other edit keeps the reviewed state.
    """
    if before is None:
        return replace(after, privacy_review=PrivacyReview.PENDING), ("new camera",)
    reasons = changes_needing_review(before, after)
    state = PrivacyReview.PENDING if reasons else before.privacy_review
    return replace(after, privacy_review=state), reasons


def _moved_m(before: PoleCamera, after: PoleCamera) -> float | None:
    if before.location is None or after.location is None:
        return None if before.location != after.location else 0.0
    _, _, metres = _GEOD.inv(before.location.lon, before.location.lat,
                             after.location.lon, after.location.lat)
    return abs(metres)


def _turned(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def _degrees(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}°"


# ----- decisions and unmasked viewing -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A privacy reviewer's verdict on what one camera shows, with the masks it goes live with.

    A rejection needs a note saying why (the installer has to act on it); an approval may
    have one. Masks are checked and normalised like ``PoleCamera.privacy_masks``.
    """

    camera_id: str
    approve: bool
    reviewer: str
    note: str = ""
    masks: Masks = ()

    def __post_init__(self) -> None:
        if not self.camera_id:
            raise ReviewRefused("which camera? the camera id is empty")
        if not self.reviewer.strip():
            raise ReviewRefused("a decision needs the reviewer's name")
        note = " ".join(self.note.split())
        if not self.approve and len(note) < MIN_NOTE_CHARS:
            raise ReviewRefused("say why the camera is rejected: a rejection needs a note")
        if len(note) > MAX_NOTE_CHARS:
            raise ReviewRefused(f"the note is {len(note)} characters; at most {MAX_NOTE_CHARS}")
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "masks", check_masks(self.masks))

    @property
    def state(self) -> PrivacyReview:
        return PrivacyReview.APPROVED if self.approve else PrivacyReview.REJECTED

    @property
    def summary(self) -> str:
        """For the audit trail: "approved with 2 masks: <note>"."""
        count = len(self.masks)
        text = f"{self.state.value} with {count} mask{'' if count == 1 else 's'}"
        return f"{text}: {self.note}" if self.note else text

    def apply(self, camera: PoleCamera) -> PoleCamera:
        return replace(camera, privacy_review=self.state, privacy_masks=self.masks)


def may_review(roles: tuple[str, ...] | list[str]) -> bool:
    return REVIEW_ROLE in roles


def may_view_unmasked(roles: tuple[str, ...] | list[str]) -> bool:
    return UNMASK_ROLE in roles


def check_justification(text: str) -> str:
    """Why someone needs to see past the masks: required, in words, not a token."""
    words = " ".join((text or "").split())
    if len(words) < MIN_JUSTIFICATION_CHARS:
        raise ReviewRefused("viewing a camera unmasked needs a justification "
                            f"(at least {MIN_JUSTIFICATION_CHARS} characters)")
    if len(words) > MAX_JUSTIFICATION_CHARS:
        raise ReviewRefused(f"the justification is {len(words)} characters; at most "
                            f"{MAX_JUSTIFICATION_CHARS}")
    return words


def unmasked_view_ends_by(started_at: datetime) -> datetime:
    """When an unmasked view left open is ended for its viewer."""
    return started_at + UNMASKED_VIEW_LIMIT
