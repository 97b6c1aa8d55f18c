"""Camera views from file values: the direction parser, default lens and range per kind."""

from __future__ import annotations

import math
import re

from rtcc_desk.core.cameras import CameraKind, View

#: Field of view assumed for a camera whose bearing is known but whose lens is not.
DEFAULT_FOV = 90.0
#: Range assumed when the data gives none: a pole camera on a mast sees furthest.
DEFAULT_RANGE_M = {
    CameraKind.RESIDENTIAL: 30.0,
    CameraKind.BUSINESS: 50.0,
    CameraKind.CITY_POLE: 150.0,
    CameraKind.EDGE_CHANNEL: 50.0,
}

_COMPASS_POINTS = (
    "n", "nne", "ne", "ene", "e", "ese", "se", "sse",
    "s", "ssw", "sw", "wsw", "w", "wnw", "nw", "nnw",
)  # fmt: skip
_WORDS = {"n": "north", "e": "east", "s": "south", "w": "west"}
#: "SE", "south-east", "southeast", "South East" all mean 135.
_COMPASS = {
    spelling: index * 22.5
    for index, point in enumerate(_COMPASS_POINTS)
    for spelling in (point, "".join(_WORDS[letter] for letter in point))
}
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|\bto\b)\s*([^-–].*)$")
_DEGREE_MARKS = re.compile(r"\s*(?:°|º|degrees?|deg)\s*$")


def parse_camera_direction(text: str) -> tuple[float, float | None] | None:
    """Read an OSM-style camera direction; never raises.

    Returns ``(bearing, fov)`` with the bearing in 0..360 (0 = north, clockwise) and ``fov``
    the width in degrees the value itself implies, or None when it names a single direction
    (the caller then assumes its default lens). Returns None when the text is empty or
    cannot be read: the direction is unknown.

    Understood: degrees (``190``, ``22.5``, ``360`` = north, negatives counted anticlockwise
    as some mappers write them, ``190°``); compass points and words (``SE``, ``south``,
    ``north-west``); a sweep ``190-100`` (clockwise from the first to the second, here 270°
    wide through north; ``0-360`` is the whole circle, ``90-90.0`` one direction); a list
    ``180, 270`` or ``90;160;270`` (the narrowest sector that holds every listed direction
    with a default-lens view around each).
    """
    if not isinstance(text, str):
        return None
    cleaned = text.strip().lower()
    if not cleaned:
        return None
    if "," in cleaned or ";" in cleaned:
        bearings = [_single_bearing(part) for part in re.split(r"[,;]", cleaned)]
        if not bearings or any(b is None for b in bearings):
            return None
        return _covering_sector([b for b in bearings if b is not None])
    single = _single_bearing(cleaned)
    if single is not None:
        return single, None
    match = _RANGE.match(cleaned)
    if match:
        start, end = _bearing_as_written(match.group(1)), _bearing_as_written(match.group(2))
        if start is None or end is None:
            return None
        if start == end:
            # Compared as written numbers, not text: "90-90.0" is one direction like "90-90".
            return _normalise(start), None
        width = (end - start) % 360.0
        if width == 0.0:
            # Different numbers for the same direction ("0-360", "-90-270"): one whole turn.
            return _normalise(start), 360.0
        return _normalise(start + width / 2.0), width
    return None


def _bearing_as_written(text: str) -> float | None:
    """One bearing in -360..360 degrees as written, or a compass point; None if neither."""
    text = _DEGREE_MARKS.sub("", text.strip())
    if _NUMBER.match(text):
        value = float(text)
        # Beyond a full turn either way is a typo, not a direction.
        return value if -360.0 <= value <= 360.0 else None
    return _COMPASS.get(re.sub(r"[\s_\-]+", "", text))


def _single_bearing(text: str) -> float | None:
    """One bearing in 0..360 degrees or one compass point/word; None if it is neither."""
    value = _bearing_as_written(text)
    return None if value is None else _normalise(value)


def _covering_sector(bearings: list[float]) -> tuple[float, float | None]:
    """The narrowest sector holding every bearing, widened by a default lens around each."""
    points = sorted(set(bearings))
    if len(points) == 1:
        return points[0], None
    # The sector is the circle minus its widest gap between neighbouring bearings.
    gaps = [((points[(i + 1) % len(points)] - p) % 360.0, i) for i, p in enumerate(points)]
    widest, after = max(gaps)
    start = points[(after + 1) % len(points)]
    span = 360.0 - widest
    return _normalise(start + span / 2.0), min(360.0, span + DEFAULT_FOV)


def _normalise(bearing: float) -> float:
    value = bearing % 360.0
    # -1e-20 % 360 is 360.0 in floating point; View insists on < 360.
    return 0.0 if value >= 360.0 or not math.isfinite(value) else value


def view_from_direction(
    direction: tuple[float, float | None] | None,
    *,
    kind: CameraKind,
    fov: float | None = None,
    range_m: float | None = None,
) -> View:
    """The view for a parsed direction; an explicit ``fov`` beats one implied by the direction.

    No direction means the direction is unknown: bearing None and, by convention, a full
    circle, whatever ``fov`` says (an export writes unknown directions as an empty bearing
    with fov 360, and they must stay unknown). A known bearing is kept at any width, 360
    included: a 360° camera or a ``0-360`` sweep surely sees all round.
    """
    reach = range_m if range_m is not None else DEFAULT_RANGE_M[kind]
    if direction is None:
        return View(bearing=None, fov=360.0, range_m=reach)
    bearing, implied_fov = direction
    width = fov if fov is not None else implied_fov if implied_fov is not None else DEFAULT_FOV
    return View(bearing=bearing, fov=width, range_m=reach)
