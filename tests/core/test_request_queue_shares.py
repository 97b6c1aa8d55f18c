"""The queue learns when an officer first opened a share link: from the server's "share.viewed"
event live, and from the shares list after a reload; kept across later server updates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rtcc_desk.core.request_queue import (
    QueueChange,
    RequestQueue,
    RequestState,
    ServerEvent,
    ShareOpening,
)
from tests.core.test_request_queue import NOW, request, status_event


def viewed(event_id: int, request_id: str, officer: str, minutes: int) -> ServerEvent:
    return ServerEvent(event_id, "share.viewed", {
        "request_id": request_id, "upload_id": f"U-{request_id}", "share_id": f"S{event_id}",
        "officer_name": officer, "at": (NOW + timedelta(minutes=minutes)).isoformat()},
        object_id=f"S{event_id}")


def test_the_share_viewed_event_marks_the_request_shared_and_opened_by_the_officer():
    queue, seen = RequestQueue(), []
    queue.upsert([request("a", 40, RequestState.UPLOADED)])
    queue.mark_reviewed("a", valuable=True)
    queue.mark_shared("a")
    assert queue.get("a").shared_opened_at is None  # shared, not opened yet
    queue.subscribe(seen.append)
    change = queue.apply_event(viewed(7, "a", "Ofc. Diaz", 32))
    assert change == QueueChange(changed=frozenset({"a"})) and seen == [change]
    got = queue.get("a")
    assert got.state is RequestState.SHARED
    assert (got.shared_opened_by, got.shared_opened_at) == ("Ofc. Diaz", NOW + timedelta(minutes=32))


def test_the_earliest_opening_of_any_link_is_kept_and_replays_change_nothing():
    queue = RequestQueue()
    queue.upsert([request("a", 40, RequestState.UPLOADED)])
    queue.apply_events([viewed(5, "a", "Ofc. Diaz", 30), viewed(6, "a", "Sgt. Moss", 45)])
    assert queue.get("a").shared_opened_by == "Ofc. Diaz"
    assert queue.apply_event(viewed(5, "a", "Ofc. Diaz", 30)).changed == frozenset()  # replayed
    # A second link opened earlier than known (a reload's list is older news than it looks).
    queue.mark_share_opened("a", ShareOpening("Sgt. Moss", NOW + timedelta(minutes=10)))
    assert queue.get("a").shared_opened_by == "Sgt. Moss"
    assert queue.mark_share_opened("a", ShareOpening("Ofc. Diaz", NOW + timedelta(minutes=30))
                                   ).changed == frozenset()


def test_an_opening_survives_server_updates_and_waits_for_a_request_not_yet_known():
    queue = RequestQueue()
    queue.apply_event(viewed(3, "later", "Ofc. Diaz", 5))
    assert queue.get("later") is None
    queue.upsert([request("later", 40, RequestState.UPLOADED)])
    assert queue.get("later").state is RequestState.SHARED
    assert queue.get("later").shared_opened_by == "Ofc. Diaz"
    queue.apply_event(status_event(4, "later", "uploaded"))
    queue.reconcile([request("later", 40, RequestState.UPLOADED)])
    assert queue.get("later").shared_opened_at == NOW + timedelta(minutes=5)


def test_a_reload_restores_verdicts_shares_and_openings_in_one_change():
    queue, seen = RequestQueue(), []
    queue.upsert([request(r, 40, RequestState.UPLOADED) for r in ("a", "b", "c")])
    queue.subscribe(seen.append)
    opened = ShareOpening("Ofc. Diaz", NOW + timedelta(minutes=32))
    change = queue.restore_desk_marks(
        {"a": RequestState.SHARED, "b": RequestState.REVIEWED_NOT_VALUABLE,
         "gone": RequestState.SHARED},
        {"a": opened, "gone": opened})
    assert seen == [change] and change.changed == frozenset({"a", "b"})
    assert queue.get("a").state is RequestState.SHARED and queue.get("a").shared_opened_by == "Ofc. Diaz"
    assert queue.get("b").state is RequestState.REVIEWED_NOT_VALUABLE
    assert queue.get("c").state is RequestState.UPLOADED and queue.get("gone") is None
    assert queue.restore_desk_marks({"a": RequestState.SHARED}, {"a": opened}).changed == frozenset()


def test_an_event_without_a_time_or_request_is_ignored_and_a_naive_time_is_refused():
    queue = RequestQueue()
    queue.upsert([request("a", 40, RequestState.UPLOADED)])
    change = queue.apply_events([
        ServerEvent(1, "share.viewed", {"request_id": "a", "officer_name": "Ofc. Diaz"}),
        ServerEvent(2, "share.viewed", {"officer_name": "Ofc. Diaz", "at": NOW.isoformat()})])
    assert change.changed == frozenset() and queue.get("a").state is RequestState.UPLOADED
    with pytest.raises(ValueError, match="zone"):
        ShareOpening("Ofc. Diaz", NOW.replace(tzinfo=None))
