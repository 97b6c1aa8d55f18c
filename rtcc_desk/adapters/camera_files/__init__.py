"""Camera importers for CSV, GeoJSON and OpenStreetMap files; every refused row is reported."""

from __future__ import annotations

from rtcc_desk.adapters.camera_files.csv_cameras import import_cameras_csv
from rtcc_desk.adapters.camera_files.fields import FIELD_NAMES, parse_camera_kind
from rtcc_desk.adapters.camera_files.formats import detect_camera_file_format
from rtcc_desk.adapters.camera_files.geojson_cameras import import_cameras_geojson
from rtcc_desk.adapters.camera_files.osm import import_osm_cameras
from rtcc_desk.adapters.camera_files.views import parse_camera_direction

__all__ = [
    "FIELD_NAMES",
    "detect_camera_file_format",
    "import_cameras_csv",
    "import_cameras_geojson",
    "import_osm_cameras",
    "parse_camera_direction",
    "parse_camera_kind",
]
