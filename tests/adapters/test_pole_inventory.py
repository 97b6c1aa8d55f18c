"""City pole inventory import: per-pole and per-camera CSV, GeoJSON poles, bad rows, redaction."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from rtcc_desk.adapters.camera_files import (
    import_cameras_csv,
    import_pole_inventory,
    write_pole_inventory_csv,
    write_pole_inventory_geojson,
)
from rtcc_desk.adapters.demo import generate_demo_cameras, write_demo_cameras_csv
from rtcc_desk.adapters.store import load_cameras, open_store, save_cameras
from rtcc_desk.adapters.tabular import TabularError
from rtcc_desk.core.cameras import CameraKind, PoleCamera, PrivacyReview
from rtcc_desk.core.geo import LatLon

DATA = Path(__file__).parent / "data" / "poles"
RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "demo"
#: Passwords and tokens written in the sample files; no message may ever show them.
SECRETS = ("Gr33n!Pole", "Secret2", "Hunter2", "pa55word", "Tk-9f2c")


def texts_of(report) -> list[str]:
    return [str(r) for r in report.rejected] + list(report.notes)


def assert_no_secret(report) -> None:
    for text in texts_of(report):
        for secret in SECRETS:
            assert secret not in text, text


def where(report) -> set[tuple[int | None, str]]:
    return {(r.row, r.field) for r in report.rejected}


# --- one row per pole (a GIS export of the pole layer) --------------------------------------


def test_a_pole_row_gives_three_cameras_with_views_and_both_streams():
    report = import_pole_inventory(DATA / "city_poles.csv")
    first = {c.camera_id: c for c in report.accepted}
    trio = [first[f"CP-0101-{n}"] for n in (1, 2, 3)]
    assert [c.position_on_pole for c in trio] == [1, 2, 3]
    assert [c.view.bearing for c in trio] == [10.0, 130.0, 250.0]
    assert {(c.view.fov, c.view.range_m) for c in trio} == {(80.0, 150.0)}
    assert {c.location for c in trio} == {LatLon(32.4781, -93.7502)}
    assert trio[0].name == "Line Ave & Kings Hwy – camera 1"
    # Credentials are part of the address and kept: the player needs them.
    assert trio[0].main_stream_url == (
        "rtsp://viewer:Gr33n!Pole@10.40.1.11:554/Streaming/Channels/101")
    assert trio[0].sub_stream_url.endswith("/Channels/102")
    assert trio[2].main_stream_url.startswith("https://cam-gw.city.example/")
    # The pole says approved; camera 3's own review column says pending and wins.
    assert [c.privacy_review for c in trio] == [
        PrivacyReview.APPROVED, PrivacyReview.APPROVED, PrivacyReview.PENDING]


def test_bad_cells_refuse_their_camera_or_pole_by_row_and_column_and_the_rest_imports():
    report = import_pole_inventory(DATA / "city_poles.csv")
    assert sorted(c.camera_id for c in report.accepted) == [
        "CP-0101-1", "CP-0101-2", "CP-0101-3", "CP-0102-1", "CP-0104-2", "CP-0105-3"]
    assert where(report) == {
        (3, "CAM2_MAIN_URL"),  # rtmp:// is not a stream the wall plays
        (3, "CAM3_FOV"),  # 0 degrees
        (4, "LATITUDE/LONGITUDE"),  # a pole without a position: refused once, not per camera
        (5, "POLE_ID"),  # empty
        (6, "CAM1_MAIN_URL"),  # port 99999
        (7, "POLE_ID"),  # the same pole twice
        (8, "CAM1_MAIN_URL"),  # a relative path
        (8, "CAM2_MAIN_URL"),  # not a valid address
    }
    assert any("pole CP-0104 has no camera 3" in note for note in report.notes)
    assert "first on row 2" in next(str(r) for r in report.rejected if r.row == 7)
    # The file path and the file:// URL are stream addresses too.
    by_id = {c.camera_id: c for c in report.accepted}
    assert by_id["CP-0102-1"].main_stream_url == "/srv/rtcc/clips/p0102-1.mp4"
    assert by_id["CP-0104-2"].main_stream_url == "file:///srv/rtcc/clips/p0104-2.mp4"


def test_refusals_show_stream_addresses_with_the_password_hidden():
    report = import_pole_inventory(DATA / "city_poles.csv")
    assert_no_secret(report)
    texts = texts_of(report)
    assert any("'rtmp://viewer:***@10.40.2.12/live'" in t for t in texts)
    assert any("'rtsp://admin:***@10.40.4.11:99999/main'" in t for t in texts)
    assert all(str(DATA / "city_poles.csv") in str(r) for r in report.rejected)


def test_a_file_with_neither_pole_ids_nor_camera_groups_is_refused_whole(tmp_path: Path):
    no_pole = tmp_path / "no_pole.csv"
    no_pole.write_text("lat,lon,CAM1_BEARING\n32.5,-93.7,10\n", encoding="utf-8")
    with pytest.raises(TabularError, match="no pole id column"):
        import_pole_inventory(no_pole)
    no_groups = tmp_path / "no_groups.csv"
    no_groups.write_text("pole_id,lat,lon,bearing\nP1,32.5,-93.7,10\n", encoding="utf-8")
    with pytest.raises(TabularError, match="neither camera column groups"):
        import_pole_inventory(no_groups)


# --- one row per camera -----------------------------------------------------------------------


def test_camera_rows_keep_their_ids_and_refuse_a_second_camera_at_one_position():
    report = import_pole_inventory(DATA / "pole_cameras.csv")
    assert [c.camera_id for c in report.accepted] == ["P7-A", "P7-B"]
    assert report.accepted[1].name == "CP-0201 – camera 2"  # no name given
    assert where(report) == {(4, "position"), (5, "position"), (6, "main_stream_url")}
    assert "already has a camera 2 (row 3)" in str(report.rejected[0])
    assert "'udp://op:***@239.0.0.1:1234'" in str(report.rejected[2])
    assert_no_secret(report)


def test_the_general_camera_importer_checks_pole_stream_addresses_the_same_way():
    report = import_cameras_csv(DATA / "pole_cameras.csv", kind=CameraKind.CITY_POLE)
    assert (6, "main_stream_url") in where(report)
    assert_no_secret(report)


# --- GeoJSON ----------------------------------------------------------------------------------


def test_geojson_poles_carry_their_cameras_and_bad_features_are_refused_by_number():
    report = import_pole_inventory(DATA / "poles.geojson")
    assert sorted(c.camera_id for c in report.accepted) == [
        "CP-0301-1", "CP-0301-2", "CP-0304-1", "CP-0304-2", "CP-0304-3",
        "CP-0305-1", "CP-0305-2", "LONE-1"]
    assert where(report) == {
        (1, "cameras[3].main_stream_url"),  # ftp://
        (2, "cameras"),  # not a list
        (3, "geometry"),  # a LineString is no pole
        (4, "cameras[4]"),  # a fourth camera
        (7, "properties"),  # neither a pole nor a pole camera
    }
    by_id = {c.camera_id: c for c in report.accepted}
    assert by_id["CP-0301-1"].location == LatLon(32.4781, -93.7502)
    assert by_id["CP-0301-1"].sub_stream_url == "rtsp://viewer:Gr33n!Pole@10.42.1.11/sub"
    assert by_id["CP-0305-2"].privacy_review is PrivacyReview.APPROVED  # flattened CAM2_…
    assert_no_secret(report)


# --- the demo's 90 poles × 3 --------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_poles() -> list[PoleCamera]:
    return [c for c in generate_demo_cameras(seed=1, registered=0, edge_devices=0)
            if isinstance(c, PoleCamera)]


def check_ninety_poles_of_three(cameras) -> None:
    poles = defaultdict(list)
    for camera in cameras:
        poles[camera.pole_id].append(camera)
    assert len(poles) == 90 and len(cameras) == 270
    assert len({c.camera_id for c in cameras}) == 270
    for trio in poles.values():
        assert sorted(c.position_on_pole for c in trio) == [1, 2, 3]
        assert all(c.main_stream_url and c.sub_stream_url for c in trio)


@pytest.mark.parametrize("name", ["shreveport_poles.csv", "shreveport_poles.geojson"])
def test_the_sample_files_hold_the_demo_inventory_exactly(name, demo_poles):
    report = import_pole_inventory(RESOURCES / name)
    assert report.rejected == [] and report.notes == []
    check_ninety_poles_of_three(report.accepted)
    assert report.accepted == demo_poles


def test_written_inventories_read_back_unchanged(demo_poles, tmp_path: Path):
    for path in (write_pole_inventory_csv(demo_poles, tmp_path / "poles.csv"),
                 write_pole_inventory_geojson(demo_poles, tmp_path / "poles.geojson")):
        assert import_pole_inventory(path).accepted == demo_poles
    assert json.loads((tmp_path / "poles.geojson").read_text())["features"][0]["properties"][
        "pole_id"] == "SPT-P001"


def test_the_demo_camera_csv_gives_its_pole_cameras_and_leaves_the_others_out(tmp_path: Path):
    cameras = generate_demo_cameras(seed=1, registered=40, edge_devices=2)
    report = import_pole_inventory(write_demo_cameras_csv(cameras, tmp_path / "all.csv"))
    check_ninety_poles_of_three(report.accepted)
    assert report.rejected == []
    assert "row(s) of other kinds of camera" in report.notes[0]


# --- the store keeps the addresses ----------------------------------------------------------------


def test_the_store_keeps_stream_addresses_with_their_credentials(database_url: str):
    cameras = import_pole_inventory(DATA / "city_poles.csv").accepted
    sessions = open_store(database_url)
    with sessions() as session:
        save_cameras(session, cameras)
    with sessions() as session:
        stored = {c.camera_id: c for c in load_cameras(session)}
    for camera in cameras:
        assert stored[camera.camera_id].main_stream_url == camera.main_stream_url
        assert stored[camera.camera_id].sub_stream_url == camera.sub_stream_url
        assert stored[camera.camera_id] == camera
