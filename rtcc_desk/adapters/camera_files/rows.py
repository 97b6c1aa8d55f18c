"""Turning one mapped CSV row or GeoJSON feature's properties into a Camera, or a refusal."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rtcc_desk.adapters.camera_files.fields import (
    REQUIRED_FIELDS,
    parse_camera_kind,
    parse_recorder_type,
    resolve_columns,
)
from rtcc_desk.adapters.camera_files.views import parse_camera_direction, view_from_direction
from rtcc_desk.adapters.tabular import TabularError, find_column, is_sentinel, parse_float
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
from rtcc_desk.core.wall.stream_urls import check_stream_url


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
        shared_with: CameraRows | None = None,
    ) -> None:
        """``shared_with``: another builder of the same file whose report and ids this one adds to
        (a pole file builds each camera of a row with its own columns)."""
        self.source = source
        self.report: ImportReport[Camera] = shared_with.report if shared_with else ImportReport()
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
        self._first_row_of: dict[str, int] = shared_with._first_row_of if shared_with else {}

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
                "main_stream_url": self._stream_url(values, "main_stream_url"),
                "sub_stream_url": self._stream_url(values, "sub_stream_url"),
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

    def _stream_url(self, values: Mapping[str, str], field: str) -> str:
        """A checked stream address, or "" when the cell is empty (no stream known yet)."""
        text = self._text(values, field)
        if not text:
            return ""
        try:
            return check_stream_url(text)
        except ValueError as exc:
            # The reason shows the address with its password hidden (check_stream_url does that).
            raise RowError(self._field(field), str(exc)) from None

    def _review(self, values: Mapping[str, str]) -> PrivacyReview:
        """A city camera is pending privacy review unless the file says otherwise."""
        text = self._text(values, "privacy_review").lower()
        if not text:
            return PrivacyReview.PENDING
        try:
            return PrivacyReview(text)
        except ValueError:
            allowed = ", ".join(r.value for r in PrivacyReview)
            reason = f"{text!r} is not one of: {allowed}"
            raise RowError(self._field("privacy_review"), reason) from None

    def _recorder(self, values: Mapping[str, str]) -> RecorderType:
        text = self._text(values, "recorder_type")
        if not text:
            return RecorderType.UNKNOWN
        try:
            return parse_recorder_type(text)
        except ValueError as exc:
            raise RowError(self._field("recorder_type"), str(exc)) from None
