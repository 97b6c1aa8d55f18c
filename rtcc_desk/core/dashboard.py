"""Time-to-footage figures the RTCC reports to council, computed from plain request records.

Pure: the records come from any source (the server link, a test's known dataset) and every
figure says how many samples it rests on, so an empty period or a missing time reads as
"no data", never as a zero that was not measured.

Cohorts: requests, their answers, uploads and verdicts count in the period the *request* was
created in; shares count in the period the *share* was created in. Days are calendar days in
the zone given (the workstation's own), so "requests sent per day" matches the analysts' day.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

#: Request states in which the owner has answered (uploading counts: the owner said yes).
ANSWERED_STATES = frozenset({"uploading", "uploaded", "no_relevant_footage", "declined"})
#: Upload classifications that are footage (a refused file is not).
FOOTAGE_CLASSES = frozenset({"playable", "native"})


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One footage request as the server knows it, plus the call's time from the desk's feed."""

    request_id: str
    created_at: datetime
    status: str
    call_ref: str = ""
    call_at: datetime | None = None  # when the 911 call came in; None if the desk does not know
    opened_at: datetime | None = None
    answered_at: datetime | None = None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None or self.status in ANSWERED_STATES


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """One file an owner sent; ``completed_at`` None while it is still arriving (or abandoned)."""

    upload_id: str
    request_id: str
    state: str  # receiving | complete | terminated | expired
    completed_at: datetime | None = None
    classification: str | None = None  # playable | native | refused

    @property
    def is_footage(self) -> bool:
        return (self.state == "complete" and self.completed_at is not None
                and self.classification in FOOTAGE_CLASSES)


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """An analyst's verdict on an upload; the newest one per upload counts."""

    upload_id: str
    verdict: str  # valuable | not_valuable
    at: datetime


@dataclass(frozen=True, slots=True)
class ShareRecord:
    """An officer share link; ``viewed`` may be True with no known first-view time."""

    share_id: str
    upload_id: str
    created_at: datetime
    first_viewed_at: datetime | None = None
    viewed: bool = False

    @property
    def was_viewed(self) -> bool:
        return self.viewed or self.first_viewed_at is not None


@dataclass(frozen=True, slots=True)
class DashboardRecords:
    """Everything the dashboard is computed from, as loaded at ``loaded_at``."""

    requests: tuple[RequestRecord, ...] = ()
    uploads: tuple[UploadRecord, ...] = ()
    reviews: tuple[ReviewRecord, ...] = ()
    shares: tuple[ShareRecord, ...] = ()
    loaded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MedianTime:
    """A median over ``samples`` intervals; ``missing`` items had no time to measure."""

    median: timedelta | None
    samples: int
    missing: int


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    sent: int
    answered: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


@dataclass(frozen=True, slots=True)
class Period:
    """Calendar days ``first`` … ``last`` (both included) in ``zone``."""

    first: date
    last: date
    zone: tzinfo = UTC

    @classmethod
    def last_days(cls, days: int, now: datetime, zone: tzinfo = UTC) -> Period:
        """The ``days`` days up to and including today (in ``zone``)."""
        if days < 1:
            raise ValueError(f"a period has at least one day, not {days}")
        today = now.astimezone(zone).date()
        return cls(today - timedelta(days=days - 1), today, zone)

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def contains(self, moment: datetime) -> bool:
        return self.first <= self.day_of(moment) <= self.last

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    period: Period
    per_day: tuple[DayCount, ...]
    requests_sent: int
    answered: int
    call_to_request: MedianTime
    request_to_upload: MedianTime
    uploads_with_footage: int
    reviewed: int
    valuable: int
    shares: int
    shares_viewed: int
    share_to_view: MedianTime
    notes: tuple[str, ...] = field(default=())

    @property
    def response_rate(self) -> float | None:
        """Answered / sent; None when nothing was sent (not 0 %: nothing was measured)."""
        return self.answered / self.requests_sent if self.requests_sent else None

    @property
    def valuable_share(self) -> float | None:
        """Valuable / reviewed uploads; None when nothing was reviewed."""
        return self.valuable / self.reviewed if self.reviewed else None

    @property
    def average_per_day(self) -> float:
        return self.requests_sent / len(self.per_day) if self.per_day else 0.0


def median_time(intervals: Iterable[timedelta | None]) -> MedianTime:
    """The median of the known, non-negative intervals; None ones (and negative ones: clocks
    that disagree) are counted as missing rather than guessed."""
    known, missing = [], 0
    for interval in intervals:
        if interval is None or interval < timedelta(0):
            missing += 1
        else:
            known.append(interval.total_seconds())
    if not known:
        return MedianTime(None, 0, missing)
    return MedianTime(timedelta(seconds=statistics.median(known)), len(known), missing)


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


def newest_verdicts(reviews: Iterable[ReviewRecord]) -> dict[str, str]:
    """upload id → the verdict in force (the newest review; ties go to the later record)."""
    newest: dict[str, ReviewRecord] = {}
    for review in reviews:
        held = newest.get(review.upload_id)
        if held is None or review.at >= held.at:
            newest[review.upload_id] = review
    return {upload_id: review.verdict for upload_id, review in newest.items()}


def compute_figures(records: DashboardRecords, period: Period) -> DashboardFigures:
    """Every council figure for ``period``."""
    requests = [r for r in records.requests if period.contains(r.created_at)]
    in_cohort = {r.request_id for r in requests}
    per_day = {day: [0, 0] for day in period.days}
    for request in requests:
        counts = per_day[period.day_of(request.created_at)]
        counts[0] += 1
        counts[1] += request.answered

    first_footage: dict[str, datetime] = {}
    footage_ids: set[str] = set()
    for upload in records.uploads:
        if upload.request_id in in_cohort and upload.is_footage:
            footage_ids.add(upload.upload_id)
            held = first_footage.get(upload.request_id)
            if held is None or upload.completed_at < held:
                first_footage[upload.request_id] = upload.completed_at
    # Request → upload is measured over the requests that got footage; the others have none.
    request_to_upload = median_time(
        _between(r.created_at, first_footage[r.request_id])
        for r in requests if r.request_id in first_footage)
    verdicts = {u: v for u, v in newest_verdicts(records.reviews).items() if u in footage_ids}

    shares = [s for s in records.shares if period.contains(s.created_at)]
    share_to_view = median_time(
        _between(s.created_at, s.first_viewed_at) for s in shares if s.was_viewed)
    notes = _notes(requests, shares)
    return DashboardFigures(
        period=period,
        per_day=tuple(DayCount(day, sent, answered) for day, (sent, answered) in per_day.items()),
        requests_sent=len(requests),
        answered=sum(r.answered for r in requests),
        call_to_request=median_time(_between(r.call_at, r.created_at) for r in requests),
        request_to_upload=request_to_upload,
        uploads_with_footage=len(footage_ids),
        reviewed=len(verdicts),
        valuable=sum(v == "valuable" for v in verdicts.values()),
        shares=len(shares),
        shares_viewed=sum(s.was_viewed for s in shares),
        share_to_view=share_to_view,
        notes=notes,
    )


def _notes(requests: Sequence[RequestRecord], shares: Sequence[ShareRecord]) -> tuple[str, ...]:
    notes = []
    if not requests:
        notes.append("No requests were sent in this period.")
    waiting = sum(not r.answered and r.status in ("sent", "opened") for r in requests)
    if waiting:
        notes.append(f"{waiting} request(s) still wait for an answer: the response rate may rise.")
    unknown_view = sum(s.viewed and s.first_viewed_at is None for s in shares)
    if unknown_view:
        notes.append(f"{unknown_view} share(s) were viewed at an unknown time "
                     "(left out of the median).")
    return tuple(notes)


# ----- presentation (plain text, shared by the pane and reports) ---------------------------

def format_duration(value: timedelta | None) -> str:
    """'—' for no data; else the two largest units: '45 s', '12 min', '3 h 05 min', '2 d 4 h'."""
    if value is None:
        return "—"
    seconds = round(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def format_rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _median_detail(figure: MedianTime, what: str) -> str:
    if figure.samples == 0 and figure.missing == 0:
        return f"no {what}"
    text = f"over {figure.samples} {what}"
    return text + (f"; {figure.missing} without a time" if figure.missing else "")


def figure_rows(figures: DashboardFigures) -> list[tuple[str, str, str]]:
    """(figure, value, how it was counted) — the table the council report is read from."""
    f = figures
    first, last = f.period.first.isoformat(), f.period.last.isoformat()
    return [
        ("Requests sent", str(f.requests_sent),
         f"{first} to {last}: {len(f.per_day)} day(s), {f.average_per_day:.1f} a day"),
        ("Owner response rate", format_rate(f.response_rate),
         f"{f.answered} of {f.requests_sent} answered" if f.requests_sent else "no requests"),
        ("Median call → request", format_duration(f.call_to_request.median),
         _median_detail(f.call_to_request, "requests")),
        ("Median request → upload", format_duration(f.request_to_upload.median),
         _median_detail(f.request_to_upload, "requests with footage")),
        ("Footage marked valuable", f"{f.valuable} ({format_rate(f.valuable_share)})",
         f"of {f.reviewed} reviewed; {f.uploads_with_footage} upload(s) with footage"),
        ("Median share → first view", format_duration(f.share_to_view.median),
         f"{f.shares_viewed} of {f.shares} share(s) viewed"
         + (f"; {f.share_to_view.missing} at an unknown time" if f.share_to_view.missing else "")),
    ]
