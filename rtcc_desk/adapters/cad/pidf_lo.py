"""Reading a PIDF-LO location (civic address or GML geometry) embedded in an EIDO, safely."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from rtcc_desk.core.geo import LatLon

# Shapes from RFC 5491 (GeoShape) whose first gml:pos is the position we match cameras against.
_CENTRED_SHAPES = {"Point", "Circle", "Ellipse", "Ellipsoid", "Sphere", "ArcBand", "Prism"}
# PIDF-LO geometry is WGS84 latitude-first; OGC CRS84 is the one longitude-first spelling.
_LAT_LON_CRS = re.compile(r"EPSG:{1,2}(4326|4979)$", re.IGNORECASE)
_LON_LAT_CRS = re.compile(r"CRS:?84$", re.IGNORECASE)
# Civic address elements in the order a US street address is written (RFC 4119 / RFC 5139).
_STREET = ("HNO", "HNS", "PRD", "A6", "RD", "STS", "POD")
_PLACE = ("A3", "A1")


class PidfError(ValueError):
    """The embedded location cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class PidfLocation:
    """What a PIDF-LO says: a position (may be a sentinel such as 0,0) and/or address text.

    ``problem`` says why a geometry gave no position (bad numbers, not WGS84); "" when none did.
    """

    point: LatLon | None
    address: str
    problem: str = ""


def parse_xml_safely(text: str) -> ET.Element:
    """Parse XML that came from outside; DTDs (the door to entity expansion attacks) are refused."""
    cleaned = (text or "").strip()  # JSON-embedded XML often carries whitespace before <?xml
    if not cleaned:
        raise PidfError("is empty")
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", cleaned, re.IGNORECASE):
        raise PidfError("declares a DTD or entities, which are refused")
    try:
        return ET.fromstring(cleaned)
    except ET.ParseError as exc:
        raise PidfError(f"is not well-formed XML ({exc})") from None


def parse_pidf_lo(text: str) -> PidfLocation:
    """The first usable geometry and the first civic address in a PIDF-LO document.

    PidfError only when the XML itself cannot be read; a geometry with unusable coordinates
    is reported in ``problem`` instead, because a call must never be lost over its position.
    """
    root = parse_xml_safely(text)
    point: LatLon | None = None
    address = problem = ""
    for element in root.iter():
        name = _local(element.tag)
        if name == "civicAddress" and not address:
            address = _civic_text(element)
        elif (name in _CENTRED_SHAPES or name == "Polygon") and point is None:
            try:
                point = _shape_position(element, name)
            except PidfError as exc:
                problem = problem or str(exc)
    return PidfLocation(point=point, address=address, problem="" if point else problem)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _civic_text(element: ET.Element) -> str:
    parts = {_local(child.tag): (child.text or "").strip() for child in element}
    street = " ".join(parts[k] for k in _STREET if parts.get(k))
    place = [parts[k] for k in _PLACE if parts.get(k)]
    if parts.get("PC") and place:
        place[-1] = f"{place[-1]} {parts['PC']}"
    return ", ".join(p for p in (street, *place) if p)


def _shape_position(shape: ET.Element, name: str) -> LatLon:
    lat_first = _lat_first(shape.get("srsName"), name)
    if name == "Polygon":
        points = [_pos(p.text, name, lat_first) for p in shape.iter() if _local(p.tag) == "pos"]
        for pos_list in (p for p in shape.iter() if _local(p.tag) == "posList"):
            numbers = (pos_list.text or "").split()
            pairs = (" ".join(numbers[i:i + 2]) for i in range(0, len(numbers), 2))
            points += [_pos(pair, name, lat_first) for pair in pairs]
        if not points:
            raise PidfError("gml:Polygon has no positions")
        if len(points) > 1 and points[0] == points[-1]:
            points = points[:-1]  # a closed ring repeats its first corner
        # The corner average is inside any convex area a PSAP sends and near enough otherwise.
        count = len(points)
        return LatLon(sum(p.lat for p in points) / count, sum(p.lon for p in points) / count)
    positions = [child for child in shape if _local(child.tag) == "pos"]
    if not positions:
        raise PidfError(f"gml:{name} has no gml:pos")
    return _pos(positions[0].text, name, lat_first)


def _lat_first(srs_name: str | None, shape: str) -> bool:
    if not srs_name or _LAT_LON_CRS.search(srs_name.strip()):
        return True
    if _LON_LAT_CRS.search(srs_name.strip()):
        return False
    raise PidfError(f"gml:{shape} srsName {srs_name!r} is not WGS84 (EPSG 4326 or 4979)")


def _pos(text: str | None, shape: str, lat_first: bool) -> LatLon:
    words = (text or "").split()
    if len(words) < 2:
        raise PidfError(
            f"gml:pos {text!r} in gml:{shape} needs 'lat lon', got {len(words)} number(s)"
        )
    try:
        a, b = float(words[0]), float(words[1])
    except ValueError:
        raise PidfError(f"gml:pos {text!r} in gml:{shape} is not numbers") from None
    lat, lon = (a, b) if lat_first else (b, a)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise PidfError(f"gml:pos {text!r} in gml:{shape} is not finite")
    try:
        return LatLon(lat, lon)
    except ValueError as exc:
        raise PidfError(f"gml:pos {text!r} in gml:{shape}: {exc}") from None
