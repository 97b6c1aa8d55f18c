"""Call-feed rules without Qt: bands, filters, search, sort keys, insertion, countdown texts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rtcc_desk.core.call_filter import (
    CallColumn,
    CallFilter,
    PriorityBand,
    became_high_priority,
    insertion_index,
    is_closed,
    priority_band,
    search_text,
    sort_key,
)
from rtcc_desk.core.calls import Call, CallType, Priority
from rtcc_desk.core.countdown import (
    DeadlineState,
    age_text,
    countdown_text,
    deadline_state,
    local_time_text,
    retention_text,
)

T0 = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def call(call_id="C1", *, minutes=0, common=5, text="THEFT", code="LARCENY", status="PENDING",
         district="1", address="100 MAIN ST", notes="") -> Call:
    at = T0 + timedelta(minutes=minutes)
    return Call(
        call_id=call_id, received_at=at, updated_at=at,
        call_type=CallType(local_text=text, common_code=code),
        priority=Priority(local_text="P2", common=common), status=status,
        district=district, address=address, notes=notes,
    )


@pytest.mark.parametrize(
    ("common", "band"),
    [(10, PriorityBand.CRITICAL), (9, PriorityBand.CRITICAL), (8, PriorityBand.HIGH),
     (7, PriorityBand.HIGH), (6, PriorityBand.MEDIUM), (4, PriorityBand.MEDIUM),
     (3, PriorityBand.LOW), (0, PriorityBand.LOW), (None, PriorityBand.UNKNOWN)],
)
def test_priority_bands_have_words(common, band):
    assert priority_band(Priority(common=common)) is band
    assert band.word  # colour is never the only cue


def test_high_priority_is_new_or_raised_never_repeated():
    low, high = call(common=4), call(common=9)
    assert became_high_priority(None, high, 8)
    assert became_high_priority(low, high, 8)  # reclassified upwards
    assert not became_high_priority(high, high, 8)  # an update of a call already urgent
    assert not became_high_priority(None, low, 8)
    assert not became_high_priority(None, call(common=None), 8)


class TestCallFilter:
    calls = (
        call("A", common=9, text="SHOTS FIRED", code="SHOOT", district="1"),
        call("B", common=4, text="THEFT", district="2", status="CLEARED",
             notes="bike taken from rack"),
        call("C", common=None, text="UNKNOWN TROUBLE", code=None, district="2"),
        call("D", common=7, text="ROBBERY", code="ROBBERY", district="3", address="900 TEXAS ST"),
    )

    def shown(self, f: CallFilter) -> list[str]:
        return [c.call_id for c in self.calls if f.matches(c)]

    def test_empty_filter_shows_everything(self):
        assert CallFilter().is_empty
        assert self.shown(CallFilter()) == ["A", "B", "C", "D"]

    def test_priority_threshold_keeps_unknown_priorities(self):
        assert self.shown(CallFilter(min_priority=7)) == ["A", "C", "D"]

    def test_sets_narrow_by_type_district_status(self):
        assert self.shown(CallFilter(types=frozenset({"THEFT", "ROBBERY"}))) == ["B", "D"]
        assert self.shown(CallFilter(districts=frozenset({"2"}))) == ["B", "C"]
        assert self.shown(CallFilter(statuses=frozenset({"PENDING"}))) == ["A", "C", "D"]

    def test_text_search_every_word_anywhere_case_blind(self):
        assert self.shown(CallFilter(text="texas")) == ["D"]
        assert self.shown(CallFilter(text="BIKE rack")) == ["B"]  # narrative
        assert self.shown(CallFilter(text="shoot")) == ["A"]  # common code
        assert self.shown(CallFilter(text="c1")) == []
        assert self.shown(CallFilter(text="bike texas")) == []

    def test_cached_haystack_gives_the_same_answer(self):
        f = CallFilter(text="rack")
        cached = [f.matches(c, search_text(c)) for c in self.calls]
        assert cached == [f.matches(c) for c in self.calls]


def test_closed_statuses():
    assert is_closed(call(status="CLEARED")) and is_closed(call(status="cancelled "))
    assert not is_closed(call(status="ON SCENE"))


def test_sort_keys_break_ties_by_time_then_id():
    older, newer = call("X", minutes=0, common=5), call("Y", minutes=5, common=5)
    assert sort_key(older, CallColumn.PRIORITY) < sort_key(newer, CallColumn.PRIORITY)
    unknown, zero = call(common=None), call(common=0)
    assert sort_key(unknown, CallColumn.PRIORITY) < sort_key(zero, CallColumn.PRIORITY)
    assert sort_key(older, CallColumn.RECEIVED) < sort_key(newer, CallColumn.RECEIVED)
    assert sort_key(newer, CallColumn.AGE) < sort_key(older, CallColumn.AGE)  # youngest first


@pytest.mark.parametrize("descending", [False, True])
def test_insertion_index_keeps_order(descending):
    rng = random.Random(4)
    keys: list[tuple] = []
    for n in range(300):
        key = (rng.randint(0, 20), n)
        keys.insert(insertion_index(keys, key, descending), key)
    assert keys == sorted(keys, reverse=descending)


def test_age_text():
    assert age_text(T0, T0 + timedelta(seconds=45)) == "45s"
    assert age_text(T0, T0 + timedelta(minutes=12, seconds=5)) == "12m 05s"
    assert age_text(T0, T0 + timedelta(hours=3, minutes=7)) == "3h 07m"
    assert age_text(T0, T0 + timedelta(days=2, hours=4)) == "2d 04h"
    assert age_text(T0, T0 - timedelta(seconds=3)) == "0s"  # clocks a little apart


def test_local_time_text_in_the_jurisdiction_zone():
    assert local_time_text(T0, CHICAGO, T0) == "12:00:00"  # 18:00 UTC is noon CST
    assert local_time_text(T0, CHICAGO, T0 + timedelta(days=1)) == "03-06 12:00:00"


def test_countdown_and_deadline_state():
    deadline = T0 + timedelta(days=30)
    assert countdown_text(deadline, T0) == "30d 00:00:00"
    assert countdown_text(deadline, deadline - timedelta(hours=4, seconds=1)) == "04:00:01"
    assert countdown_text(deadline, deadline + timedelta(days=2)) == "overwritten 2d 00h ago"
    assert countdown_text(None, T0) == "retention unknown"
    assert deadline_state(None, T0) is DeadlineState.UNKNOWN
    assert deadline_state(deadline, deadline) is DeadlineState.EXPIRED
    assert deadline_state(deadline, deadline - timedelta(hours=5)) is DeadlineState.URGENT
    assert deadline_state(deadline, deadline - timedelta(days=2)) is DeadlineState.SOON
    assert deadline_state(deadline, T0) is DeadlineState.OK


def test_retention_text():
    assert retention_text(30) == "30 days"
    assert retention_text(1) == "1 day"
    assert retention_text(0.5) == "0.5 days"
    assert retention_text(None) == "unknown"
