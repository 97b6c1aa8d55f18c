"""The demo CAD simulator and the call-type vocabularies it draws from."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

import rtcc_desk.adapters.demo.vocabulary as vocabulary_module
from rtcc_desk.adapters.demo import (
    BUILTIN_PATH,
    NEW_CALL_STATUS,
    STATUS_FLOW,
    VERA_PATH,
    CadSimulator,
    CallVocabulary,
    VocabularyEntry,
    VocabularyError,
    default_vocabulary,
    district_and_beat,
    load_builtin_vocabulary,
    load_vera_vocabulary,
    priority_for_category,
)
from rtcc_desk.core.calls import CallBook
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT

APCO_REGISTRY = VERA_PATH.parents[1] / "eido" / "eido_registry_incident_type_common.csv"
needs_vera = pytest.mark.skipif(
    not VERA_PATH.is_file(), reason="shared/ real data not beside the checkout"
)
START = datetime(2026, 5, 1, 13, 0, tzinfo=timezone(timedelta(hours=-5)))  # Shreveport, CDT


@pytest.fixture(scope="module")
def builtin():
    return load_builtin_vocabulary()


@pytest.fixture(scope="module")
def feed(builtin):
    return CadSimulator(seed=3, vocabulary=builtin, start=START, rate_per_hour=40).take(3000)


def test_same_seed_same_feed_other_seed_different(builtin):
    def run(seed):
        return CadSimulator(seed=seed, vocabulary=builtin, start=START, rate_per_hour=40).take(400)

    assert run(5) == run(5)
    assert [c.call_type for c in run(6)] != [c.call_type for c in run(5)]


def test_clock_moves_forward_at_about_the_asked_rate(builtin):
    calls = CadSimulator(
        seed=2, vocabulary=builtin, start=START, rate_per_hour=30, update_probability=0.0
    ).take(3000)
    assert calls[0].received_at > START
    assert all(a.received_at < b.received_at for a, b in zip(calls, calls[1:], strict=False))
    hours = (calls[-1].received_at - START).total_seconds() / 3600
    assert 3000 / hours == pytest.approx(30, rel=0.08)
    assert all(c.received_at.tzinfo is not None and c.received_at == c.updated_at for c in calls)


def test_ids_are_yearly_sequence_numbers(feed):
    new = [c for c in feed if c.updated_at == c.received_at]
    assert [c.call_id for c in new] == [f"SPT-2026-{n:06d}" for n in range(1, len(new) + 1)]


def test_updates_share_ids_with_earlier_calls_and_move_forward(feed):
    seen: dict[str, list] = {}
    previous = None
    for call in feed:
        assert previous is None or call.updated_at >= previous.updated_at
        previous = call
        versions = seen.setdefault(call.call_id, [])
        if versions:
            first, last = versions[0], versions[-1]
            assert call.received_at == first.received_at and call.updated_at > last.updated_at
            order = (NEW_CALL_STATUS, *STATUS_FLOW)
            assert order.index(call.status) > order.index(last.status)
        else:
            assert call.status in (NEW_CALL_STATUS, STATUS_FLOW[0])
        versions.append(call)
    updates = len(feed) - len(seen)
    assert 0.6 * len(feed) <= updates <= 0.8 * len(feed)  # update_probability defaults to 0.7
    assert any(v[-1].status == "CLEARED" for v in seen.values())
    assert any(c.notes.startswith("RECLASSIFIED FROM") for c in feed)
    assert any(c.notes == "LOCATION REFINED" for c in feed)


def test_call_book_merges_the_feed_into_one_call_per_incident(feed):
    book = CallBook()
    for call in feed:
        book.add(call)
    # every incident's last message is its current state in the book, earlier ones its history
    last = {c.call_id: c for c in feed}
    for call in book:
        latest = last[call.call_id]
        assert (call.status, call.updated_at, call.call_type) == (
            latest.status, latest.updated_at, latest.call_type
        )
        assert [h.updated_at for h in call.history] == sorted(h.updated_at for h in call.history)
        assert len(call.history) == sum(1 for c in feed if c.call_id == call.call_id) - 1
    assert max(len(c.history) for c in book) >= 3


def test_call_types_come_from_the_vocabulary(feed, builtin):
    by_text = {e.local_text: e for e in builtin}
    for call in feed:
        entry = by_text[call.call_type.local_text]
        assert call.call_type.common_code == entry.common_code
        assert call.priority.common == entry.common_priority
        assert call.priority.local_text == entry.local_priority


def test_about_two_percent_of_calls_have_no_usable_location(builtin):
    calls = CadSimulator(seed=7, vocabulary=builtin, update_probability=0.0).take(3000)
    missing = [c for c in calls if c.location is None]
    assert 0.01 * len(calls) <= len(missing) <= 0.035 * len(calls)  # 2 % +- sampling spread
    assert all(c.district == "" and c.beat == "" for c in missing)
    assert not any(c.address[:1].isdigit() for c in missing)


def test_located_calls_lie_in_shreveport_with_district_and_beat(feed):
    for call in feed:
        if call.location is None:
            continue
        assert SHREVEPORT.contains(call.location)
        assert re.fullmatch(r"[123]", call.district) and re.fullmatch(
            rf"B{call.district}[1-9]", call.beat
        )
        assert re.fullmatch(r"\d+( BLK)? [A-Z0-9][A-Z0-9 .]+", call.address), call.address


def test_district_and_beat_by_position():
    assert district_and_beat(None) == ("", "")
    assert district_and_beat(LatLon(32.512, -93.748))[0] == "1"  # downtown
    assert district_and_beat(LatLon(32.43, -93.85)) == ("2", "B25")
    assert district_and_beat(LatLon(32.43, -93.72))[0] == "3"


def test_rejects_naive_start_and_impossible_rates(builtin):
    with pytest.raises(ValueError, match="time zone"):
        CadSimulator(vocabulary=builtin, start=datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        CadSimulator(vocabulary=builtin, rate_per_hour=0)
    with pytest.raises(ValueError):
        CadSimulator(vocabulary=builtin, update_probability=1.0)


def test_builtin_vocabulary_uses_real_apco_codes(builtin):
    assert 40 <= len(builtin) <= 80 and BUILTIN_PATH.is_file()
    assert {"SHOTS FIRED", "ROBBERY - ARMED", "STOLEN VEHICLE", "MVA - INJURY"} <= builtin.texts()
    assert all(e.common_priority is not None and 0 <= e.common_priority <= 10 for e in builtin)
    if not APCO_REGISTRY.is_file():
        pytest.skip("APCO registry not beside the checkout")
    with open(APCO_REGISTRY, newline="", encoding="utf-8-sig") as handle:
        codes = {row["value"] for row in csv.DictReader(handle)}
    assert {e.common_code for e in builtin if e.common_code} <= codes


def test_vocabulary_draws_by_weight_and_reclassifies_within_a_category():
    import random

    common = VocabularyEntry("DISTURBANCE", "DISORD", "P2", 5, 99.0, "Complaints")
    rare = VocabularyEntry("NOISE", "NOISE", "P4", 2, 1.0, "Complaints")
    other = VocabularyEntry("THEFT", "LARCENY", "P3", 4, 0.001, "Property Crime")
    vocab = CallVocabulary([common, rare, other])
    rng = random.Random(0)
    draws = [vocab.draw(rng) for _ in range(2000)]
    assert draws.count(common) > 1900
    assert {vocab.draw_related(rng, common) for _ in range(50)} == {rare}
    with pytest.raises(VocabularyError):
        CallVocabulary([])


@needs_vera
def test_vera_vocabulary_keeps_real_strings_weighted_by_count():
    with open(VERA_PATH, newline="", encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["City"] == "Seattle"]
    intake = {
        r["Field 1"]: int(r["Count"]) for r in rows if r["Column_name"] == "Initial Call Type"
    }
    vocab = load_vera_vocabulary(VERA_PATH, "Seattle")
    assert vocab.texts() == set(intake)
    assert all(e.weight == intake[e.local_text] for e in vocab)
    assert all(e.common_code is None and e.local_priority == "" for e in vocab)
    # "--" marks Seattle's final (cleared) types; a handful were keyed in at intake, no more
    final = sum(e.weight for e in vocab if e.local_text.startswith("--"))
    assert final < 0.001 * sum(e.weight for e in vocab)


@needs_vera
def test_vera_priorities_come_from_the_category_and_codes_from_the_normaliser():
    codes = {"SUSPICIOUS PERSON, VEHICLE OR INCIDENT": "SUSP"}
    vocab = load_vera_vocabulary(VERA_PATH, "seattle", normalise=codes.get)
    by_text = {e.local_text: e for e in vocab}
    assert by_text["SUSPICIOUS PERSON, VEHICLE OR INCIDENT"].common_code == "SUSP"
    assert by_text["TRESPASS"].common_code is None
    assert (
        priority_for_category("Violent Crime") == 9
        and priority_for_category("Property Crime ") == 5
    )
    assert priority_for_category("Assisting the Public ") == 2 and priority_for_category("") is None
    violent = [e for e in vocab if e.category == "Violent Crime"]
    assert violent and all(e.common_priority == 9 for e in violent)
    assert len(load_vera_vocabulary(VERA_PATH, None)) > len(vocab)
    with pytest.raises(VocabularyError, match="Shreveport"):
        load_vera_vocabulary(VERA_PATH, "Shreveport")


@needs_vera
def test_default_vocabulary_is_vera_when_shared_data_is_present_and_feed_uses_its_strings():
    vocab = default_vocabulary()
    assert vocab.source.startswith("Vera")
    with open(VERA_PATH, newline="", encoding="utf-8-sig") as handle:
        real = {r["Field 1"] for r in csv.DictReader(handle)}
    calls = CadSimulator(seed=1, start=datetime(2026, 1, 1, tzinfo=UTC)).take(500)
    assert {c.call_type.local_text for c in calls} <= real


def test_default_vocabulary_falls_back_to_builtin_without_shared(monkeypatch, tmp_path):
    monkeypatch.setattr(vocabulary_module, "VERA_PATH", tmp_path / "missing.csv")
    assert default_vocabulary().source.startswith("built-in")


def test_unreadable_vocabulary_files_raise_vocabulary_error(tmp_path):
    with pytest.raises(VocabularyError, match="cannot read"):
        load_builtin_vocabulary(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("local_text,common_code,local_priority,common_priority,weight\nX,,P1,high,1\n")
    with pytest.raises(VocabularyError, match=":2"):
        load_builtin_vocabulary(bad)
    with pytest.raises(VocabularyError, match=r"missing column\(s\) City"):
        load_vera_vocabulary(bad)
