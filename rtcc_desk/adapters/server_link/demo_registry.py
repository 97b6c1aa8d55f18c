"""Writes the demo's registered and city pole cameras as the seed file `rtcc-server seed-demo
--cameras` reads."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from rtcc_desk.core.cameras import Camera, PoleCamera, RegisteredCamera
from rtcc_desk.core.privacy_review import masks_as_lists

FORMAT, VERSION = "rtcc-demo-registry", 1


def demo_registry_document(cameras: Iterable[Camera]) -> dict:
    """The seed document for the registered cameras among ``cameras`` and the city pole cameras
    (with their privacy review state and masks); edge channels are left out (they enrol
    themselves)."""
    owners: dict[str, dict] = {}
    rows, poles = [], []
    for camera in cameras:
        if isinstance(camera, PoleCamera) and camera.location is not None:
            poles.append(_pole_row(camera))
            continue
        if not isinstance(camera, RegisteredCamera) or camera.withdrawn or camera.location is None:
            continue
        owners.setdefault(camera.owner_ref, {
            "ref": camera.owner_ref, "is_business": camera.is_business, "address": camera.address,
        })
        rows.append({
            "id": camera.camera_id, "owner_ref": camera.owner_ref, "label": camera.name,
            "lat": camera.location.lat, "lon": camera.location.lon,
            "bearing": camera.view.bearing, "fov": camera.view.fov, "range_m": camera.view.range_m,
            "recorder_type": camera.recorder_type.value, "retention_days": camera.retention_days,
        })
    document = {"format": FORMAT, "version": VERSION, "owners": list(owners.values()),
                "cameras": rows}
    if poles:
        document["city_cameras"] = poles
    return document


def _pole_row(camera: PoleCamera) -> dict:
    return {
        "id": camera.camera_id, "pole_id": camera.pole_id, "position": camera.position_on_pole,
        "name": camera.name, "lat": camera.location.lat, "lon": camera.location.lon,
        "bearing": camera.view.bearing, "fov": camera.view.fov, "range_m": camera.view.range_m,
        "retention_days": camera.retention_days, "main_stream_url": camera.main_stream_url,
        "sub_stream_url": camera.sub_stream_url, "masks": masks_as_lists(camera.privacy_masks),
        "withdrawn": camera.withdrawn, "privacy_review": camera.privacy_review.value,
    }


def write_demo_registry(cameras: Iterable[Camera], path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(demo_registry_document(cameras)), encoding="utf-8")
    return path
