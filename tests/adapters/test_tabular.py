"""CSV reading and coordinate text: one bad row never costs the rows around it."""

from __future__ import annotations

import gc

import pytest

from rtcc_desk.adapters.camera_files import import_cameras_csv
from rtcc_desk.adapters.tabular import (
    AxisOrder,
    TabularError,
    open_csv,
    parse_latlon_pair,
    parse_wkt_point,
)
from rtcc_desk.core.cameras import CameraKind
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import RowError


def test_a_non_utf8_byte_rejects_only_its_row(tmp_path):
    path = tmp_path / "cams.csv"
    rows = [f"{i},32.5{i:03d},-93.75".encode() for i in range(2000)]
    rows[999] = b"999,32.5999,-93.75,caf\xe9"  # Latin-1 e-acute in the middle of a UTF-8 file
    path.write_bytes(b"id,lat,lon,name\n" + b"\n".join(rows) + b"\n")
    report = import_cameras_csv(path, kind=CameraKind.BUSINESS)
    assert len(report.accepted) == 1999
    (rejection,) = report.rejected
    assert rejection.row == 1001  # header is row 1, so the 1000th data row is row 1001
    assert "UTF-8" in rejection.reason


def test_a_non_utf8_header_is_a_clear_file_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"id,lat,lon,descripci\xf3n\n1,32.5,-93.7,x\n")
    with pytest.raises(TabularError, match="not UTF-8"):
        with open_csv(path):
            pass


def test_quoted_line_breaks_keep_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text('id,lat,lon,name\n1,32.51,-93.75,"two\nlines"\n2,north,-93.75,x\n')
    report = import_cameras_csv(path, kind=CameraKind.BUSINESS)
    assert [r.row for r in report.rejected] == [3]


def test_the_file_is_closed_when_the_header_is_unusable(tmp_path, recwarn):
    path = tmp_path / "nocoords.csv"
    path.write_text("id,name\n1,x\n")
    with pytest.raises(TabularError):
        import_cameras_csv(path, kind=CameraKind.BUSINESS)
    gc.collect()  # an unclosed file would warn when collected
    # Only this file counts: objects other tests in the same worker left behind may warn too.
    assert not [w for w in recwarn
                if issubclass(w.category, ResourceWarning) and path.name in str(w.message)]


@pytest.mark.parametrize("text", ["POINT (1.2.3 4)", "POINT (-93..7 32.5)", "POINT (nan 32.5)"])
def test_malformed_wkt_numbers_are_row_errors(text):
    with pytest.raises(RowError, match="not a"):
        parse_wkt_point("Location", text)


def test_wkt_axis_order_switch():
    assert parse_wkt_point("g", "POINT (-93.75 32.51)") == LatLon(32.51, -93.75)
    assert parse_wkt_point("g", "POINT (32.51 -93.75)", AxisOrder.LAT_LON) == LatLon(32.51, -93.75)
    assert parse_wkt_point("g", "point z (-93.75 32.51 10)") == LatLon(32.51, -93.75)


@pytest.mark.parametrize("text", ["(47.6, -122.3, 5)", "(1e999, 2)", "(,)"])
def test_bad_pairs_are_row_errors(text):
    with pytest.raises(RowError):
        parse_latlon_pair("Incident Location", text)
