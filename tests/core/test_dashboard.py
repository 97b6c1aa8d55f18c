"""The council figures against a known dataset whose answers were worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rtcc_desk.core.dashboard import (
    DashboardRecords,
    Period,
    RequestRecord,
    ReviewRecord,
    ShareRecord,
    UploadRecord,
    compute_figures,
    figure_rows,
    format_duration,
    median_time,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


PERIOD = Period(date(2026, 3, 2), date(2026, 3, 5))  # 4 days; 3 March has no requests

KNOWN = DashboardRecords(
    requests=(
        # call → request 10 min; answered; footage after 6 h
        RequestRecord("R1", at(2, 10), "uploaded", "C1", at(2, 9, 50), at(2, 11), at(2, 12)),
        # 30 min; declined
        RequestRecord("R2", at(2, 14), "declined", "C2", at(2, 13, 30), at(2, 15), at(2, 15)),
        # call time unknown; never answered
        RequestRecord("R3", at(4, 8), "sent", "C3", None),
        # 60 min; footage after 2 h
        RequestRecord("R6", at(4, 12), "uploaded", "C6", at(4, 11), at(4, 12, 30), at(4, 13)),
        # 20 min; answered (uploading) but only a refused file and one still arriving
        RequestRecord("R4", at(5, 9), "uploading", "C4", at(5, 8, 40), None, at(5, 10)),
        # before the period: counted nowhere
        RequestRecord("R5", at(1, 23), "uploaded", "C5", at(1, 22), None, at(1, 23, 30)),
    ),
    uploads=(
        UploadRecord("U1", "R1", "complete", at(2, 16), "playable"),
        UploadRecord("U1b", "R1", "complete", at(2, 18), "native"),  # later: not the first
        UploadRecord("U2", "R4", "receiving", None, None),
        UploadRecord("U3", "R4", "complete", at(5, 11), "refused"),
        UploadRecord("U6", "R6", "complete", at(4, 14), "playable"),
        UploadRecord("U5", "R5", "complete", at(2, 1), "playable"),
    ),
    reviews=(
        ReviewRecord("U1", "not_valuable", at(2, 17)),
        ReviewRecord("U1", "valuable", at(2, 17, 5)),  # the newest verdict counts
        ReviewRecord("U1b", "not_valuable", at(2, 19)),
        ReviewRecord("U6", "valuable", at(4, 14, 30)),
        ReviewRecord("U5", "valuable", at(2, 2)),  # its request is outside the period
    ),
    shares=(
        ShareRecord("S1", "U1", at(2, 17), at(2, 17, 15), True),  # 15 min
        ShareRecord("S2", "U6", at(4, 15)),  # never viewed
        ShareRecord("S3", "U6", at(5, 8), at(5, 9), True),  # 60 min
        ShareRecord("S5", "U6", at(5, 10), None, True),  # viewed, time unknown
        ShareRecord("S4", "U5", at(1, 3), at(1, 4), True),  # before the period
    ),
)


def test_known_dataset_figures():
    f = compute_figures(KNOWN, PERIOD)
    assert f.requests_sent == 5
    assert f.answered == 4
    assert f.response_rate == pytest.approx(0.8)
    assert [(d.day.day, d.sent, d.answered) for d in f.per_day] == [
        (2, 2, 2), (3, 0, 0), (4, 2, 1), (5, 1, 1)]
    assert [d.response_rate for d in f.per_day] == [1.0, None, 0.5, 1.0]
    # 10, 30, 60, 20 min → 25 min; R3's call time is unknown
    assert f.call_to_request.median == timedelta(minutes=25)
    assert (f.call_to_request.samples, f.call_to_request.missing) == (4, 1)
    # R1: 6 h (first footage, not the later file), R6: 2 h → 4 h; R4 has no footage
    assert f.request_to_upload.median == timedelta(hours=4)
    assert f.request_to_upload.samples == 2
    assert f.uploads_with_footage == 3  # U1, U1b, U6 (U3 refused, U2 arriving, U5 outside)
    assert (f.reviewed, f.valuable) == (3, 2)
    assert f.valuable_share == pytest.approx(2 / 3)
    assert (f.shares, f.shares_viewed) == (4, 3)
    # 15 and 60 min → 37.5 min; S5 viewed at an unknown time, S2 never viewed
    assert f.share_to_view.median == timedelta(minutes=37, seconds=30)
    assert (f.share_to_view.samples, f.share_to_view.missing) == (2, 1)
    assert any("1 request(s) still wait" in n for n in f.notes)
    assert any("unknown time" in n for n in f.notes)


def test_figure_rows_read_as_the_report():
    figures = compute_figures(KNOWN, PERIOD)
    rows = {name: (value, detail) for name, value, detail in figure_rows(figures)}
    assert rows["Requests sent"] == ("5", "2026-03-02 to 2026-03-05: 4 day(s), 1.2 a day")
    assert rows["Owner response rate"] == ("80 %", "4 of 5 answered")
    assert rows["Median call → request"] == ("25 min", "over 4 requests; 1 without a time")
    assert rows["Median request → upload"] == ("4 h 00 min", "over 2 requests with footage")
    assert rows["Footage marked valuable"][0] == "2 (67 %)"
    assert rows["Median share → first view"] == (
        "37 min", "3 of 4 share(s) viewed; 1 at an unknown time")


def test_empty_period_is_no_data_not_zero():
    f = compute_figures(KNOWN, Period(date(2026, 4, 1), date(2026, 4, 3)))
    assert f.requests_sent == 0 and len(f.per_day) == 3
    assert f.response_rate is None and f.valuable_share is None
    assert f.call_to_request.median is None and f.request_to_upload.median is None
    assert f.share_to_view.median is None
    assert f.notes == ("No requests were sent in this period.",)
    values = [value for _, value, _ in figure_rows(f)]
    assert values == ["0", "—", "—", "—", "0 (—)", "—"]


def test_no_records_at_all():
    f = compute_figures(DashboardRecords(), PERIOD)
    assert [d.sent for d in f.per_day] == [0, 0, 0, 0]
    assert f.response_rate is None


def test_no_answers_is_zero_percent():
    records = DashboardRecords(requests=(
        RequestRecord("A", at(2, 10), "sent"), RequestRecord("B", at(3, 10), "expired"),
        RequestRecord("C", at(3, 11), "opened", opened_at=at(3, 12))))
    f = compute_figures(records, PERIOD)
    assert f.response_rate == 0.0
    assert f.request_to_upload.median is None and f.request_to_upload.samples == 0
    assert f.call_to_request.missing == 3
    assert dict((n, v) for n, v, _ in figure_rows(f))["Owner response rate"] == "0 %"


def test_share_never_viewed():
    records = DashboardRecords(shares=(ShareRecord("S", "U", at(2, 10)),))
    f = compute_figures(records, PERIOD)
    assert (f.shares, f.shares_viewed) == (1, 0)
    assert f.share_to_view == median_time([])


def test_answered_by_status_when_time_missing():
    # An older server row with the state but no answered_at still counts as answered.
    records = DashboardRecords(requests=(RequestRecord("A", at(2, 10), "no_relevant_footage"),))
    assert compute_figures(records, PERIOD).answered == 1


def test_days_follow_the_workstation_zone():
    chicago = ZoneInfo("America/Chicago")
    # 02:00 UTC on 3 March is the evening of 2 March in Shreveport's zone.
    records = DashboardRecords(requests=(RequestRecord("A", at(3, 2), "sent"),))
    f = compute_figures(records, Period(date(2026, 3, 2), date(2026, 3, 3), chicago))
    assert [d.sent for d in f.per_day] == [1, 0]
    f_utc = compute_figures(records, Period(date(2026, 3, 2), date(2026, 3, 3)))
    assert [d.sent for d in f_utc.per_day] == [0, 1]


def test_last_days_period():
    period = Period.last_days(7, at(5, 12))
    assert (period.first, period.last, len(period.days)) == (date(2026, 2, 27), date(2026, 3, 5), 7)
    with pytest.raises(ValueError):
        Period.last_days(0, at(5, 12))


def test_negative_or_unknown_intervals_are_missing():
    m = median_time([timedelta(minutes=5), None, timedelta(minutes=-3), timedelta(minutes=7)])
    assert (m.median, m.samples, m.missing) == (timedelta(minutes=6), 2, 2)


@pytest.mark.parametrize("seconds, text", [
    (None, "—"), (45, "45 s"), (12 * 60 + 30, "12 min"), (3 * 3600 + 5 * 60, "3 h 05 min"),
    (2 * 86400 + 4 * 3600, "2 d 4 h"),
])
def test_format_duration(seconds, text):
    assert format_duration(None if seconds is None else timedelta(seconds=seconds)) == text
