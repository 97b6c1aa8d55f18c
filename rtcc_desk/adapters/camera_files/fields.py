"""Our camera field names, the spellings files use for them and for kinds, and header mapping."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rtcc_desk.adapters.tabular import (
    LATITUDE_NAMES,
    LONGITUDE_NAMES,
    WKT_NAMES,
    TabularError,
    find_column,
)
from rtcc_desk.core.cameras import CameraKind, RecorderType

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
    "main_stream_url": ("main_stream_url", "main_stream", "main_url", "stream_url", "rtsp_url"),
    "sub_stream_url": ("sub_stream_url", "sub_stream", "sub_url"),
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


def parse_recorder_type(text: str) -> RecorderType:
    """A recorder type from how a file writes it ("DVR", "doorbell", "edge device")."""
    recorder = _RECORDER_SPELLINGS.get(_spelling(text))
    if recorder is None:
        accepted = ", ".join(r.value for r in RecorderType)
        raise ValueError(f"{text!r} is not one of {accepted}")
    return recorder
