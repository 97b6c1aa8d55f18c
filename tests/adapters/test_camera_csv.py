"""Camera CSV import: the real Detroit and Baltimore files, and a hand-written file of bad rows."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc_desk.adapters.camera_files import import_cameras_csv
from rtcc_desk.adapters.tabular import AxisOrder, TabularError
from rtcc_desk.core.cameras import (
    CameraKind,
    EdgeChannel,
    PoleCamera,
    PrivacyReview,
    RecorderType,
    RegisteredCamera,
)
from rtcc_desk.core.geo import LatLon

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "cameras"
DETROIT = REAL / "detroit_project_green_light_locations.csv"
BALTIMORE = REAL / "baltimore_citiwatch_cctv_locations.csv"


@pytest.fixture
def real() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"the shared real data is not checked out next to the project ({REAL})")
    return REAL


def write(tmp_path: Path, text: str, name: str = "cams.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- Detroit Project Green Light -------------------------------------------------------------


def test_detroit_every_row_imports_as_a_business_camera(real: Path) -> None:
    report = import_cameras_csv(DETROIT, kind=CameraKind.BUSINESS)
    assert (len(report.accepted), len(report.rejected)) == (766, 0)
    assert all(isinstance(c, RegisteredCamera) and c.is_business for c in report.accepted)


def test_detroit_bom_does_not_hide_the_x_column(real: Path) -> None:
    first = import_cameras_csv(DETROIT, kind=CameraKind.BUSINESS).accepted[0]
    # The file starts with a byte-order mark glued to "X"; X is still found as the longitude.
    assert first.location == LatLon(42.401723, -83.199179)
    assert first.camera_id == "detroit_project_green_light_locations:1"
    assert first.name == "Mobil"
    assert first.address == "15510 Fenkell St"


def test_detroit_shared_address_suites_are_distinct_cameras(real: Path) -> None:
    report = import_cameras_csv(DETROIT, kind=CameraKind.BUSINESS)
    gratiot = [c for c in report.accepted if c.address.startswith("15405 Gratiot Ave #")]
    assert [c.address.rsplit("#", 1)[1] for c in gratiot] == [
        "100", "150", "200", "250", "300", "400", "500", "600",
    ]  # fmt: skip
    assert len({c.camera_id for c in gratiot}) == 8
    assert gratiot[0].name == "Little Caesar's Pizza"
    # The quoted address with a comma inside stays one field.
    assert any(c.address == "8701 W Vernor Hwy, Suite 102" for c in report.accepted)


def test_detroit_business_type_is_not_a_camera_kind(real: Path) -> None:
    report = import_cameras_csv(DETROIT, kind_column="business_type")
    # Only "Residential" names one of our kinds; Retail, Services and the rest are refused.
    assert (len(report.accepted), len(report.rejected)) == (120, 646)
    assert {c.kind for c in report.accepted} == {CameraKind.RESIDENTIAL}
    first = report.rejected[0]
    assert (first.row, first.field) == (2, "business_type")
    assert "'Retail'" in first.reason and "residential" in first.reason


# --- Baltimore CitiWatch ---------------------------------------------------------------------


def test_baltimore_explicit_columns_win_over_reversed_wkt(real: Path) -> None:
    report = import_cameras_csv(BALTIMORE, kind_column="RegistrationType")
    assert (len(report.accepted), len(report.rejected)) == (614, 0)
    first = report.accepted[0]
    assert first.location == LatLon(39.310861, -76.640704)
    assert first.camera_id == "baltimore_citiwatch_cctv_locations:277"
    assert first.name == "733 North Ave West - Etting/Whitelock"
    assert first.owner_ref == "BPD - North Ave West"
    assert all(39.0 < c.location.lat < 39.5 for c in report.accepted)


def test_baltimore_wkt_only_needs_the_lat_lon_switch(real: Path) -> None:
    explicit = import_cameras_csv(BALTIMORE, kind=CameraKind.BUSINESS)
    swapped = import_cameras_csv(
        BALTIMORE, kind=CameraKind.BUSINESS, columns={"wkt": "Location"}, axis_order="latlon"
    )
    assert len(swapped.accepted) == 614 and not swapped.rejected
    assert [c.location for c in swapped.accepted] == [c.location for c in explicit.accepted]

    # Read as standard WKT the numbers are still a valid place: in Antarctica, not Baltimore.
    wrong = import_cameras_csv(
        BALTIMORE,
        kind=CameraKind.BUSINESS,
        columns={"wkt": "Location"},
        axis_order=AxisOrder.LON_LAT,
    )
    assert wrong.accepted[0].location == LatLon(-76.640704, 39.310861)


def test_baltimore_as_pole_cameras_is_refused_as_a_whole(real: Path) -> None:
    # CitiWatch lists no pole ids: one clear error instead of 614 identical rejections.
    with pytest.raises(TabularError, match="pole_id"):
        import_cameras_csv(BALTIMORE, kind=CameraKind.CITY_POLE)


# --- a hand-written file of bad rows ---------------------------------------------------------

BAD_ROWS = """\
id,kind,lat,lon,pole_id,position,bearing
c1,city,42.33,-83.04,P-001,1,SE
c2,business,abc,-83.04,,,
c3,business,95,-83.04,,,
c4,residential,42.33,,,,
c5,retail,42.33,-83.04,,,
c6,business,42.34,-83.05,,,
c6,residential,42.35,-83.06,,,
c7,pole,42.36,-83.07,,2,
c8,home,0,0,,,
c9,Residential,42.37,-83.08,,,north-west
"""


def test_each_bad_row_is_reported_and_the_good_ones_imported(tmp_path: Path) -> None:
    path = write(tmp_path, BAD_ROWS, "hand.csv")
    report = import_cameras_csv(path, kind_column="kind", id_prefix="")
    where = [(r.row, r.field) for r in report.rejected]
    assert where == [
        (3, "lat"),  # not a number
        (4, "lat/lon"),  # latitude 95
        (5, "lon"),  # empty
        (6, "kind"),  # unknown kind value
        (8, "id"),  # duplicate
        (9, "pole_id"),  # pole camera without a pole
        (10, "lat/lon"),  # placeholder 0,0
    ]
    reasons = {r.row: r.reason for r in report.rejected}
    assert "'abc' is not a number" in reasons[3]
    assert "95" in reasons[4]
    assert "'retail'" in reasons[6] and "city_pole" in reasons[6]
    assert "first seen on row 7" in reasons[8]
    assert "placeholder" in reasons[10]
    assert all(r.source == str(path) for r in report.rejected)

    assert [c.camera_id for c in report.accepted] == ["c1", "c6", "c9"]
    pole, business, home = report.accepted
    assert isinstance(pole, PoleCamera)
    assert (pole.pole_id, pole.position_on_pole, pole.privacy_review) == (
        "P-001", 1, PrivacyReview.PENDING,
    )  # fmt: skip
    assert (pole.view.bearing, pole.view.fov, pole.view.range_m) == (135.0, 90.0, 150.0)
    assert business.kind is CameraKind.BUSINESS and business.view.direction_unknown
    assert business.view.range_m == 50.0
    assert home.kind is CameraKind.RESIDENTIAL and home.view.bearing == 315.0
    assert home.view.range_m == 30.0


def test_columns_mapped_on_the_command_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Cam No,Northing,Easting,Looks,Width,Reach,Keep,Who,Street,Box,Port\n"
        "A,42.1,-83.1,180,60,80,30,Acme Corp,1 Main St,edge-7,3\n"
        "B,42.2,-83.2,,,,,,,edge-7,4\n",
    )
    columns = {
        "id": "Cam No", "lat": "Northing", "lon": "Easting", "bearing": "Looks", "fov": "Width",
        "range": "Reach", "retention_days": "Keep", "edge_device_id": "Box", "channel": "Port",
    }  # fmt: skip
    edges = import_cameras_csv(path, kind=CameraKind.EDGE_CHANNEL, columns=columns)
    assert not edges.rejected
    a, b = edges.accepted
    assert isinstance(a, EdgeChannel) and (a.edge_device_id, a.channel) == ("edge-7", 3)
    assert a.camera_id == "cams:A"
    assert (a.view.bearing, a.view.fov, a.view.range_m, a.retention_days) == (180.0, 60.0, 80.0, 30)
    assert b.view.direction_unknown and b.view.range_m == 50.0

    business = import_cameras_csv(
        path, kind=CameraKind.BUSINESS, columns={**columns, "owner": "Who", "address": "Street"}
    ).accepted[0]
    assert (business.owner_ref, business.address) == ("Acme Corp", "1 Main St")


def test_registered_camera_fields_and_their_rejections(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "camera_id,latitude,longitude,address,recorder_type,retention_days,fov,direction\n"
        "1,42.1,-83.1,9 Elm St,DVR,14,,\n"
        "2,42.1,-83.1,,doorbell,,,sideways\n"
        "3,42.1,-83.1,,tape,,,\n"
        "4,42.1,-83.1,,,5000,,\n"
        "5,42.1,-83.1,,,,400,90\n"
        ",42.1,-83.1,,,,,\n",
    )
    report = import_cameras_csv(path, kind=CameraKind.RESIDENTIAL)
    first, second = report.accepted
    assert first.owner_ref == "9 Elm St" and first.recorder_type is RecorderType.DVR_NVR
    assert first.retention_days == 14
    # No owner and no address: the camera answers for itself.
    assert second.owner_ref == "cams:2" and second.recorder_type is RecorderType.DOORBELL_CLOUD
    # An unreadable direction is a note, not a refusal: the camera still has a place.
    assert second.view.direction_unknown
    assert report.notes == [
        f"{path}:3 [direction]: 'sideways' is not a direction; direction unknown"
    ]
    assert [(r.row, r.field) for r in report.rejected] == [
        (4, "recorder_type"), (5, "retention_days"), (6, "fov"), (7, "camera_id"),
    ]  # fmt: skip


def test_kind_from_the_file_fills_empty_kind_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "kind,lat,lon\nresidential,42.1,-83.1\n,42.2,-83.2\n")
    report = import_cameras_csv(path, kind=CameraKind.BUSINESS, kind_column="kind")
    assert [c.kind for c in report.accepted] == [CameraKind.RESIDENTIAL, CameraKind.BUSINESS]
    # Row numbers stand in for a missing id column.
    assert [c.camera_id for c in report.accepted] == ["cams:2", "cams:3"]


def test_wkt_point_column_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, 'name,WKT\nGate,"POINT (-83.05 42.33)"\nBad,POINT (1 2 3\n')
    report = import_cameras_csv(path, kind=CameraKind.BUSINESS)
    assert report.accepted[0].location == LatLon(42.33, -83.05)
    assert [(r.row, r.field) for r in report.rejected] == [(3, "WKT")]


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("lat,lon\n42,-83\n", {}, "kind"),
        ("name,address\nA,1 Main\n", {"kind": CameraKind.BUSINESS}, "no coordinate columns"),
        ("lat,lon\n42,-83\n", {"kind": CameraKind.BUSINESS, "columns": {"lat": "lat"}}, "both"),
        ("lat,lon\n42,-83\n", {"kind": CameraKind.BUSINESS, "columns": {"nme": "lat"}}, "unknown"),
        ("lat,lon\n42,-83\n", {"kind": CameraKind.BUSINESS, "columns": {"id": "ref"}}, "'ref'"),
        ("lat,lon\n42,-83\n", {"kind_column": "type"}, "'type'"),
        ("", {"kind": CameraKind.BUSINESS}, "empty"),
    ],
)
def test_unusable_files_raise_one_clear_error(
    tmp_path: Path, text: str, options: dict, message: str
) -> None:
    with pytest.raises(TabularError, match=message):
        import_cameras_csv(write(tmp_path, text), **options)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TabularError, match="cannot open"):
        import_cameras_csv(tmp_path / "nope.csv", kind=CameraKind.BUSINESS)


def test_a_full_circle_needs_a_bearing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id,lat,lon,bearing,fov\n"
        "fisheye,42.1,-83.1,90,360\n"
        "sweep,42.1,-83.1,0-360,\n"
        "four,42.1,-83.1,N;E;S;W,\n"
        "blank,42.1,-83.1,,360\n"
        "lens,42.1,-83.1,,60\n",
    )
    report = import_cameras_csv(path, kind=CameraKind.BUSINESS, id_prefix="")
    views = {c.camera_id: (c.view.bearing, c.view.fov) for c in report.accepted}
    unknown = {c.camera_id for c in report.accepted if c.view.direction_unknown}
    assert unknown == {"blank", "lens"}
    assert views == {
        # A known bearing stays known at 360 degrees: the camera surely sees all round.
        "fisheye": (90.0, 360.0),
        "sweep": (0.0, 360.0),
        "four": (135.0, 360.0),
        # No bearing is an unknown direction, whatever the lens; an export of unknown
        # directions writes an empty bearing with fov 360.
        "blank": (None, 360.0),
        "lens": (None, 360.0),
    }


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "1e999", "nan", "360", "2", "city", "edge", "SE", "95"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)

# Mostly good coordinates, so the rows get past the position checks to the other fields;
# often empty, so that the WKT column is read instead.
coordinate = st.one_of(st.sampled_from(["42.3", "-83.1", ""]), cells)
junk_number = st.one_of(
    st.sampled_from(["-83.1", "42.3", "1e999", "-1e400", "nan", "inf", "1e", ".", "+-", "--1"]),
    st.just("9" * 400),
    st.text(alphabet="0123456789+-.eE", min_size=1, max_size=8),
)
wkt = st.one_of(
    cells,
    st.builds(lambda a, b: f"POINT ({a} {b})", junk_number, junk_number),
    st.builds(lambda a, b: f"({a}, {b})", junk_number, junk_number),
)
HEADER = ["kind", "lat", "lon", "wkt", "bearing", "fov", "range", "retention_days",
          "pole_id", "position", "edge_device_id", "channel"]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(cells, coordinate, coordinate, wkt, *[cells] * 8), min_size=1, max_size=6)
)
def test_any_cell_values_are_rows_reported_never_a_crash(rows: list[tuple[str, ...]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        report = import_cameras_csv(path, kind=CameraKind.BUSINESS, kind_column="kind")
    # Every row is accepted or rejected, none silently dropped; only all-blank rows are skipped.
    data_rows = sum(1 for row in rows if any(cell.strip() for cell in row))
    assert len(report.accepted) + len(report.rejected) == data_rows
