"""The urgency order kept request by request always equals a full sort of the queue: after
random server events, desk marks, reloads, filters and a clock moving both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtcc_desk.core.request_order import UrgencyOrder
from rtcc_desk.core.request_queue import (
    FootageRequest,
    QueueChange,
    RequestFilter,
    RequestQueue,
    RequestState,
    ServerEvent,
)

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
IDS = [f"req-{n:02d}" for n in range(30)]

request_ids = st.sampled_from(IDS)
# Few distinct times, so that ties (same deadline, same creation) are common; some requests
# have no known deadline or creation time.
moments = st.integers(-72, 72).map(lambda hours: NOW + timedelta(hours=hours))
maybe_moments = st.one_of(st.none(), moments)
requests = st.builds(
    lambda rid, state, deadline, created, call, analyst: FootageRequest(
        request_id=rid, camera_id=f"REG-{rid}", state=state, overwrite_deadline=deadline,
        created_at=created, call_ref=call, analyst=analyst),
    request_ids, st.sampled_from(list(RequestState)), maybe_moments, maybe_moments,
    st.sampled_from(["SPT-1", "SPT-2", ""]), st.sampled_from(["dana", "lee"]),
)
statuses = st.sampled_from(["sent", "opened", "uploading", "uploaded", "no_relevant_footage",
                            "declined", "expired"])
filters = st.one_of(
    st.just(RequestFilter()),
    st.builds(RequestFilter, call_ref=st.sampled_from(["", "spt-1", "2"]),
              analyst=st.sampled_from(["", "lee"]),
              states=st.frozensets(st.sampled_from(list(RequestState)), max_size=3)),
)
steps = st.lists(st.one_of(
    st.tuples(st.just("upsert"), st.lists(requests, min_size=1, max_size=3)),
    st.tuples(st.just("status"), request_ids, statuses),
    st.tuples(st.just("progress"), request_ids, st.integers(0, 100)),
    st.tuples(st.just("reviewed"), request_ids, st.booleans()),
    st.tuples(st.just("reload"), st.lists(requests, max_size=20)),
    # no answer, overwritten this very moment or when the clock has moved a half or whole hour
    st.tuples(st.just("due in"), request_ids, st.sampled_from([0, 1800, 3600])),
    # seconds, either way; whole hours too, so that the clock lands right on deadlines
    st.tuples(st.just("clock"), st.one_of(st.integers(-3 * 3600, 3 * 3600),
                                          st.sampled_from([-3600, -1800, 1800, 3600]))),
    st.tuples(st.just("filter"), filters),
), max_size=40)


def shown(queue: RequestQueue, now: datetime, wanted: RequestFilter) -> list[str]:
    return [r.request_id for r in queue.ordered(now, wanted)]


def flagged(queue: RequestQueue, now: datetime) -> frozenset[str]:
    return frozenset(r.request_id for r in queue.escalations(now))


def apply(queue: RequestQueue, step: tuple, event_id: int, now: datetime) -> None:
    kind, *args = step
    if kind == "due in":
        queue.upsert([FootageRequest(request_id=args[0], camera_id="c", state=RequestState.SENT,
                                     overwrite_deadline=now + timedelta(seconds=args[1]),
                                     created_at=now, call_ref="SPT-1", analyst="lee")])
    elif kind == "upsert":
        queue.upsert(args[0])
    elif kind == "status":
        rid, status = args
        queue.apply_event(ServerEvent(event_id, "request.status", {
            "request_id": rid, "camera_id": f"REG-{rid}", "status": status}))
    elif kind == "progress":
        rid, percent = args
        queue.apply_event(ServerEvent(event_id, "upload.progress",
                                      {"request_id": rid, "percent": percent}))
    elif kind == "reviewed" and queue.get(args[0]) is not None:
        queue.mark_reviewed(args[0], valuable=args[1])
    elif kind == "reload":
        queue.reconcile(args[0])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=st.lists(requests, max_size=30), wanted=filters, steps=steps)
def test_the_order_kept_by_changes_equals_a_full_sort(initial, wanted, steps):
    queue = RequestQueue(escalate_within=timedelta(hours=24))
    queue.upsert(initial)
    now = NOW
    order = UrgencyOrder(queue, now, wanted)
    changes: list[QueueChange] = []
    queue.subscribe(changes.append)
    for event_id, step in enumerate(steps, start=1):
        if step[0] == "clock":
            now += timedelta(seconds=step[1])
            order.advance(now)
        elif step[0] == "filter":
            wanted = step[1]
            order.rebuild(now, wanted)
        else:
            apply(queue, step, event_id, now)
            changed = frozenset().union(*(c.changed for c in changes))
            changes.clear()
            order.update(changed, now)
        expected = shown(queue, now, wanted)
        assert order.ids() == expected, step
        assert len(order) == len(expected)
        assert all(order.row_of(rid) == row for row, rid in enumerate(expected))
        assert order.escalated(now) == flagged(queue, now)


def test_update_says_whether_the_shown_sequence_changed():
    queue = RequestQueue()
    ahead = lambda rid, hours, state=RequestState.SENT: FootageRequest(  # noqa: E731
        request_id=rid, camera_id="c", state=state,
        overwrite_deadline=NOW + timedelta(hours=hours), created_at=NOW)
    queue.upsert([ahead("a", 5), ahead("b", 10), ahead("c", 20)])
    order = UrgencyOrder(queue, NOW)
    queue.upsert([ahead("b", 10, RequestState.OPENED)])  # same place: still no answer
    assert order.update({"b"}, NOW) is False
    queue.upsert([ahead("b", 40)])  # later deadline: moves to the end
    assert order.update({"b"}, NOW) is True and order.ids() == ["a", "c", "b"]
    assert order.advance(NOW + timedelta(hours=6)) is True  # "a" overwritten: after the live
    assert order.ids() == ["c", "b", "a"] and order.row_of("a") == 2
    assert order.advance(NOW + timedelta(hours=7)) is False
    later = NOW + timedelta(hours=7)
    assert order.escalated(later) == {"a", "c"}  # within 24 h: "c" has 13 h left, "b" 33 h
    assert order.update({"gone"}, later) is False and order.row_of("gone") is None
    assert order.update({"gone"}, NOW) is True  # the clock set back: "a" is live again
    assert order.ids() == ["a", "c", "b"]
    assert order.advance(NOW + timedelta(hours=20)) is True  # right on "c"'s deadline: passed
    assert order.ids() == ["b", "c", "a"] == shown(queue, order.now, RequestFilter())
