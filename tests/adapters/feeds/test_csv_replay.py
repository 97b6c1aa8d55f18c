"""CSV replay: real Seattle exports through the importer, refused rows, speed scaling."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from rtcc_desk.adapters.cad import import_calls_csv
from rtcc_desk.adapters.feeds import CsvReplayFeed, FeedError, FeedState, call_versions
from rtcc_desk.core.calls import CallBook
from tests.adapters.feeds.conftest import FakeClock, wait_for

pytestmark = pytest.mark.usefixtures("no_thread_left")

HEADER = "call_id,received,updated,type,priority,status,address,latitude,longitude\n"


def row(call_id: str, received: str, updated: str = "", kind: str = "THEFT",
        status: str = "PENDING", lat: str = "41.88") -> str:
    """One generic CAD row; an update row leaves type, priority and place empty."""
    if updated:
        return f"{call_id},{received},{updated},,,{status},,,"
    return f"{call_id},{received},,{kind},P3,{status},1 A ST,{lat},-87.63"


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def replay(feed: CsvReplayFeed, sink) -> None:
    feed.start(sink)
    wait_for(lambda: feed.health().state is not FeedState.RUNNING, what="the replay to end")
    feed.stop()


@pytest.mark.parametrize("name", ["seattle_spd_call_data_sample.csv",
                                  "seattle_spd_911_incident_response_2016-03.csv"])
def test_real_seattle_export_replays_every_call_through_the_importer(real_data, sink, name):
    path = real_data / "cad" / name
    feed = CsvReplayFeed(path, speed=0)
    replay(feed, sink)

    health = feed.health()
    assert health.state is FeedState.FINISHED, health.reason
    expected = import_calls_csv(path)
    delivered = sink.call_list()
    assert len(delivered) == health.accepted == feed.total_messages
    assert [c.received_at for c in delivered[:1]] == [min(c.received_at for c in expected.accepted)]
    # the desk's own CallBook, fed message by message, ends where the importer's merge ends
    book = CallBook()
    for call in delivered:
        book.add(call)
    assert len(book) == len(expected.accepted)
    for call in expected.accepted:
        got = book.get(call.call_id)
        assert (got.updated_at, got.status, got.call_type, got.location) == (
            call.updated_at, call.status, call.call_type, call.location)
        assert len(got.history) == len(call.history)
    assert {source for _, source in sink.calls} == {f"csv:{name}"}


def test_bad_rows_are_problems_with_file_row_reasons_and_the_good_rows_replay(tmp_path, sink):
    path = write_csv(tmp_path / "shift.csv", [
        row("C-1", "2024-04-01T10:00:00Z", kind="SHOTS FIRED", status="DISPATCHED"),
        row("", "2024-04-01T10:01:00Z"),
        row("C-3", "yesterday-ish", kind="BURGLARY"),
        row("C-4", "2024-04-01T10:03:00Z", lat="999"),  # kept: no usable location, noted
        row("C-1", "2024-04-01T10:00:00Z", "2024-04-01T10:05:00Z", status="ON SCENE"),
    ])
    feed = CsvReplayFeed(path, speed=math.inf)
    replay(feed, sink)

    assert feed.health().state is FeedState.FINISHED
    assert [(c.call_id, c.status) for c in sink.call_list()] == [
        ("C-1", "DISPATCHED"), ("C-4", "PENDING"), ("C-1", "ON SCENE")]
    problems = sink.problem_list()
    assert [(p.where, p.field) for p in problems] == [("shift.csv:3", "call_id"),
                                                     ("shift.csv:4", "received")]
    assert "call id is empty" in problems[0].reason
    assert "yesterday-ish" in problems[1].raw and "BURGLARY" in problems[1].raw
    assert str(problems[0]).startswith("csv:shift.csv: shift.csv:3 [call_id]: ")
    assert (feed.health().accepted, feed.health().rejected) == (3, 2)


def test_gaps_are_the_received_time_gaps_divided_by_speed(tmp_path, sink):
    path = write_csv(tmp_path / "gaps.csv", [
        row("A", "2024-04-01T10:00:00Z"),
        row("B", "2024-04-01T10:01:00Z"),
        row("C", "2024-04-01T10:04:00Z"),
        row("C", "2024-04-01T10:04:00Z", "2024-04-01T11:04:00Z", status="CLEARED"),
        row("D", "2024-04-01T11:04:00Z"),
    ])
    clock = FakeClock()
    replay(CsvReplayFeed(path, speed=10, clock=clock), sink)
    assert [c.call_id for c in sink.call_list()] == ["A", "B", "C", "C", "D"]
    assert clock.waits == pytest.approx([6.0, 18.0, 360.0])  # 60 s, 180 s, 3600 s at 10×
    assert clock.t == pytest.approx(384.0)

    clock = FakeClock()
    replay(CsvReplayFeed(path, speed=10, max_gap_s=600, clock=clock), sink)
    assert clock.waits == pytest.approx([6.0, 18.0, 60.0])  # the hour's gap cut to 10 min

    for unpaced in (0, math.inf):
        clock = FakeClock()
        replay(CsvReplayFeed(path, speed=unpaced, clock=clock), sink)
        assert clock.waits == []


def test_real_export_at_a_thousand_times_takes_its_own_span_over_a_thousand(real_data, sink):
    path = real_data / "cad" / "seattle_spd_911_incident_response_2016-03.csv"
    clock = FakeClock()
    replay(CsvReplayFeed(path, speed=1000, clock=clock), sink)
    moments = [m.moment for m in call_versions(import_calls_csv(path).accepted)]
    span = (moments[-1] - moments[0]).total_seconds()
    assert span > 24 * 3600  # the extract covers more than a day
    assert sum(clock.waits) == pytest.approx(span / 1000)


def test_stop_mid_replay_ends_the_thread(tmp_path, sink):
    path = write_csv(tmp_path / "slow.csv", [
        row("A", "2024-04-01T10:00:00Z"),
        row("B", "2024-04-01T12:00:00Z"),
    ])
    feed = CsvReplayFeed(path, speed=1)  # real clock: B is due in two hours
    feed.start(sink)
    wait_for(lambda: len(sink.call_list()) == 1)
    feed.stop()
    assert feed.health().state is FeedState.STOPPED
    assert [c.call_id for c in sink.call_list()] == ["A"]


def test_an_unusable_file_fails_the_feed_with_the_reason(tmp_path, sink):
    path = tmp_path / "no_ids.csv"
    path.write_text("when,what\n2024-04-01T10:00:00Z,THEFT\n", encoding="utf-8")
    feed = CsvReplayFeed(path, speed=0)
    replay(feed, sink)
    health = feed.health()
    assert health.state is FeedState.FAILED and "no call id column" in health.reason
    (problem,) = sink.problem_list()
    assert problem.where == "no_ids.csv" and "when,what" in problem.raw

    missing = CsvReplayFeed(tmp_path / "gone.csv", speed=0)
    replay(missing, sink)
    assert missing.health().state is FeedState.FAILED
    assert "cannot open" in missing.health().reason


@pytest.mark.parametrize("speed", [-2, float("nan")])
def test_bad_speed_is_refused(tmp_path, speed):
    with pytest.raises(FeedError, match="speed"):
        CsvReplayFeed(tmp_path / "x.csv", speed=speed)
