"""Camera GeoJSON import (Points in [lon, lat], properties as columns) and format detection."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc_desk.adapters.camera_files import detect_camera_file_format, import_cameras_geojson
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


def test_a_huge_integer_coordinate_is_a_row_rejection(tmp_path: Path) -> None:
    # json.dumps writes 10**400 as a 401-digit integer literal; float() of it overflows.
    path = write(tmp_path, [point(10**400, 42.0), point(-83.0, -(10**400)), point(-83.0, 42.0)])
    report = import_cameras_geojson(path, kind=CameraKind.BUSINESS)
    assert [c.camera_id for c in report.accepted] == ["poles:3"]
    assert [(r.row, r.field) for r in report.rejected] == [(1, "geometry"), (2, "geometry")]
    assert "too large" in report.rejected[0].reason
    assert len(report.rejected[0].reason) < 120


json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from([42.1, -83.2, 10**400, -(10**400), "42.5", [], {}]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(json_values, max_size=3), min_size=1, max_size=5))
def test_any_coordinate_values_are_rows_reported_never_a_crash(coordinates: list[list]) -> None:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": c}, "properties": {}}
        for c in coordinates
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), features)
        report = import_cameras_geojson(path, kind=CameraKind.BUSINESS)
    assert len(report.accepted) + len(report.rejected) == len(coordinates)


@pytest.mark.parametrize(
    "content", ['{"type": "FeatureCollection", "features": [' + "1" * 5000 + "]}", "[" * 100_000]
)
def test_json_python_cannot_read_is_one_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "x.geojson"
    path.write_text(content)
    with pytest.raises(TabularError, match="x.geojson"):
        import_cameras_geojson(path, kind=CameraKind.BUSINESS)


# --- telling the formats apart -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cams.csv", "lat,lon\n", "csv"),
        ("cams.TXT", "lat,lon\n", "csv"),
        ("cams.geojson", "", "geojson"),  # the name is enough; the importer reads the content
        ("cams.json", '{"type": "FeatureCollection", "features": []}', "geojson"),
        ("cams.JSON", '[{"type": "node", "id": 1}]', "osm"),
        ("cams.json", "[]", "osm"),
        ("cams.json", '{"version": 0.6, "elements": []}', "osm"),
    ],
)
def test_format_from_the_name_and_the_json(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert detect_camera_file_format(path) == expected


def test_geojson_whose_type_comes_after_a_long_features_list(tmp_path: Path) -> None:
    features = [point(-83.0 - i / 1000, 42.0, name=f"camera {i}") for i in range(200)]
    path = tmp_path / "late_type.json"
    # Key order is the writer's choice; here "type" comes after 20 KB of features.
    path.write_text(json.dumps({"features": features, "type": "FeatureCollection"}))
    assert path.stat().st_size > 4096
    assert detect_camera_file_format(path) == "geojson"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.json", '{"type": "Feature", "geometry": null}', "a JSON object with type 'Feature'"),
        ("x.json", '{"name": "cams", "rows": []}', r"keys \['name', 'rows'\]"),
        ("x.json", '{"elements": {"a": 1}}', "elements"),
        ("x.json", "42", "a JSON number"),
        ("x.json", '"cameras"', "a JSON string"),
        ("x.json", "{not json", "not a JSON file"),
        ("x.json", "[" * 100_000, "x.json"),
        ("x.kml", "<kml/>", "cannot tell the format"),
        ("x", "lat,lon\n", "cannot tell the format"),
    ],
)
def test_undetectable_files_name_the_file_and_what_was_found(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(TabularError, match=message) as raised:
        detect_camera_file_format(path)
    assert str(path) in str(raised.value)


def test_detecting_a_missing_json_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TabularError, match="cannot open"):
        detect_camera_file_format(tmp_path / "absent.json")
