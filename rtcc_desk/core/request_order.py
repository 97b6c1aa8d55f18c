"""The request queue in urgency order, kept current request by request instead of re-sorted.

A queue of thousands of requests gets a state event every few hundred milliseconds; sorting all
of it on each one (``RequestQueue.ordered``) cost 12–16 ms of the desk's GUI thread. Here each
request's place is a sort key worked out once, and a change re-places only the request that
changed (bisect). The key depends on the clock only through "overdue" (the deadline has
passed): the clock moving on re-places just the requests whose deadline it passed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from rtcc_desk.core.request_queue import FootageRequest, RequestFilter, RequestQueue

# Groups, most urgent first, as ``urgency_key`` orders them: no answer yet and the deadline
# ahead (least time left first); no answer and the deadline passed (most recently passed first);
# no answer and no known deadline; answered (newest first). Ties go by request id.
_AHEAD, _PASSED, _NO_DEADLINE, _ANSWERED = range(4)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

SortKey = tuple  # (group, value, request id): the request id is always last


def _micros(at: datetime) -> int:
    """A time as whole microseconds since 1970 (exact, unlike a float timestamp)."""
    return (at - _EPOCH) // _MICROSECOND


def sort_key(request: FootageRequest, now: datetime) -> SortKey:
    """Where the request goes at ``now``: the same order as ``urgency_key``, but a key that
    stays right as the clock moves until the request's deadline passes."""
    if request.awaiting_owner:
        deadline = request.overwrite_deadline
        if deadline is None:
            return (_NO_DEADLINE, 0, request.request_id)
        if deadline > now:
            return (_AHEAD, _micros(deadline), request.request_id)
        return (_PASSED, -_micros(deadline), request.request_id)
    created = request.created_at.timestamp() if request.created_at else 0.0
    return (_ANSWERED, -created, request.request_id)


class UrgencyOrder:
    """The requests a filter shows, most urgent first (the order ``queue.ordered(now, wanted)``
    gives), and the ones needing escalation (``queue.escalations(now)``, as a set).

    Tell it which requests changed (``update``) and when the clock moved (``advance``); it
    reads them from the queue and moves only those. ``rebuild`` sorts from scratch (a new
    filter)."""

    def __init__(self, queue: RequestQueue, now: datetime,
                 wanted: RequestFilter | None = None) -> None:
        self.queue = queue
        self.rebuild(now, wanted)

    # ----- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._keys)

    def ids(self) -> list[str]:
        return [key[-1] for key in self._keys]

    def id_at(self, row: int) -> str:
        return self._keys[row][-1]

    def row_of(self, request_id: str) -> int | None:
        key = self._key_of.get(request_id)
        return None if key is None else bisect_left(self._keys, key)

    def escalated(self, now: datetime) -> frozenset[str]:
        """Requests with no answer whose deadline is within the queue's escalation time."""
        end = bisect_right(self._deadlines, _micros(now + self.queue.escalate_within),
                           key=lambda entry: entry[0])
        return frozenset(request_id for _, request_id in self._deadlines[:end])

    # ----- changing -----------------------------------------------------------------------

    def rebuild(self, now: datetime, wanted: RequestFilter | None = None) -> None:
        """Sort the whole queue (through ``wanted``, None: everything) at ``now``."""
        self.wanted, self.now = wanted, now
        requests = self.queue.requests()
        self._key_of = {r.request_id: sort_key(r, now) for r in requests
                        if wanted is None or wanted.matches(r)}
        self._keys = sorted(self._key_of.values())
        self._deadline_of = {r.request_id: entry for r in requests
                             if (entry := _deadline_entry(r)) is not None}
        self._deadlines = sorted(self._deadline_of.values())

    def update(self, changed: Iterable[str], now: datetime) -> bool:
        """Re-read ``changed`` requests from the queue (new, changed or gone) at ``now``;
        True if the shown sequence of requests changed (order or which ones)."""
        moved = self.advance(now)
        for request_id in changed:
            request = self.queue.get(request_id)
            shown = request is not None and (self.wanted is None or self.wanted.matches(request))
            moved |= self._place(request_id, sort_key(request, now) if shown else None)
            self._set_deadline(request_id, request)
        return moved

    def advance(self, now: datetime) -> bool:
        """The clock moved to ``now``: requests whose deadline it passed (or, set back, no
        longer passed) change group. True if that changed the order."""
        self.now, when = now, _micros(now)
        keys, crossed = self._keys, []
        while keys and keys[0][0] == _AHEAD and keys[0][1] <= when:  # soonest deadline first
            crossed.append(keys.pop(0))
        start = bisect_left(keys, (_PASSED,))  # a clock set back: latest deadline first
        while start < len(keys) and keys[start][0] == _PASSED and -keys[start][1] > when:
            crossed.append(keys.pop(start))
        for group, value, request_id in crossed:
            key = (_PASSED if group == _AHEAD else _AHEAD, -value, request_id)
            insort(keys, key)
            self._key_of[request_id] = key
        return bool(crossed)

    # ----- inside -------------------------------------------------------------------------

    def _place(self, request_id: str, key: SortKey | None) -> bool:
        """Put the request at ``key`` (None: not shown); True if the sequence changed."""
        old = self._key_of.get(request_id)
        if old == key:
            return False
        keys = self._keys
        was = None
        if old is not None:
            was = bisect_left(keys, old)
            del keys[was]
            del self._key_of[request_id]
        if key is None:
            return True
        row = bisect_left(keys, key)
        keys.insert(row, key)
        self._key_of[request_id] = key
        return row != was

    def _set_deadline(self, request_id: str, request: FootageRequest | None) -> None:
        entry = None if request is None else _deadline_entry(request)
        old = self._deadline_of.get(request_id)
        if old == entry:
            return
        if old is not None:
            del self._deadlines[bisect_left(self._deadlines, old)]
            del self._deadline_of[request_id]
        if entry is not None:
            insort(self._deadlines, entry)
            self._deadline_of[request_id] = entry


def _deadline_entry(request: FootageRequest) -> tuple[int, str] | None:
    """(deadline, id) of a request whose deadline still threatens it: no answer yet."""
    if not request.awaiting_owner or request.overwrite_deadline is None:
        return None
    return (_micros(request.overwrite_deadline), request.request_id)
