"""Camera importers (CSV, GeoJSON, OpenStreetMap, city pole inventories); refused rows reported."""

from __future__ import annotations

from rtcc_desk.adapters.camera_files.csv_cameras import import_cameras_csv
from rtcc_desk.adapters.camera_files.fields import FIELD_NAMES, parse_camera_kind
from rtcc_desk.adapters.camera_files.formats import detect_camera_file_format
from rtcc_desk.adapters.camera_files.geojson_cameras import import_cameras_geojson
from rtcc_desk.adapters.camera_files.osm import import_osm_cameras
from rtcc_desk.adapters.camera_files.pole_export import (
    write_pole_inventory_csv,
    write_pole_inventory_geojson,
)
from rtcc_desk.adapters.camera_files.poles import import_pole_inventory
from rtcc_desk.adapters.camera_files.views import parse_camera_direction

__all__ = [
    "FIELD_NAMES",
    "detect_camera_file_format",
    "import_cameras_csv",
    "import_cameras_geojson",
    "import_osm_cameras",
    "import_pole_inventory",
    "parse_camera_direction",
    "parse_camera_kind",
    "write_pole_inventory_csv",
    "write_pole_inventory_geojson",
]
