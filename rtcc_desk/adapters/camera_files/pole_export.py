"""Writing a pole inventory in the shapes ``import_pole_inventory`` reads (CSV, GeoJSON)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from rtcc_desk.core.cameras import Camera, PoleCamera

#: Columns of a pole row before its camera groups.
POLE_COLUMNS = ("POLE_ID", "NAME", "LATITUDE", "LONGITUDE")
#: Each camera group's columns after its ``CAM<n>_`` prefix.
CAMERA_COLUMNS = ("ID", "NAME", "BEARING", "FOV", "RANGE_M", "RETENTION_DAYS", "MAIN_URL",
                  "SUB_URL", "PRIVACY_REVIEW")


def poles_of(cameras: Iterable[Camera]) -> dict[str, list[PoleCamera]]:
    """Pole id → its cameras by position (other kinds of camera are left out)."""
    poles: dict[str, list[PoleCamera]] = {}
    for camera in cameras:
        if isinstance(camera, PoleCamera):
            poles.setdefault(camera.pole_id, []).append(camera)
    return {p: sorted(c, key=lambda c: c.position_on_pole) for p, c in sorted(poles.items())}


def pole_name(trio: list[PoleCamera]) -> str:
    """What the cameras' names say of the pole ("1200 block Line Ave – looking NE" → the block)."""
    heads = {c.name.split(" – ", 1)[0] for c in trio if c.name}
    return heads.pop() if len(heads) == 1 else trio[0].pole_id


def write_pole_inventory_csv(cameras: Iterable[Camera], path: Path | str) -> Path:
    """One row per pole with ``CAM1_…``–``CAM3_…`` column groups (empty for a missing camera)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = [*POLE_COLUMNS, *(f"CAM{n}_{c}" for n in (1, 2, 3) for c in CAMERA_COLUMNS)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for pole_id, trio in poles_of(cameras).items():
            location = trio[0].location
            row = {"POLE_ID": pole_id, "NAME": pole_name(trio),
                   "LATITUDE": _number(location.lat if location else None),
                   "LONGITUDE": _number(location.lon if location else None)}
            for camera in trio:
                row.update({f"CAM{camera.position_on_pole}_{k}": v
                            for k, v in _camera_cells(camera).items()})
            writer.writerow(row)
    return path


def write_pole_inventory_geojson(cameras: Iterable[Camera], path: Path | str) -> Path:
    """A FeatureCollection of pole Points, each with ``pole_id``, ``name`` and its ``cameras``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    features = []
    for pole_id, trio in poles_of(cameras).items():
        location = trio[0].location
        features.append({
            "type": "Feature",
            "geometry": None if location is None else
            {"type": "Point", "coordinates": [location.lon, location.lat]},
            "properties": {"pole_id": pole_id, "name": pole_name(trio), "cameras": [
                {"camera_id": c.camera_id, "position": c.position_on_pole, "name": c.name,
                 "bearing": c.view.bearing, "fov": c.view.fov, "range_m": c.view.range_m,
                 "retention_days": c.retention_days, "main_stream_url": c.main_stream_url,
                 "sub_stream_url": c.sub_stream_url, "privacy_review": c.privacy_review.value}
                for c in trio]},
        })
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1,
                               ensure_ascii=False), encoding="utf-8")
    return path


def _camera_cells(camera: PoleCamera) -> dict[str, str]:
    return {"ID": camera.camera_id, "NAME": camera.name, "BEARING": _number(camera.view.bearing),
            "FOV": _number(camera.view.fov), "RANGE_M": _number(camera.view.range_m),
            "RETENTION_DAYS": _number(camera.retention_days), "MAIN_URL": camera.main_stream_url,
            "SUB_URL": camera.sub_stream_url, "PRIVACY_REVIEW": camera.privacy_review.value}


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
