"""City pole inventories: a CSV or GeoJSON of poles, each carrying up to three cameras.

Three shapes are read, decided per file (CSV) or per feature (GeoJSON):

* **one row per pole** — what a GIS export of the pole layer looks like: the pole's own
  columns (``POLE_ID``, ``LAT``/``LON`` or a WKT, ``NAME``, ...) and one column group per
  camera, ``CAM1_BEARING``, ``CAM1_FOV``, ``CAM1_RANGE``, ``CAM1_MAIN_URL``, ``CAM1_SUB_URL``
  … ``CAM3_…`` (``CAMERA2_…``, ``Cam 3 bearing`` also work). A camera's position is its
  group number. A group left wholly empty is a camera not installed (noted, not refused).
* **one row per camera** — a related-table export or the demo CSV: ``pole_id``,
  ``position`` (1-3) and the camera's own columns on each row.
* **GeoJSON** — a pole Point feature whose properties hold ``pole_id`` and a ``cameras``
  list of objects (``position``, ``bearing``, ``fov``, ``range``, ``main_stream_url``,
  ``sub_stream_url``…); flattened ``CAM1_…`` properties and one Point per camera work too.

Camera ids are the file's camera id column when it has one (``camera_id``, ``CAM1_ID``),
else ``<pole id>-<position>`` ("SPT-P001-2"): the city's pole ids are stable across exports,
so a re-import updates the same cameras. Stream addresses are checked and may carry
credentials; every refusal shows them with the password hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from rtcc_desk.adapters.camera_files.csv_cameras import _location_columns
from rtcc_desk.adapters.camera_files.fields import FIELD_NAMES, parse_camera_kind, resolve_columns
from rtcc_desk.adapters.camera_files.formats import detect_camera_file_format
from rtcc_desk.adapters.camera_files.geojson_cameras import _features, _point, _property_texts
from rtcc_desk.adapters.camera_files.rows import CameraRows
from rtcc_desk.adapters.tabular import (
    AxisOrder,
    TabularError,
    find_column,
    is_sentinel,
    location_from_row,
    open_csv,
)
from rtcc_desk.core.cameras import Camera, CameraKind
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import ImportReport, Rejection, RowError

#: ``CAM1_BEARING``, ``camera2 main url``, ``Cam-3_FOV``: group number, then the field.
CAMERA_GROUP = re.compile(r"^cam(?:era)?[\s_\-]?([1-3])[\s_\-]+(.+)$", re.IGNORECASE)
#: What a camera column group (or a GeoJSON camera object) may say about its camera.
CAMERA_FIELDS = ("id", "name", "bearing", "fov", "range", "main_stream_url", "sub_stream_url",
                 "privacy_review", "retention_days", "position")
#: The pole's own fields; its cameras share them (a camera's own value wins).
POLE_FIELDS = ("pole_id", "name", "lat", "lon", "wkt", "retention_days", "privacy_review")
#: Only these spellings give a camera id: a generic OBJECTID or FID numbers the export's rows.
CAMERA_ID_NAMES = ("camera_id", "cameraid", "cam_id")
#: Spellings of the pole's own name besides ``name``.
POLE_NAME_NAMES = ("pole_name", "site_name", "location_name", "site", "intersection")
#: A mixed camera file (the demo CSV) says each row's kind here; other kinds are left out.
KIND_NAMES = ("kind", "camera_kind")
# Keys the importer adds to a row's values; never shown in a refusal (their values are valid).
_POSITION, _NAME = "\x00position", "\x00name"


def import_pole_inventory(
    path: Path, *, id_prefix: str = "", axis_order: AxisOrder = AxisOrder.LON_LAT
) -> ImportReport[Camera]:
    """The pole cameras of a CSV or GeoJSON pole file; TabularError when the file is unusable.

    Every refused camera or pole is reported with the file, row (CSV line as a spreadsheet
    numbers it; GeoJSON feature number) and the file's own column; good rows still import.
    """
    path = Path(path)
    fmt = detect_camera_file_format(path)
    if fmt == "csv":
        return _import_csv(path, id_prefix, AxisOrder(axis_order))
    if fmt == "geojson":
        return _import_geojson(path, id_prefix)
    raise TabularError(f"{path}: an OpenStreetMap file has no city pole inventory")


class PoleRows:
    """Turns pole rows into PoleCameras through ``CameraRows``, one column mapping per camera."""

    def __init__(self, source: str, id_prefix: str) -> None:
        self.source = source
        self.id_prefix = id_prefix
        self.report: ImportReport[Camera] = ImportReport()
        self._first: CameraRows | None = None
        self._builders: dict[tuple, CameraRows] = {}
        self._position_row: dict[tuple[str, int], int] = {}
        self._pole_row: dict[str, int] = {}
        self.other_kinds = 0  # rows of a mixed camera file that are not city cameras

    def add_pole(self, row: int, values: Mapping[str, str], pole: Mapping[str, str],
                 groups: Mapping[int, Mapping[str, str]], locate: Callable[[], LatLon | None],
                 location_field: str) -> None:
        """One pole with its camera groups (position → field → key in ``values``)."""
        pole_id = (values.get(pole.get("pole_id", "")) or "").strip()
        if not pole_id:
            reason = "is empty" if "pole_id" in pole else "no pole id column found"
            self._reject(row, pole.get("pole_id", "pole_id"), reason)
            return
        if pole_id in self._pole_row:
            self._reject(row, pole["pole_id"], f"pole {pole_id} is listed twice "
                                               f"(first on row {self._pole_row[pole_id]})")
            return
        try:
            location = _checked(locate(), location_field)
        except RowError as exc:
            self._reject(row, exc.field, exc.reason)  # once for the pole, not once per camera
            return
        self._pole_row[pole_id] = row
        pole_name = (values.get(pole.get("name", "")) or "").strip() or pole_id
        for position, group in sorted(groups.items()):
            if not any((values.get(key) or "").strip() for key in group.values()):
                self.report.notes.append(f"{self.source}:{row}: pole {pole_id} has no camera "
                                         f"{position} (its columns are empty)")
                continue
            own = {**values, _POSITION: str(position),
                   _NAME: (values.get(group.get("name", "")) or "").strip()
                   or f"{pole_name} – camera {position}"}
            # A camera's own cell wins over the pole's; an empty one leaves the pole's value.
            mapping = {**{f: k for f, k in pole.items() if f != "name"},
                       **{f: k for f, k in group.items()
                          if f not in pole or (values.get(k) or "").strip()},
                       "name": _NAME, "position": group.get("position", _POSITION)}
            self._add(row, own, mapping, lambda: location, location_field)

    def add_camera(self, row: int, values: Mapping[str, str], mapping: Mapping[str, str],
                   locate: Callable[[], LatLon | None], location_field: str) -> None:
        """One camera row (pole id and position on the row itself)."""
        pole_id = (values.get(mapping["pole_id"]) or "").strip()
        position = _whole_text(values.get(mapping["position"]) or "")
        name = (values.get(mapping.get("name", "")) or "").strip()
        own = {**values, _NAME: name or f"{pole_id} – camera {position}"}
        self._add(row, own, {**mapping, "name": _NAME}, locate, location_field)

    def _add(self, row: int, values: Mapping[str, str], mapping: Mapping[str, str],
             locate: Callable[[], LatLon | None], location_field: str) -> None:
        pole_id = (values.get(mapping.get("pole_id", "")) or "").strip()
        position = _whole_text(values.get(mapping.get("position", "")) or "")
        key = (pole_id, int(position)) if position.isdigit() else None
        if key in self._position_row:
            first = self._position_row[key]
            # A position the importer supplied (a CAM<n>_ group) is not a column to point at.
            column = mapping["position"] if mapping["position"] != _POSITION else mapping["pole_id"]
            self._reject(row, column,
                         f"pole {pole_id} already has a camera {position} (row {first})")
            return
        accepted = len(self.report.accepted)
        fallback = f"{pole_id}-{position}" if pole_id and position else None
        self._builder(mapping).add(row, values, locate, location_field=location_field,
                                   fallback_id=fallback)
        if key is not None and len(self.report.accepted) > accepted:
            self._position_row[key] = row

    def _builder(self, mapping: Mapping[str, str]) -> CameraRows:
        cache_key = tuple(sorted(mapping.items()))
        builder = self._builders.get(cache_key)
        if builder is None:
            # The header is exactly the mapped keys: nothing else in the row is guessed at.
            builder = CameraRows(source=self.source, header=list(mapping.values()),
                                 kind=CameraKind.CITY_POLE, kind_column=None, columns=mapping,
                                 id_prefix=self.id_prefix, locations=True, shared_with=self._first)
            builder.report = self.report
            self._first = self._first or builder
            self._builders[cache_key] = builder
        return builder

    def _reject(self, row: int, field: str, reason: str) -> None:
        self.report.rejected.append(Rejection(self.source, row, field, reason))


# ----- CSV ----------------------------------------------------------------------------------


def _import_csv(path: Path, id_prefix: str, axis_order: AxisOrder) -> ImportReport[Camera]:
    source = str(path)
    poles = PoleRows(source, id_prefix)
    with open_csv(path) as (header, rows):
        groups = camera_groups(header)
        grouped = {key for group in groups.values() for key in group.values()}
        plain = [h for h in header if h not in grouped and not CAMERA_GROUP.match(h)]
        columns = _own_columns(plain, source, POLE_FIELDS if groups else FIELD_NAMES)
        lat, lon, wkt = _location_columns(columns, source, header)
        location_field = "/".join(c for c in (lat, lon, wkt) if c)
        if "pole_id" not in columns:
            raise TabularError(f"{source}: no pole id column (pole_id); its columns are {header}")
        if not groups and "position" not in columns:
            raise TabularError(
                f"{source}: neither camera column groups (CAM1_BEARING, CAM1_MAIN_URL, ...) nor "
                f"a position column; its columns are {header}"
            )
        kind_column = find_column(plain, KIND_NAMES)
        for row, values in rows:
            if "__error__" in values:
                poles.report.rejected.append(
                    Rejection(source, row, "", f"the line cannot be read: {values['__error__']}"))
                continue
            if kind_column and not _is_city_camera(values.get(kind_column, "")):
                poles.other_kinds += 1
                continue

            def locate(values=values) -> LatLon | None:
                return location_from_row(values, lat_column=lat, lon_column=lon, wkt_column=wkt,
                                         axis_order=axis_order)

            if groups:
                poles.add_pole(row, values, columns, groups, locate, location_field)
            else:
                poles.add_camera(row, values, columns, locate, location_field)
    if poles.other_kinds:
        poles.report.notes.append(f"{source}: {poles.other_kinds} row(s) of other kinds of "
                                  f"camera (column {kind_column}) left out: not city cameras")
    return poles.report


def _is_city_camera(text: str) -> bool:
    try:
        return not text.strip() or parse_camera_kind(text) is CameraKind.CITY_POLE
    except ValueError:
        return True  # an unreadable kind is the pole importer's to refuse on the pole's columns


def camera_groups(keys: list[str]) -> dict[int, dict[str, str]]:
    """Position → our field → the file's column, for ``CAM<n>_<field>`` columns we know."""
    by_position: dict[int, dict[str, str]] = {}
    for key in keys:
        match = CAMERA_GROUP.match(key.strip())
        if not match:
            continue
        field = _field_called(match.group(2), CAMERA_FIELDS)
        if field is not None:
            by_position.setdefault(int(match.group(1)), {}).setdefault(field, key)
    return by_position


def _field_called(name: str, fields: tuple[str, ...]) -> str | None:
    for field in fields:
        spellings = CAMERA_ID_NAMES + ("id",) if field == "id" else FIELD_NAMES[field]
        if find_column([name], spellings) is not None:
            return field
    return None


def _own_columns(header: list[str], source: str, fields) -> dict[str, str]:
    """Our field → column among ``header``, limited to ``fields``; ids only from camera-id names."""
    columns = {f: c for f, c in resolve_columns(header, None, source=source, locations=True).items()
               if f in fields}
    if "id" in columns and find_column([columns["id"]], CAMERA_ID_NAMES) is None:
        del columns["id"]
    if "pole_id" in fields and "name" not in columns:
        # GIS layers name a pole's place in their own words (SITE_NAME, LOCATION_NAME).
        name = find_column([h for h in header if h not in columns.values()], POLE_NAME_NAMES)
        if name is not None:
            columns["name"] = name
    return columns


# ----- GeoJSON ------------------------------------------------------------------------------


def _import_geojson(path: Path, id_prefix: str) -> ImportReport[Camera]:
    source = str(path)
    poles = PoleRows(source, id_prefix)
    for index, feature in enumerate(_features(path), 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            poles.report.rejected.append(Rejection(source, index, "type", "not a Feature"))
            continue
        props = feature.get("properties")
        values = _property_texts(feature)

        def locate(geometry=feature.get("geometry")) -> LatLon:
            return _point(geometry)

        nested = props.get("cameras") if isinstance(props, dict) else None
        if "cameras" in values and not isinstance(nested, list):
            poles.report.rejected.append(
                Rejection(source, index, "cameras", "is not a list of camera objects"))
            continue
        plain = [k for k in values if k != "cameras" and not CAMERA_GROUP.match(k)]
        if nested is not None:
            groups = _nested_groups(nested, values, source, index, poles.report)
            poles.add_pole(index, values, _own_columns(plain, source, POLE_FIELDS), groups,
                           locate, "geometry")
        elif groups := camera_groups(list(values)):
            poles.add_pole(index, values, _own_columns(plain, source, POLE_FIELDS), groups,
                           locate, "geometry")
        else:
            columns = _own_columns(plain, source, FIELD_NAMES)
            missing = [f for f in ("pole_id", "position") if f not in columns]
            if missing:
                poles.report.rejected.append(Rejection(
                    source, index, "properties", f"no cameras list, no CAM1_… properties and no "
                    f"{' or '.join(missing)}: not a pole or a pole camera"))
                continue
            poles.add_camera(index, values, columns, locate, "geometry")
    return poles.report


def _nested_groups(cameras: list, values: dict[str, str], source: str, row: int,
                   report: ImportReport) -> dict[int, dict[str, str]]:
    """Flatten a feature's ``cameras`` list into ``values`` (keys ``cameras[2].bearing``)."""
    groups: dict[int, dict[str, str]] = {}
    for number, camera in enumerate(cameras, 1):
        if not isinstance(camera, dict):
            report.rejected.append(Rejection(source, row, f"cameras[{number}]", "is not an object"))
            continue
        texts = _property_texts({"properties": camera})
        group: dict[str, str] = {}
        for name, text in texts.items():
            field = _field_called(name, CAMERA_FIELDS)
            if field is not None and field not in group:
                key = f"cameras[{number}].{name}"
                values[key] = text
                group[field] = key
        if "position" not in group:
            if number > 3 or number in groups:
                report.rejected.append(Rejection(source, row, f"cameras[{number}]",
                                                 "no position, and a pole has cameras 1-3 only"))
            else:
                groups[number] = group
            continue
        position = _whole_text(values[group["position"]])
        if position.isdigit() and int(position) in (1, 2, 3) and int(position) not in groups:
            groups[int(position)] = group
        else:
            # Refused by CameraRows (bad position) or as a second camera at that position,
            # naming this camera's own position property; kept apart from the valid ones.
            groups[100 + number] = group
    return groups


# ----- helpers ------------------------------------------------------------------------------


def _checked(location: LatLon | None, field: str) -> LatLon:
    if location is None:
        raise RowError(field, "no coordinates")
    if is_sentinel(location):
        raise RowError(field, f"placeholder coordinates ({location.lat}, {location.lon})")
    return location


def _whole_text(text: str) -> str:
    """"2", "2.0" and " 2 " alike as "2"; anything else as written (and refused later)."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else text
