"""OpenStreetMap man_made=surveillance cameras, and the direction parser every camera importer uses.

Decisions an analyst should know about:

* Every OSM camera becomes a RegisteredCamera: the RTCC cannot open any of them and must ask.
  OSM cannot say who owns a camera, so it is a business camera (shops, banks, stations,
  public buildings make up nearly all of them) unless the tags say it is private
  (``surveillance=private``/``privat``) or a doorbell (``camera:mount=doorbell``): then residential.
* ``surveillance=fake`` (a dummy) and ``surveillance:type=guard`` (a person) are rejected:
  neither records anything.
* The direction comes from ``camera:direction``, else the older ``direction`` tag. A value
  the parser cannot read makes the direction unknown and adds a note; it never rejects the
  camera. ``camera:angle`` is a tilt, not a bearing, and is ignored.
* Dome, panning and 360 cameras with no direction see a full circle. Mappers write
  ``camera:direction=360`` on domes and panning cameras (all 47 such nodes in the Swiss
  extract) to mean "all round", so on those types 360 is a full circle; on a fixed camera
  360 is north like 0. A ``camera:type=360`` camera always sees a full circle.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from rtcc_desk.adapters.tabular import TabularError, is_sentinel, make_latlon
from rtcc_desk.core.cameras import Camera, CameraKind, RegisteredCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import ImportReport, Rejection, RowError

# The view defaults live beside the direction parser so that rows.py (CSV and GeoJSON) can
# import both from here without an import cycle.
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
    wide through north); a list ``180, 270`` or ``90;160;270`` (the narrowest sector that
    holds every listed direction with a default-lens view around each).
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
        start, end = _single_bearing(match.group(1)), _single_bearing(match.group(2))
        if start is None or end is None:
            return None
        width = (end - start) % 360.0
        if width == 0.0:
            # "0-360" sweeps the whole circle; "90-90" is just one direction.
            return (start, 360.0) if match.group(1) != match.group(2) else (start, None)
        return _normalise(start + width / 2.0), width
    return None


def _single_bearing(text: str) -> float | None:
    """One bearing in degrees or one compass point/word; None if it is neither."""
    text = _DEGREE_MARKS.sub("", text.strip())
    if _NUMBER.match(text):
        value = float(text)
        # Beyond a full turn either way is a typo, not a direction.
        return _normalise(value) if -360.0 <= value <= 360.0 else None
    return _COMPASS.get(re.sub(r"[\s_\-]+", "", text))


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
    """The view for a parsed direction; an explicit ``fov`` beats one implied by the direction."""
    reach = range_m if range_m is not None else DEFAULT_RANGE_M[kind]
    if direction is None:
        return View(bearing=None, fov=360.0, range_m=reach)
    bearing, implied_fov = direction
    width = fov if fov is not None else implied_fov if implied_fov is not None else DEFAULT_FOV
    if width >= 360.0:
        return View(bearing=None, fov=360.0, range_m=reach)
    return View(bearing=bearing, fov=width, range_m=reach)


_ALL_ROUND_TYPES = {"dome", "panning", "360"}
_CAMERA_TYPES = {"camera", "webcam", "alpr"}


def import_osm_cameras(path: Path, *, id_prefix: str = "osm") -> ImportReport[Camera]:
    """Cameras from an OSM JSON list of ``{type, id, lat, lon, tags}`` (or Overpass output).

    Row numbers are 1-based element indexes; the field of a rejection is the tag at fault.
    """
    source = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise TabularError(f"{path}: cannot open: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TabularError(f"{path}: not a JSON file: {exc}") from None
    # Overpass API answers wrap the list as {"elements": [...]}.
    elements = document.get("elements") if isinstance(document, dict) else document
    if not isinstance(elements, list):
        raise TabularError(f"{path}: expected a JSON list of OSM elements")
    report: ImportReport[Camera] = ImportReport()
    first_row_of: dict[str, int] = {}
    for row, element in enumerate(elements, start=1):
        try:
            camera = _camera_from_element(element, id_prefix, source, row, report)
            if camera.camera_id in first_row_of:
                first = first_row_of[camera.camera_id]
                raise RowError("id", f"duplicate {camera.camera_id!r}, first seen on row {first}")
        except RowError as exc:
            report.rejected.append(Rejection(source, row, exc.field, exc.reason))
            continue
        first_row_of[camera.camera_id] = row
        report.accepted.append(camera)
    return report


def _camera_from_element(
    element: object, id_prefix: str, source: str, row: int, report: ImportReport[Camera]
) -> Camera:
    if not isinstance(element, dict):
        raise RowError("", "not an OSM element (a JSON object)")
    tags = element.get("tags") if isinstance(element.get("tags"), dict) else {}
    tags = {str(k): str(v).strip() for k, v in tags.items()}
    if tags.get("man_made") != "surveillance":
        raise RowError("man_made", f"{tags.get('man_made')!r} is not man_made=surveillance")
    if tags.get("surveillance", "").lower() == "fake":
        raise RowError("surveillance", "surveillance=fake: a dummy camera records nothing")
    kind_of_thing = tags.get("surveillance:type", "camera").lower()
    if kind_of_thing not in _CAMERA_TYPES:
        raise RowError("surveillance:type", f"{kind_of_thing!r} is not a camera")

    osm_type, osm_id = element.get("type", "node"), element.get("id")
    if osm_id is None or str(osm_id).strip() == "":
        raise RowError("id", "the element has no id")
    camera_id = f"{id_prefix}:{osm_type}/{osm_id}" if id_prefix else f"{osm_type}/{osm_id}"
    location = _element_location(element)

    residential = tags.get("surveillance", "").lower() in {"private", "privat"} or (
        tags.get("camera:mount", "").lower() == "doorbell"
    )
    kind = CameraKind.RESIDENTIAL if residential else CameraKind.BUSINESS
    view = _element_view(tags, kind, f"{source}:{row}", report)
    address = tags.get("addr:full") or " ".join(
        part for part in (tags.get("addr:street"), tags.get("addr:housenumber")) if part
    )
    return RegisteredCamera(
        camera_id=camera_id,
        name=tags.get("name", ""),
        location=location,
        view=view,
        owner_ref=tags.get("operator") or tags.get("owner") or address or camera_id,
        address=address,
        is_business=not residential,
    )


def _element_location(element: dict) -> LatLon:
    # Ways and relations exported with "out center" carry their position in "center".
    holder = element if "lat" in element or "lon" in element else element.get("center")
    lat, lon = (holder.get("lat"), holder.get("lon")) if isinstance(holder, dict) else (None, None)
    try:
        if isinstance(lat, bool) or isinstance(lon, bool):
            raise TypeError("a boolean is not a coordinate")
        lat_value, lon_value = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowError("lat/lon", f"missing or not a number ({lat!r}, {lon!r})") from None
    point = make_latlon("lat/lon", lat_value, lon_value)
    if is_sentinel(point):
        raise RowError("lat/lon", f"placeholder coordinates ({lat}, {lon})")
    return point


def _element_view(tags: dict[str, str], kind: CameraKind, where: str, report: ImportReport) -> View:
    camera_type = tags.get("camera:type", "").lower()
    tag = "camera:direction" if "camera:direction" in tags else "direction"
    text = tags.get(tag, "")
    direction = parse_camera_direction(text)
    if text and direction is None:
        report.notes.append(f"{where} [{tag}]: {text!r} is not a direction; direction unknown")
    all_round = camera_type == "360" or (
        camera_type in _ALL_ROUND_TYPES and text.strip() == "360"
    )
    return view_from_direction(None if all_round else direction, kind=kind)
