"""Shared reading of CSV files and coordinate text, used by every camera and call importer."""

from __future__ import annotations

import csv
import enum
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import RowError

#: Common spellings of coordinate columns, most specific first (compared case-insensitively).
LATITUDE_NAMES = ("latitude", "lat", "y", "blurred_latitude", "point_y")
LONGITUDE_NAMES = ("longitude", "lon", "lng", "long", "x", "blurred_longitude", "point_x")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "location", "point")


class AxisOrder(enum.StrEnum):
    """Order of numbers inside a WKT ``POINT``: standard WKT is (lon lat); some exports swap it."""

    LON_LAT = "lonlat"
    LAT_LON = "latlon"


class TabularError(Exception):
    """A whole file is unusable (missing, unreadable, no header, no coordinate columns)."""


@contextmanager
def open_csv(path: Path) -> Iterator[tuple[list[str], Iterator[tuple[int, dict[str, str]]]]]:
    """Open a CSV (UTF-8, byte-order mark tolerated) and yield its header and numbered rows.

    Row numbers are file line numbers as a spreadsheet shows them: the header is row 1.
    A row with bytes that are not UTF-8 comes back as ``{"__error__": reason}`` so that the
    importer rejects that row alone; every other row still arrives.
    """
    try:
        handle = open(path, newline="", encoding="utf-8-sig", errors="surrogateescape")
    except OSError as exc:
        raise TabularError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise TabularError(f"{path}: the file is empty (no header row)") from None
        except csv.Error as exc:
            raise TabularError(f"{path}: cannot read the header: {exc}") from None
        if any(_UNDECODABLE.search(h) for h in header):
            raise TabularError(f"{path}: the header is not UTF-8 text (save the file as UTF-8)")
        yield header, _numbered_rows(reader, header)


#: Bytes that were not UTF-8 come back from "surrogateescape" decoding as lone surrogates.
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _numbered_rows(reader, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    row = 1  # the header; a quoted cell with line breaks is still one row, as in a spreadsheet
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            yield row, {"__error__": f"unreadable CSV row: {exc}"}
            continue
        row += 1
        if not any(v.strip() for v in values):
            continue  # blank line, nothing to import or reject
        if any(_UNDECODABLE.search(v) for v in values):
            yield row, {"__error__": "row is not UTF-8 text (save the file as UTF-8)"}
            continue
        yield row, dict(zip(header, (v.strip() for v in values), strict=False))


def read_table(path: Path, *, required: Sequence[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """A small reference CSV (rules, vocabularies, code lists) read whole, rows numbered by line.

    Lines starting with ``#`` are comments, so a rules file can keep its reasoning beside
    the rules. Raises TabularError for an unreadable file or a missing required column.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            lines = list(enumerate(handle, start=1))
    except (OSError, UnicodeDecodeError) as exc:
        raise TabularError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    kept = [(n, text) for n, text in lines if text.strip() and not text.lstrip().startswith("#")]
    try:
        parsed = list(csv.reader(text for _, text in kept))
    except csv.Error as exc:
        raise TabularError(f"{path}: not a readable CSV: {exc}") from None
    if not parsed:
        raise TabularError(f"{path}: no header row")
    header = [h.strip() for h in parsed[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise TabularError(f"{path}: missing column(s) {', '.join(missing)}")
    return [
        (line, dict(zip(header, values, strict=False)))
        for (line, _), values in zip(kept[1:], parsed[1:], strict=True)
    ]


def find_column(header: Sequence[str], candidates: Iterable[str]) -> str | None:
    """The first header (case-insensitive, spaces and underscores alike) matching a candidate."""
    normalised = {_norm(h): h for h in header}
    for name in candidates:
        if _norm(name) in normalised:
            return normalised[_norm(name)]
    return None


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", name.strip().lower())


def parse_float(field: str, text: str | None, *, required: bool = True) -> float | None:
    """A finite decimal number, or a RowError naming the field."""
    if text is None or not text.strip():
        if required:
            raise RowError(field, "no value given")
        return None
    try:
        value = float(text.strip())
    except ValueError:
        raise RowError(field, f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise RowError(field, f"{text!r} is not a finite number")
    return value


_WKT_POINT = re.compile(
    r"^\s*POINT\s*(?:Z\s*|M\s*|ZM\s*)?\(\s*([-+0-9.eE]+)[\s,]+([-+0-9.eE]+)(?:\s+[-+0-9.eE]+)*\s*\)\s*$",
    re.IGNORECASE,
)
_PAIR = re.compile(r"^\s*\(?\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\)?\s*$")


def parse_wkt_point(field: str, text: str, axis_order: AxisOrder = AxisOrder.LON_LAT) -> LatLon:
    """``POINT (lon lat)`` (or ``POINT (lat lon)`` with the explicit switch) to a position."""
    match = _WKT_POINT.match(text or "")
    if not match:
        raise RowError(field, f"{text!r} is not a WKT POINT")
    a, b = _number(field, match.group(1), text), _number(field, match.group(2), text)
    lat, lon = (b, a) if AxisOrder(axis_order) is AxisOrder.LON_LAT else (a, b)
    return make_latlon(field, lat, lon)


def parse_latlon_pair(field: str, text: str) -> LatLon:
    """A ``(lat, lon)`` or ``lat, lon`` string, as many CAD exports write an incident location."""
    match = _PAIR.match(text or "")
    if not match:
        raise RowError(field, f"{text!r} is not a '(lat, lon)' pair")
    lat, lon = _number(field, match.group(1), text), _number(field, match.group(2), text)
    return make_latlon(field, lat, lon)


def _number(field: str, part: str, text: str) -> float:
    try:
        value = float(part)
    except ValueError:
        raise RowError(field, f"{text!r}: {part!r} is not a number") from None
    if not math.isfinite(value):
        raise RowError(field, f"{text!r}: {part!r} is not a finite number")
    return value


def make_latlon(field: str, lat: float, lon: float) -> LatLon:
    """A checked position; a RowError naming the field when it is impossible."""
    try:
        return LatLon(lat, lon)
    except ValueError as exc:
        raise RowError(field, str(exc)) from None


def is_sentinel(point: LatLon) -> bool:
    """Placeholder coordinates that CAD systems write for "no location" (0,0 and the like)."""
    return abs(point.lat) < 1e-6 or abs(point.lon) < 1e-6


def location_from_row(
    row: Mapping[str, str],
    *,
    lat_column: str | None,
    lon_column: str | None,
    wkt_column: str | None,
    axis_order: AxisOrder = AxisOrder.LON_LAT,
) -> LatLon | None:
    """Position from explicit lat/lon columns when present and filled, else from WKT.

    Explicit columns win: exports such as Baltimore's write a WKT column in the wrong order
    while their numeric columns are right.
    """
    lat_text = row.get(lat_column, "") if lat_column else ""
    lon_text = row.get(lon_column, "") if lon_column else ""
    if lat_text.strip() or lon_text.strip():
        lat = parse_float(lat_column or "latitude", lat_text)
        lon = parse_float(lon_column or "longitude", lon_text)
        return make_latlon(f"{lat_column}/{lon_column}", lat, lon)
    if wkt_column and row.get(wkt_column, "").strip():
        text = row[wkt_column]
        if _PAIR.match(text):
            return parse_latlon_pair(wkt_column, text)
        return parse_wkt_point(wkt_column, text, axis_order)
    return None
