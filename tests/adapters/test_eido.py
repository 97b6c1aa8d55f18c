"""NENA EIDO documents: the official samples, a rich fixture, malformed variants and reasons."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtcc_desk.adapters.cad import (
    CadError,
    EidoError,
    import_eido_file,
    load_normaliser,
    parse_eido,
)
from rtcc_desk.core.geo import LatLon

DATA = Path(__file__).parent / "data" / "calls"
REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "eido"
OFFICIAL = REAL / "nena_sample_call_transfer_eido.json"
SUPERSEDED = REAL / "nena_sample_eido_2020_superseded.json"
needs_real = pytest.mark.skipif(
    not OFFICIAL.exists(),
    reason=f"NENA EIDO samples not found under {REAL} (shared data not mounted)",
)

POINT_XML = (
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gml="http://www.opengis.net/gml">'
    '<gml:Point srsName="{srs}"><gml:pos>{pos}</gml:pos></gml:Point></presence>'
)


@pytest.fixture
def shooting() -> dict:
    return json.loads((DATA / "eido_shooting.json").read_text(encoding="utf-8"))


def with_incident_pos(doc: dict, pos: str, srs: str = "urn:ogc:def:crs:EPSG::4326") -> dict:
    doc["locationComponent"][0]["locationByValue"] = POINT_XML.format(pos=pos, srs=srs)
    return doc


@needs_real
def test_official_sample_without_incident_component_is_accepted() -> None:
    report = import_eido_file(OFFICIAL)
    assert (len(report.accepted), len(report.rejected)) == (1, 0)
    (call,) = report.accepted
    assert call.call_id == "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"
    assert call.address == "42 W Cellular Street, Wilmington, DE"
    assert call.location is None  # civic only, and the caller location is by reference
    assert call.received_at == datetime(2021, 4, 30, 18, 40, tzinfo=UTC)  # callStartTimestamp
    assert call.updated_at == datetime(2021, 4, 30, 18, 43, 49, 439000, tzinfo=UTC)
    assert call.notes == "This is an example text."
    assert call.call_type.common_code is None
    assert any("https://lrf.osp.com" in note and "not fetched" in note for note in report.notes)


@needs_real
def test_superseded_2020_sample_is_rejected_naming_the_location_component() -> None:
    report = import_eido_file(SUPERSEDED)
    assert not report.accepted
    (rejection,) = report.rejected
    assert rejection.row == 1
    assert rejection.field == "locationInformationComponent[0].locationByValue"
    assert "not well-formed XML" in rejection.reason


def test_rich_fixture_reads_every_part(shooting: dict) -> None:
    call = parse_eido(shooting, source="test")
    assert call.call_id == "urn:emergency:uid:incidentid:rtcc-test-0001:psap.example.gov"
    assert call.call_type.common_code == "SHOOT"
    assert call.call_type.local_code == "SHOTS"
    assert call.call_type.local_text == "SHOTS FIRED - PERSON SHOT"
    assert (call.priority.local_text, call.priority.common) == ("P1 - EMERGENCY", 9)
    assert call.location == LatLon(41.8781, -87.6298)  # GML pos is "lat lon"
    assert call.address == "100 N State Street, Chicago, IL 60602"
    assert call.status == "ResourcesEnroute"
    assert call.beat == "1111"
    assert call.notes == "Caller reports two shots; suspect fled north on foot."
    assert call.received_at == datetime(2024, 4, 1, 19, 5, 2, 250000, tzinfo=UTC)
    assert call.updated_at == datetime(2024, 4, 1, 19, 7, 30, tzinfo=UTC)


def test_text_and_bytes_inputs_parse_alike(shooting: dict) -> None:
    text = json.dumps(shooting)
    assert parse_eido(text) == parse_eido(text.encode("utf-8")) == parse_eido(shooting)


def test_caller_circle_is_used_when_the_incident_has_no_location(shooting: dict) -> None:
    del shooting["incidentComponent"]["locationReference"]
    call = parse_eido(shooting)
    assert call.location == LatLon(41.8790, -87.6301)  # gs:Circle centre, lat first
    assert call.address == ""


def test_sentinel_position_is_kept_as_no_usable_location(shooting: dict) -> None:
    with_incident_pos(shooting, "0 0")
    # A placeholder incident position gives way to the next linked one (the caller's circle)...
    assert parse_eido(shooting).location == LatLon(41.8790, -87.6301)
    del shooting["callComponent"][0]["locationReference"]
    call = parse_eido(shooting)
    assert call.location is None  # ...and with none left the call has no usable location
    assert call.location_quality == "no_usable_location"
    assert call.address == ""


def test_crs84_is_longitude_first(shooting: dict) -> None:
    doc = with_incident_pos(shooting, "-87.6298 41.8781", srs="urn:ogc:def:crs:OGC:1.3:CRS84")
    assert parse_eido(doc).location == LatLon(41.8781, -87.6298)


def test_missing_common_type_is_normalised_from_the_local_text(shooting: dict) -> None:
    incident = shooting["incidentComponent"]
    del incident["incidentTypeCommonRegistryText"], incident["incidentCommonPriorityNumber"]
    incident["incidentTypeInternalText"] = "ROBBERY - IP/JO (INCLUDES STRONG ARM)"
    call = parse_eido(shooting, normaliser=load_normaliser())
    assert call.call_type.common_code == "ROBBERY"
    assert call.priority.common == 8  # the ROBBERY rule's hint


def _mutate(doc: dict, change) -> dict:
    change(doc)
    return doc


MALFORMED = {
    "dangling $ref": (
        lambda d: d["incidentComponent"].update(locationReference=[{"$ref": "nowhere"}]),
        "incidentComponent.locationReference[0]", "'nowhere' points at no component",
    ),
    "location link to a non-location": (
        lambda d: d["incidentComponent"].update(locationReference=[{"$ref": "note-1"}]),
        "incidentComponent.locationReference", "'note-1' is a notesComponent[0], not a location",
    ),
    "entity declaration": (
        lambda d: d["locationComponent"][0].update(
            locationByValue='<!DOCTYPE x [<!ENTITY a "b">]><presence>&a;</presence>'),
        "locationComponent[0].locationByValue", "DTD or entities, which are refused",
    ),
    "priority 11": (
        lambda d: d["incidentComponent"].update(incidentCommonPriorityNumber=11),
        "incidentComponent.incidentCommonPriorityNumber", "11 is outside 0..10",
    ),
    "priority as text": (
        lambda d: d["incidentComponent"].update(incidentCommonPriorityNumber="9"),
        "incidentComponent.incidentCommonPriorityNumber", "not a whole number",
    ),
    "timestamp without offset": (
        lambda d: d.update(lastUpdateTimeStamp="2024-04-01T14:07:30"),
        "lastUpdateTimeStamp", "has no UTC offset",
    ),
    "missing document $id": (lambda d: d.pop("$id"), "$id", "is missing"),
    "duplicate $id": (
        lambda d: d["notesComponent"][0].update({"$id": "loc-caller-1"}),
        "locationComponent[1]", "'loc-caller-1' is used twice",
    ),
    "component that is not an object": (
        lambda d: d["callComponent"].append("call-2"), "callComponent[1]", "must be an object",
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_variants_are_rejected_with_a_specific_reason(shooting: dict, name: str) -> None:
    change, field, words = MALFORMED[name]
    with pytest.raises(EidoError) as caught:
        parse_eido(_mutate(shooting, change))
    assert caught.value.field == field
    assert words in caught.value.reason


BAD_POSITIONS = {
    "pos with one number": (lambda d: with_incident_pos(d, "41.8781"), "needs 'lat lon', got 1"),
    "latitude 95": (lambda d: with_incident_pos(d, "95 -87.6"), "latitude 95.0 is outside"),
    "projected srsName": (
        lambda d: with_incident_pos(d, "1 2", srs="urn:ogc:def:crs:EPSG::26916"), "is not WGS84",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_POSITIONS))
def test_bad_positions_keep_the_call_and_say_why(shooting: dict, tmp_path: Path, name) -> None:
    change, words = BAD_POSITIONS[name]
    doc = _mutate(shooting, change)
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = import_eido_file(path)
    (call,) = report.accepted
    assert not report.rejected
    assert call.call_type.common_code == "SHOOT"
    assert call.location == LatLon(41.8790, -87.6301)  # the caller's circle takes over
    (note,) = [n for n in report.notes if "position not used" in n]
    assert note.startswith(
        "feed.json:1 [locationComponent[0].locationByValue]: position not used, call kept: ")
    assert words in note
    # With no other linked position the shots-fired call stays, with no usable location.
    del doc["callComponent"][0]["locationReference"]
    call = parse_eido(doc)
    assert call.location is None and call.location_quality == "no_usable_location"


@pytest.mark.parametrize(
    ("document", "words"),
    [(b"{not json", "is not JSON"), ("[1, 2]", "must be a JSON object, got list"),
     (b"\xff\xfe{}", "not UTF-8"), ("null", "got null")],
)
def test_undecodable_documents_are_rejected(document, words: str) -> None:
    with pytest.raises(EidoError, match=words):
        parse_eido(document)


def test_file_with_a_list_merges_updates_and_rejects_bad_documents(
    shooting: dict, tmp_path: Path
) -> None:
    update = copy.deepcopy(shooting)
    update["$id"] += ":update"
    update["lastUpdateTimeStamp"] = "2024-04-01T14:20:00-05:00"
    update["incidentComponent"]["incidentStatusCommonRegistryText"] = ["ResourcesOnscene"]
    dangling = _mutate(copy.deepcopy(shooting), MALFORMED["dangling $ref"][0])
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([shooting, 7, update, dangling]), encoding="utf-8")
    report = import_eido_file(path)
    (call,) = report.accepted
    assert call.status == "ResourcesOnscene"
    assert [h.status for h in call.history] == ["ResourcesEnroute"]
    assert [(r.row, r.field) for r in report.rejected] == [
        (2, "document"), (4, "incidentComponent.locationReference[0]")]
    assert "got int" in report.rejected[0].reason


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"<eido/>", "is not JSON"), (b"", "the file is empty"), (b"  \n", "the file is empty"),
     (b"\xff\xfe{}", "is not UTF-8"), (b"7", "holds a JSON int"), (b"null", "JSON null")],
)
def test_file_that_cannot_be_read_is_unusable_not_a_rejection(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(EidoError, match=words) as caught:
        import_eido_file(path)
    assert isinstance(caught.value, CadError)  # the CLI's "unusable input", exit 2
    assert str(path) in str(caught.value)


def test_empty_list_is_a_file_with_no_documents(tmp_path: Path) -> None:
    path = tmp_path / "quiet.json"
    path.write_text("[]", encoding="utf-8")
    report = import_eido_file(path)
    assert (report.accepted, report.rejected) == ([], [])
    assert any("no EIDO documents" in note for note in report.notes)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_damage_is_an_eido_error_never_a_crash(shooting: dict, data) -> None:
    doc = copy.deepcopy(shooting)
    target = doc
    path = data.draw(st.lists(st.integers(0, 20), min_size=1, max_size=3))
    for step in path[:-1]:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        child = target[keys[step % len(keys)]] if keys else None
        if not isinstance(child, dict | list) or not child:
            break
        target = child
    keys = list(target) if isinstance(target, dict) else list(range(len(target)))
    target[keys[path[-1] % len(keys)]] = data.draw(JSON_VALUES)
    try:
        call = parse_eido(doc)
    except EidoError as exc:
        assert exc.reason
    else:
        assert call.call_id and call.received_at.tzinfo is not None
