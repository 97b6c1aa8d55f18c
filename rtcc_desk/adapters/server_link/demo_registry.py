"""Writes the demo's registered cameras as the seed file `rtcc-server seed-demo --cameras` reads."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from rtcc_desk.core.cameras import Camera, RegisteredCamera

FORMAT, VERSION = "rtcc-demo-registry", 1


def demo_registry_document(cameras: Iterable[Camera]) -> dict:
    """The seed document for the registered cameras among ``cameras`` (others are left out:
    city poles and edge channels are not owner registrations)."""
    owners: dict[str, dict] = {}
    rows = []
    for camera in cameras:
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
    return {"format": FORMAT, "version": VERSION, "owners": list(owners.values()), "cameras": rows}


def write_demo_registry(cameras: Iterable[Camera], path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(demo_registry_document(cameras)), encoding="utf-8")
    return path
