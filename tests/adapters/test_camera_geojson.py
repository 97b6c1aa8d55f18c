"""Camera GeoJSON import: Point features in [lon, lat] order, properties mapped like CSV columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rtcc_desk.adapters.camera_files import import_cameras_geojson
from rtcc_desk.adapters.tabular import TabularError
from rtcc_desk.core.cameras import CameraKind, PoleCamera, RegisteredCamera
from rtcc_desk.core.geo import LatLon


def point(lon: float, lat: float, fid: object = None, **props: object) -> dict:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }
    if fid is not None:
        feature["id"] = fid
    return feature


def write(tmp_path: Path, features: list, name: str = "poles.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_points_become_cameras_in_lon_lat_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            point(-83.05, 42.33, camera_id="P1-1", pole="P1", position=1, bearing="NE"),
            point(-83.06, 42.34, camera_id="P1-2", pole="P1", position=2, bearing=200, fov=45),
        ],
    )
    report = import_cameras_geojson(path, kind=CameraKind.CITY_POLE)
    assert not report.rejected
    first, second = report.accepted
    assert isinstance(first, PoleCamera)
    assert first.location == LatLon(42.33, -83.05)
    assert (first.camera_id, first.pole_id, first.position_on_pole) == ("poles:P1-1", "P1", 1)
    assert (first.view.bearing, first.view.fov, first.view.range_m) == (45.0, 90.0, 150.0)
    assert (second.view.bearing, second.view.fov) == (200.0, 45.0)


def test_bad_features_are_rejected_by_index_and_the_rest_kept(tmp_path: Path) -> None:
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[-83, 42], [-83.1, 42.1]]},
        "properties": {},
    }
    nowhere = {"type": "Feature", "geometry": None, "properties": {"name": "lost"}}
    path = write(
        tmp_path,
        [
            point(-83.0, 42.0, name="good one"),
            line,
            nowhere,
            point(42.0, 95.0, name="lat 95"),
            point(0, 0, name="null island"),
            "not a feature",
            point(-83.1, 42.1, kind="edge", name="edge without a box"),
            point(-83.2, 42.2, kind="business", name="good two"),
        ],
    )
    report = import_cameras_geojson(path, kind=CameraKind.RESIDENTIAL, kind_property="kind")
    assert [(r.row, r.field) for r in report.rejected] == [
        (2, "geometry"), (3, "geometry"), (4, "geometry"), (5, "geometry"), (6, "type"),
        (7, "edge_device_id"),
    ]  # fmt: skip
    reasons = [r.reason for r in report.rejected]
    assert "'LineString' is not a Point" in reasons[0]
    assert "placeholder" in reasons[3]
    assert [(c.name, c.kind) for c in report.accepted] == [
        ("good one", CameraKind.RESIDENTIAL), ("good two", CameraKind.BUSINESS),
    ]  # fmt: skip


def test_ids_from_property_then_feature_id_then_index(tmp_path: Path) -> None:
    with_property = write(tmp_path, [point(-83, 42, ref="A"), point(-83, 42, ref="A")], "a.json")
    mapped = import_cameras_geojson(
        with_property, kind=CameraKind.BUSINESS, properties={"id": "ref"}
    )
    assert [c.camera_id for c in mapped.accepted] == ["a:A"]
    assert [(r.row, r.field) for r in mapped.rejected] == [(2, "ref")]
    assert "first seen on row 1" in mapped.rejected[0].reason

    bare = write(tmp_path, [point(-83, 42, fid=17), point(-83, 42)], "b.json")
    report = import_cameras_geojson(bare, kind=CameraKind.BUSINESS, id_prefix="reg")
    assert [c.camera_id for c in report.accepted] == ["reg:17", "reg:2"]


def test_property_values_of_any_json_type(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [point(-83, 42, owner="Corner Shop", retention_days=30, bearing=None, address="1 Main")],
    )
    (camera,) = import_cameras_geojson(path, kind=CameraKind.BUSINESS).accepted
    assert isinstance(camera, RegisteredCamera)
    assert camera.owner_ref == "Corner Shop" and camera.address == "1 Main"
    assert camera.retention_days == 30
    assert camera.view.direction_unknown


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ('{"type": "Feature"}', {"kind": CameraKind.BUSINESS}, "FeatureCollection"),
        ("[1, 2", {"kind": CameraKind.BUSINESS}, "not a JSON"),
        ('{"type": "FeatureCollection", "features": []}', {}, "kind"),
        (
            '{"type": "FeatureCollection", "features": []}',
            {"kind": CameraKind.BUSINESS, "properties": {"lat": "y"}},
            "geometry",
        ),
    ],
)
def test_unusable_files_raise_one_clear_error(
    tmp_path: Path, content: str, options: dict, message: str
) -> None:
    path = tmp_path / "x.geojson"
    path.write_text(content)
    with pytest.raises(TabularError, match=message):
        import_cameras_geojson(path, **options)
