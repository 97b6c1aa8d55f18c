"""Turning one mapped CSV row or GeoJSON feature's properties into a Camera of the given kind."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from rtcc_desk.adapters.camera_files.osm import parse_camera_direction, view_from_direction
from rtcc_desk.adapters.tabular import (
    LATITUDE_NAMES,
    LONGITUDE_NAMES,
    WKT_NAMES,
    TabularError,
    find_column,
    is_sentinel,
    parse_float,
)
from rtcc_desk.core.cameras import (
    EDGE_MAX_CHANNELS,
    POLE_POSITIONS,
    Camera,
    CameraKind,
    EdgeChannel,
    PoleCamera,
    PrivacyReview,
    RecorderType,
    RegisteredCamera,
    View,
)
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import ImportReport, Rejection, RowError

#: Our field names and the column spellings that are detected when a field is not mapped.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "camera_id", "cameraid", "objectid", "object_id", "fid"),
    "name": ("name", "camera_name", "cameraname", "business_name", "title"),
    "lat": LATITUDE_NAMES,
    "lon": LONGITUDE_NAMES,
    "wkt": WKT_NAMES,
    "bearing": ("bearing", "camera:direction", "direction", "heading", "azimuth"),
    "fov": ("fov", "field_of_view", "view_angle"),
    "range": ("range", "range_m", "view_range"),
    "retention_days": ("retention_days", "retention"),
    "address": ("address", "street_address"),
    "owner": ("owner", "owner_ref", "operator"),
    "pole_id": ("pole_id", "pole"),
    "position": ("position", "position_on_pole", "pole_position"),
    "main_stream_url": ("main_stream_url", "main_stream", "stream_url", "rtsp_url"),
    "sub_stream_url": ("sub_stream_url", "sub_stream"),
    "edge_device_id": ("edge_device_id", "edge_device", "device_id"),
    "channel": ("channel",),
    "recorder_type": ("recorder_type", "recorder"),
    "privacy_review": ("privacy_review", "review_state"),
}
LOCATION_FIELDS = ("lat", "lon", "wkt")
#: Fields a camera of this kind cannot be made without.
REQUIRED_FIELDS = {
    CameraKind.CITY_POLE: ("pole_id", "position"),
    CameraKind.EDGE_CHANNEL: ("edge_device_id", "channel"),
}

_KIND_SPELLINGS = {
    **{k.value: k for k in CameraKind},
    "city": CameraKind.CITY_POLE,
    "pole": CameraKind.CITY_POLE,
    "city_camera": CameraKind.CITY_POLE,
    "pole_camera": CameraKind.CITY_POLE,
    "commercial": CameraKind.BUSINESS,
    "residence": CameraKind.RESIDENTIAL,
    "home": CameraKind.RESIDENTIAL,
    "edge": CameraKind.EDGE_CHANNEL,
}
_RECORDER_SPELLINGS = {
    **{r.value: r for r in RecorderType},
    "doorbell": RecorderType.DOORBELL_CLOUD,
    "cloud": RecorderType.DOORBELL_CLOUD,
    "dvr": RecorderType.DVR_NVR,
    "nvr": RecorderType.DVR_NVR,
    "edge": RecorderType.EDGE_DEVICE,
}


def _spelling(text: str) -> str:
    return re.sub(r"[\s\-/]+", "_", text.strip().lower())


def parse_camera_kind(text: str) -> CameraKind:
    """A camera kind from how a file or a user writes it ("city", "Business", "edge channel")."""
    kind = _KIND_SPELLINGS.get(_spelling(text))
    if kind is None:
        accepted = ", ".join(k.value for k in CameraKind)
        raise ValueError(f"{text!r} is not a camera kind; use one of {accepted}")
    return kind


def resolve_columns(
    header: Sequence[str], columns: Mapping[str, str] | None, *, source: str, locations: bool
) -> dict[str, str]:
    """Our field -> the file's column: mapped fields are checked, the rest detected by name.

    When any of lat, lon, wkt is mapped the other location fields are not detected: mapping
    one says "take the position from here" (e.g. only a WKT column, in a stated axis order).
    """
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(FIELD_NAMES))
    if unknown:
        raise TabularError(f"{source}: unknown field(s) {unknown}; fields are {list(FIELD_NAMES)}")
    if not locations and set(mapping) & set(LOCATION_FIELDS):
        raise TabularError(f"{source}: positions come from each feature's geometry, not a mapping")
    resolved: dict[str, str] = {}
    for field, column in mapping.items():
        found = find_column(header, [column])
        if found is None:
            raise TabularError(
                f"{source}: column {column!r} (for {field}) is not in the file; "
                f"its columns are {list(header)}"
            )
        resolved[field] = found
    skip_location = not locations or any(f in mapping for f in LOCATION_FIELDS)
    for field, names in FIELD_NAMES.items():
        if field in resolved or (skip_location and field in LOCATION_FIELDS):
            continue
        found = find_column(header, names)
        if found is not None and found not in resolved.values():
            resolved[field] = found
    return resolved


class CameraRows:
    """Builds the cameras of one file row by row, collecting every refusal in one report."""

    def __init__(
        self,
        *,
        source: str,
        header: Sequence[str],
        kind: CameraKind | None,
        kind_column: str | None,
        columns: Mapping[str, str] | None,
        id_prefix: str,
        locations: bool,
    ) -> None:
        self.source = source
        self.report: ImportReport[Camera] = ImportReport()
        self.columns = resolve_columns(header, columns, source=source, locations=locations)
        self.kind = kind
        self.kind_column = None
        if kind_column is not None:
            self.kind_column = find_column(header, [kind_column])
            if self.kind_column is None:
                raise TabularError(f"{source}: kind column {kind_column!r} is not in the file")
        elif kind is None:
            raise TabularError(f"{source}: say the camera kind with kind= or a kind column")
        else:
            # A file of one kind that lacks a required column would refuse every row: say so once.
            for field in REQUIRED_FIELDS.get(kind, ()):
                if field not in self.columns:
                    raise TabularError(f"{source}: {kind.value} cameras need a {field} column")
        self.id_prefix = id_prefix
        self._first_row_of: dict[str, int] = {}

    def add(
        self,
        row: int,
        values: Mapping[str, str],
        locate: Callable[[], LatLon | None],
        *,
        location_field: str,
        fallback_id: str | None = None,
    ) -> None:
        """Accept or reject one row; ``locate`` raises RowError for bad coordinates."""
        try:
            camera = self._build(row, values, locate, location_field, fallback_id)
        except RowError as exc:
            self.report.rejected.append(Rejection(self.source, row, exc.field, exc.reason))
            return
        self._first_row_of[camera.camera_id] = row
        self.report.accepted.append(camera)

    def _text(self, values: Mapping[str, str], field: str) -> str:
        column = self.columns.get(field)
        return (values.get(column) or "").strip() if column else ""

    def _field(self, field: str) -> str:
        # Rejections name the file's own column, which is what the user can find and fix.
        return self.columns.get(field, field)

    def _build(
        self,
        row: int,
        values: Mapping[str, str],
        locate: Callable[[], LatLon | None],
        location_field: str,
        fallback_id: str | None,
    ) -> Camera:
        kind = self._kind(values)
        camera_id = self._camera_id(row, values, fallback_id)
        location = locate()
        if location is None:
            raise RowError(location_field, "no coordinates")
        if is_sentinel(location):
            # A camera with no real position can never be found on the map: refuse it.
            raise RowError(
                location_field, f"placeholder coordinates ({location.lat}, {location.lon})"
            )
        camera_type: Callable[..., Camera]
        if kind is CameraKind.CITY_POLE:
            camera_type, own = PoleCamera, {
                "pole_id": self._required(values, "pole_id"),
                "position_on_pole": self._whole(values, "position", POLE_POSITIONS),
                "main_stream_url": self._text(values, "main_stream_url"),
                "sub_stream_url": self._text(values, "sub_stream_url"),
                "privacy_review": self._review(values),
            }
        elif kind is CameraKind.EDGE_CHANNEL:
            camera_type, own = EdgeChannel, {
                "edge_device_id": self._required(values, "edge_device_id"),
                "channel": self._whole(values, "channel", range(1, EDGE_MAX_CHANNELS + 1)),
            }
        else:
            address = self._text(values, "address")
            camera_type, own = RegisteredCamera, {
                "owner_ref": self._text(values, "owner") or address or camera_id,
                "address": address,
                "recorder_type": self._recorder(values),
                "is_business": kind is CameraKind.BUSINESS,
            }
        return camera_type(
            camera_id=camera_id,
            name=self._text(values, "name"),
            location=location,
            retention_days=self._number(values, "retention_days", 0.0, 3650.0),
            # Last, so a direction note is only ever written for a camera that is accepted.
            view=self._view(row, values, kind),
            **own,
        )

    def _kind(self, values: Mapping[str, str]) -> CameraKind:
        if self.kind_column is not None:
            text = (values.get(self.kind_column) or "").strip()
            if text:
                try:
                    return parse_camera_kind(text)
                except ValueError as exc:
                    raise RowError(self.kind_column, str(exc)) from None
            if self.kind is None:
                raise RowError(self.kind_column, "is empty and the file has no default kind")
        assert self.kind is not None  # the constructor refuses a file with no kind at all
        return self.kind

    def _camera_id(self, row: int, values: Mapping[str, str], fallback_id: str | None) -> str:
        if "id" in self.columns:
            raw = self._text(values, "id")
            if not raw:
                raise RowError(self._field("id"), "is empty")
        else:
            raw = fallback_id or str(row)
        # The prefix keeps ids from different files apart ("detroit_...:1" vs "baltimore_...:1").
        camera_id = f"{self.id_prefix}:{raw}" if self.id_prefix else raw
        if camera_id in self._first_row_of:
            first = self._first_row_of[camera_id]
            raise RowError(self._field("id"), f"duplicate id {raw!r}, first seen on row {first}")
        return camera_id

    def _view(self, row: int, values: Mapping[str, str], kind: CameraKind) -> View:
        fov = self._number(values, "fov", 0.0, 360.0)
        range_m = self._number(values, "range", 0.0, 5000.0)
        text = self._text(values, "bearing")
        direction = parse_camera_direction(text) if text else None
        if text and direction is None:
            self.report.notes.append(
                f"{self.source}:{row} [{self._field('bearing')}]: {text!r} is not a direction; "
                "direction unknown"
            )
        return view_from_direction(direction, kind=kind, fov=fov, range_m=range_m)

    def _number(
        self, values: Mapping[str, str], field: str, above: float, at_most: float
    ) -> float | None:
        value = parse_float(self._field(field), self._text(values, field), required=False)
        if value is not None and not above < value <= at_most:
            raise RowError(self._field(field), f"{value:g} is outside ({above:g}, {at_most:g}]")
        return value

    def _required(self, values: Mapping[str, str], field: str) -> str:
        text = self._text(values, field)
        if not text:
            reason = "is empty" if field in self.columns else "no column found or mapped"
            raise RowError(self._field(field), reason)
        return text

    def _whole(self, values: Mapping[str, str], field: str, allowed: Sequence[int]) -> int:
        value = parse_float(self._field(field), self._required(values, field))
        if value is None or not value.is_integer() or int(value) not in allowed:
            choices = ", ".join(str(a) for a in allowed)
            raise RowError(self._field(field), f"{value:g} is not one of {choices}")
        return int(value)

    def _review(self, values: Mapping[str, str]) -> PrivacyReview:
        """A city camera is pending privacy review unless the file says otherwise."""
        text = self._text(values, "privacy_review").lower()
        if not text:
            return PrivacyReview.PENDING
        try:
            return PrivacyReview(text)
        except ValueError:
            allowed = ", ".join(r.value for r in PrivacyReview)
            raise RowError(self._field("privacy_review"), f"{text!r} is not one of: {allowed}") from None

    def _recorder(self, values: Mapping[str, str]) -> RecorderType:
        text = self._text(values, "recorder_type")
        if not text:
            return RecorderType.UNKNOWN
        recorder = _RECORDER_SPELLINGS.get(_spelling(text))
        if recorder is None:
            accepted = ", ".join(r.value for r in RecorderType)
            raise RowError(self._field("recorder_type"), f"{text!r} is not one of {accepted}")
        return recorder
