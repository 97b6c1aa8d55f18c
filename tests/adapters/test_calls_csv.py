"""CAD calls from CSV: times, column detection, merging, sentinels and Seattle's real exports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtcc_desk.adapters.cad import (
    SEATTLE_PRIORITY,
    CallsCsvError,
    import_calls_csv,
    parse_cad_time,
    parse_cad_time_noting,
)
from rtcc_desk.adapters.tabular import AxisOrder, TabularError
from rtcc_desk.core.geo import LatLon

DATA = Path(__file__).parent / "data" / "calls"
REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "cad"
CALL_DATA = REAL / "seattle_spd_call_data_sample.csv"
INCIDENT_RESPONSE = REAL / "seattle_spd_911_incident_response_2016-03.csv"
needs_real = pytest.mark.skipif(
    not CALL_DATA.exists() or not INCIDENT_RESPONSE.exists(),
    reason=f"real Seattle CAD extracts not found under {REAL} (shared data not mounted)",
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/04/2023 6:08:26 PM", utc(2023, 11, 5, 1, 8, 26)),  # PDT, the day before DST ends
        ("01/20/2019 7:42:04 AM", utc(2019, 1, 20, 15, 42, 4)),  # PST
        ("01/20/2019 7:42 AM", utc(2019, 1, 20, 15, 42)),
        ("01/20/2019 12:05:00 AM", utc(2019, 1, 20, 8, 5)),  # 12 AM is just after midnight
        ("01/20/2019 12:05:00 PM", utc(2019, 1, 20, 20, 5)),
        ("1/2/2019 19:42", utc(2019, 1, 3, 3, 42)),
        ("01/20/2019 19:42:10", utc(2019, 1, 21, 3, 42, 10)),
        ("2021-04-30T14:43:49.439-04:00", utc(2021, 4, 30, 18, 43, 49, 439000)),
        ("2020-10-29T18:40:04.337Z", utc(2020, 10, 29, 18, 40, 4, 337000)),
        ("2021-04-30T14:43:49.4391239+00:00", utc(2021, 4, 30, 14, 43, 49, 439123)),
        ("2016/03/25 23:58:30+00", utc(2016, 3, 25, 23, 58, 30)),
        ("2019-12-31T24:00", utc(2020, 1, 1, 8, 0)),  # end of New Year's Eve, Pacific
        ("12/31/2019 24:00:00", utc(2020, 1, 1, 8, 0)),
        ("2019-12-31T24:00:00Z", utc(2020, 1, 1)),
    ],
)
def test_cad_time_spellings(text: str, expected: datetime) -> None:
    assert parse_cad_time(text, "America/Los_Angeles") == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("13/45/2024 10:00", "month must be in 1..12"),
        ("01/20/2019 13:05 PM", "cannot carry AM/PM"),
        ("2019-12-31T24:30", "only valid as 24:00"),
        ("01/20/2019", "not a time we read"),
        ("yesterday at noon", "not a time we read"),
        ("2019-12-31T10:00+25:00", "out of range"),
        ("12/31/9999 24:00", "outside the dates"),
    ],
)
def test_cad_time_refusals_say_why(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_cad_time(text, "America/Chicago")


def test_cad_time_unknown_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_cad_time("01/20/2019 7:42 AM", "Mars/Olympus_Mons")


@given(st.text())
def test_cad_time_never_raises_anything_but_value_error(text: str) -> None:
    try:
        result = parse_cad_time(text, "America/Chicago")
    except ValueError:
        return
    assert result.tzinfo is UTC


US_LIKE = r"\A[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( [AP]M)?\Z"


@given(st.from_regex(US_LIKE))
def test_cad_time_near_misses_fail_cleanly(text: str) -> None:
    try:
        parse_cad_time(text, "America/Chicago")
    except ValueError:
        pass


# --- generic CSV ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generic():
    return import_calls_csv(DATA / "generic_calls.csv")


def test_generic_file_imports_the_good_rows_and_names_every_bad_one(generic) -> None:
    assert [c.call_id for c in generic.accepted] == ["C-1", "C-2", "C-3", "C-5", "C-6"]
    refused = {(r.row, r.field): r.reason for r in generic.rejected}
    assert set(refused) == {(6, "received"), (9, "call_id")}
    assert "month must be in 1..12" in refused[6, "received"]
    assert all(r.source.endswith("generic_calls.csv") for r in generic.rejected)
    assert len(generic.rejected) == 2  # rows refused, so the CLI exits 1


def test_impossible_wkt_keeps_the_call_without_a_location(generic) -> None:
    call = next(c for c in generic.accepted if c.call_id == "C-5")
    assert call.location is None and call.address == "500 N ASH ST"
    assert (
        "generic_calls.csv:8 [wkt]: no usable location, call kept: "
        "latitude 95.0 is outside -90..90"
    ) in generic.notes


def test_rows_of_one_call_merge_keeping_history(generic) -> None:
    call = next(c for c in generic.accepted if c.call_id == "C-1")
    assert call.status == "ON SCENE"
    assert call.updated_at == utc(2024, 4, 1, 19, 31)  # 2:31 PM CDT
    assert call.received_at == utc(2024, 4, 1, 19, 5)  # 24-hour time without seconds
    assert call.address == "100 N MAIN ST"  # the status-only update did not wipe it
    assert call.call_type.common_code == "SHOOT"
    assert [h.status for h in call.history] == ["DISPATCHED"]
    assert call.location == LatLon(41.8781, -87.6298)  # WKT is (lon lat)


def test_sentinel_point_means_no_usable_location_but_the_call_is_kept(generic) -> None:
    call = next(c for c in generic.accepted if c.call_id == "C-2")
    assert call.location is None
    assert call.location_quality == "no_usable_location"
    assert call.received_at == utc(2024, 4, 2, 5, 0)  # T24:00 = next midnight, CDT


def test_lat_lon_pair_and_offsets_and_missing_location(generic) -> None:
    c3 = next(c for c in generic.accepted if c.call_id == "C-3")
    assert c3.location == LatLon(41.88, -87.63)
    assert c3.updated_at == utc(2024, 4, 1, 14, 40, 12, 500000)
    c6 = next(c for c in generic.accepted if c.call_id == "C-6")
    assert c6.location is None and c6.received_at == utc(2024, 4, 3, 3, 0)


def test_unknown_priority_scale_falls_back_to_the_type_hint(generic) -> None:
    call = next(c for c in generic.accepted if c.call_id == "C-1")
    assert call.priority.local_text == "P1"
    assert call.priority.common == 10  # SHOOT's hint in our rules


def test_explicit_priority_scale_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "Event,When,What,Prio,Where\n"
        'E1,2024-04-01 10:00,ROBBERY,A,"POINT (41.88 -87.63)"\n',
        encoding="utf-8",
    )
    report = import_calls_csv(
        path,
        columns={"call_id": "Event", "received_at": "When", "call_type": "What",
                 "priority": "Prio", "location": "Where"},
        axis_order=AxisOrder.LAT_LON,
        priority_scale={"A": 9},
        timezone="UTC",
    )
    (call,) = report.accepted
    assert call.priority.common == 9
    assert call.location == LatLon(41.88, -87.63)
    assert call.received_at == utc(2024, 4, 1, 10)


# --- positions never cost a call --------------------------------------------------------------


@pytest.fixture(scope="module")
def location_text():
    return import_calls_csv(DATA / "cad_location_text.csv", timezone="America/Chicago")


def test_bad_coordinates_keep_the_call_and_say_why(location_text) -> None:
    by_id = {c.call_id: c for c in location_text.accepted}
    assert sorted(by_id) == [f"24-{n:04d}" for n in range(1, 11)]
    # Only a missing call id or an unreadable time still refuses a row.
    assert {(r.row, r.field) for r in location_text.rejected} == {
        (12, "Incident Number"), (13, "Received")}
    assert by_id["24-0002"].location == LatLon(32.512, -93.751)
    for call_id in ("24-0001", "24-0003", "24-0004", "24-0005", "24-0006", "24-0007", "24-0010"):
        assert by_id[call_id].location is None, call_id
        assert by_id[call_id].call_type.common_code == "SHOOT"
    located = [n for n in location_text.notes if "no usable location, call kept" in n]
    assert located == [
        "cad_location_text.csv:4 [Latitude]: no usable location, call kept: "
        "'NaN' is not a finite number",
        "cad_location_text.csv:5 [Latitude/Longitude]: no usable location, call kept: "
        "latitude 999.0 is outside -90..90",
        "cad_location_text.csv:6 [Latitude/Longitude]: no usable location, call kept: "
        "latitude 95.0 is outside -90..90",
        "cad_location_text.csv:7 [Longitude]: no usable location, call kept: no value given",
        "cad_location_text.csv:8 [Location]: no usable location, call kept: "
        "'POINT (garbage)' is not a WKT POINT",
    ]


def test_location_column_with_address_text_is_the_address(location_text) -> None:
    by_id = {c.call_id: c for c in location_text.accepted}
    assert by_id["24-0001"].address == "UNKNOWN LOCATION"
    assert by_id["24-0002"].address == "1200 TEXAS ST"
    assert by_id["24-0010"].address == "POINT LOOKOUT RD"  # a street, not WKT
    assert by_id["24-0007"].address == ""  # WKT, however broken, is not an address
    assert by_id["24-0008"].location == LatLon(32.5, -93.7)  # "(lat, lon)" numbers
    assert by_id["24-0009"].location == LatLon(32.51, -93.75)


def test_location_text_does_not_replace_a_filled_address(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "call_id,received,address,location\n"
        "A,2024-04-01 10:00,1200 TEXAS ST,NEAR THE PARK\n"
        "B,2024-04-01 10:00,,NEAR THE PARK\n",
        encoding="utf-8",
    )
    report = import_calls_csv(path, timezone="UTC")
    assert [c.address for c in report.accepted] == ["1200 TEXAS ST", "NEAR THE PARK"]
    assert not report.rejected


def test_many_bad_positions_are_listed_to_twenty_then_counted(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = "".join(f"X{n},2024-04-01 10:00,999,999\n" for n in range(25))
    path.write_text("call_id,received,lat,lon\n" + rows, encoding="utf-8")
    report = import_calls_csv(path, timezone="UTC")
    assert (len(report.accepted), len(report.rejected)) == (25, 0)
    located = [n for n in report.notes if "no usable location, call kept" in n]
    assert len(located) == 21
    assert located[0].startswith("many.csv:2 [lat/lon]: ")
    assert located[19].startswith("many.csv:21 [lat/lon]: ")
    assert located[20] == "... and 5 more rows: no usable location, call kept (25 in all)"


# --- clock changes ---------------------------------------------------------------------------


def test_local_times_at_clock_changes_are_kept_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "dst.csv"
    path.write_text(
        "call_id,received,type\n"
        "D-1,03/08/2026 2:30 AM,SHOTS FIRED\n"  # skipped: clocks jump 2:00 -> 3:00
        "D-2,11/01/2026 1:30 AM,SHOTS FIRED\n"  # repeated: clocks fall 2:00 -> 1:00
        "D-3,11/01/2026 3:30 AM,THEFT\n",
        encoding="utf-8",
    )
    report = import_calls_csv(path, timezone="America/Chicago")
    by_id = {c.call_id: c for c in report.accepted}
    assert by_id["D-1"].received_at == utc(2026, 3, 8, 8, 30)  # fold=0: CST, before the jump
    assert by_id["D-2"].received_at == utc(2026, 11, 1, 6, 30)  # fold=0: the first 1:30, CDT
    clock = [n for n in report.notes if "clock change" in n]
    assert len(clock) == 2
    assert clock[0].startswith("dst.csv:2 [received]: ")
    assert "does not exist in America/Chicago" in clock[0] and "CST (UTC-06:00)" in clock[0]
    assert clock[1].startswith("dst.csv:3 [received]: ")
    assert "happens twice in America/Chicago" in clock[1] and "CDT (UTC-05:00)" in clock[1]


@pytest.mark.parametrize(
    ("text", "note"),
    [("03/08/2026 2:30 AM", "does not exist"), ("11/01/2026 1:30 AM", "read as the first"),
     ("11/01/2026 3:30 AM", ""), ("2026-11-01T01:30-05:00", ""), ("2026-11-01T24:00", "")],
)
def test_clock_change_note(text: str, note: str) -> None:
    moment, said = parse_cad_time_noting(text, "America/Chicago")
    assert moment == parse_cad_time(text, "America/Chicago")
    assert (note in said) if note else said == ""


def test_whole_file_problems_raise(tmp_path: Path) -> None:
    no_id = tmp_path / "no_id.csv"
    no_id.write_text("when,what\n2024-04-01 10:00,THEFT\n", encoding="utf-8")
    with pytest.raises(CallsCsvError, match="no call id column"):
        import_calls_csv(no_id)
    with pytest.raises(TabularError):  # the CAD error is also a tabular error
        import_calls_csv(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="unknown call fields"):
        import_calls_csv(DATA / "generic_calls.csv", columns={"colour": "x"})
    with pytest.raises(ValueError, match="must be 0..10"):
        import_calls_csv(DATA / "generic_calls.csv", priority_scale={"P1": 11})
    with pytest.raises(CallsCsvError, match="not in the header"):
        import_calls_csv(DATA / "generic_calls.csv", columns={"notes": "Remarks2"})


# --- Seattle's real exports ------------------------------------------------------------------


@needs_real
def test_seattle_call_data_imports_every_row() -> None:
    report = import_calls_csv(CALL_DATA)
    assert (len(report.accepted), len(report.rejected)) == (222, 0)
    assert "Seattle Police Call Data" in report.notes[0]
    # 171 rows changed type between queueing and arrival: the queued version is kept as history.
    assert sum(1 for c in report.accepted if c.history) == 171
    assert all(c.location is not None for c in report.accepted)  # no sentinels in this extract
    first = report.accepted[0]
    assert first.call_id == "2023000319821"
    assert first.received_at == utc(2023, 11, 5, 1, 8, 26)  # 11/04/2023 6:08:26 PM PDT
    assert first.updated_at == utc(2023, 11, 5, 1, 51, 6)
    assert first.priority.local_text == "2" and first.priority.common == SEATTLE_PRIORITY["2"] == 8
    assert first.call_type.local_text == "--SUSPICIOUS CIRCUM. - SUSPICIOUS PERSON"
    assert first.call_type.common_code == "PERSUSP"
    assert first.history[0].call_type.common_code == "FARSON"  # BURN - RECKLESS BURNING
    assert first.status == "UNABLE TO LOCATE INCIDENT OR COMPLAINANT"
    assert (first.district, first.beat) == ("CHARLIE", "C3")
    assert first.location == LatLon(47.6176603, -122.28112)
    assert "Call Type: 911" in first.notes


@needs_real
def test_seattle_retired_911_incident_response_imports_every_row() -> None:
    report = import_calls_csv(INCIDENT_RESPONSE)
    assert (len(report.accepted), len(report.rejected)) == (706, 0)
    assert sum(1 for c in report.accepted if c.history) == 267
    by_id = {c.call_id: c for c in report.accepted}
    trespass = by_id["16000104108"]
    # No At Scene Time: the clearance (11:54:19 PM PDT) is the only time the row has.
    assert trespass.received_at == trespass.updated_at == utc(2016, 3, 26, 6, 54, 19)
    assert trespass.address == "21XX BLOCK OF 4 AV"
    assert trespass.location == LatLon(47.614216, -122.34198)
    assert trespass.call_type.common_code == "TRESPASS"
    assert trespass.priority.common == 3  # no priority column: the TRESPASS rule's hint
    prowl = by_id["16000104006"]
    assert prowl.received_at == utc(2016, 3, 26, 5, 25, 51)  # At Scene Time 10:25:51 PM
    assert prowl.history[0].call_type.local_text == "THEFT (DOES NOT INCLUDE SHOPLIFT OR SVCS)"


@needs_real
def test_seattle_incident_location_pair_is_lat_lon() -> None:
    explicit = {c.call_id: c.location for c in import_calls_csv(INCIDENT_RESPONSE).accepted}
    # Switch the numeric columns off so the "(lat, lon)" Incident Location is what is read.
    from_pairs = import_calls_csv(INCIDENT_RESPONSE, columns={"latitude": "", "longitude": ""})
    assert len(from_pairs.accepted) == 706 and not from_pairs.rejected
    assert {c.call_id: c.location for c in from_pairs.accepted} == explicit
    assert explicit["16000104006"] == LatLon(47.598347, -122.32245)


@needs_real
def test_seattle_times_follow_an_explicit_zone() -> None:
    report = import_calls_csv(CALL_DATA, timezone="UTC")
    assert report.accepted[0].received_at == utc(2023, 11, 4, 18, 8, 26)
