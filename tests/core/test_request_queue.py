"""The request queue's rules without Qt or a server: states, urgency, escalation, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rtcc_desk.core.request_queue import (
    FootageRequest,
    QueueChange,
    RequestDraft,
    RequestFilter,
    RequestQueue,
    RequestState,
    RequestWindow,
    ServerEvent,
    needs_escalation,
    reminders_due,
)

NOW = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


def request(request_id: str, hours_left: float | None, state=RequestState.SENT, **fields) -> FootageRequest:
    deadline = None if hours_left is None else NOW + timedelta(hours=hours_left)
    return FootageRequest(request_id=request_id, camera_id=f"REG-{request_id}", state=state,
                          overwrite_deadline=deadline, created_at=NOW - timedelta(hours=1), **fields)


def status_event(event_id: int, request_id: str, status: str, **data) -> ServerEvent:
    return ServerEvent(event_id, "request.status", {"request_id": request_id, "status": status,
                                                    "camera_id": f"REG-{request_id}", **data})


def test_the_window_defaults_to_fifteen_minutes_either_side_on_whole_minutes():
    window = RequestWindow.around(datetime(2026, 3, 14, 17, 42, 37, 120, tzinfo=UTC))
    assert window.start == datetime(2026, 3, 14, 17, 27, tzinfo=UTC)
    assert window.end == datetime(2026, 3, 14, 17, 57, tzinfo=UTC)
    with pytest.raises(ValueError, match="end after"):
        RequestWindow(window.end, window.start)
    with pytest.raises(ValueError, match="zone"):
        RequestWindow(datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_a_draft_needs_cameras_and_a_justification_and_keeps_one_client_id():
    window = RequestWindow.around(NOW)
    with pytest.raises(ValueError, match="justification"):
        RequestDraft(("REG-1",), window, "  ")
    with pytest.raises(ValueError, match="camera"):
        RequestDraft((), window, "armed robbery")
    a, b = RequestDraft(("REG-1",), window, "robbery"), RequestDraft(("REG-1",), window, "robbery")
    assert a.client_id != b.client_id and len(a.client_id) >= 8


def test_urgency_puts_the_least_time_left_first_and_answered_requests_last():
    queue = RequestQueue()
    queue.upsert([
        request("a", 70), request("b", 5), request("c", None), request("d", 30, RequestState.OPENED),
        request("e", 1, RequestState.UPLOADED), request("f", -2),
    ])
    assert [r.request_id for r in queue.ordered(NOW)] == ["b", "d", "a", "f", "c", "e"]


def test_escalation_when_the_deadline_is_near_with_no_answer_and_clock_moves():
    queue = RequestQueue(escalate_within=timedelta(hours=24))
    waiting, answered = request("a", 30), request("b", 3, RequestState.DECLINED)
    queue.upsert([waiting, answered])
    assert queue.escalations(NOW) == []
    later = NOW + timedelta(hours=6, seconds=1)  # 23:59:59 left
    assert [r.request_id for r in queue.escalations(later)] == ["a"]
    assert not needs_escalation(answered, later)
    queue.apply_event(status_event(1, "a", "opened"))
    assert queue.escalations(later) != []  # opened is still no answer
    queue.apply_event(status_event(2, "a", "no_relevant_footage"))
    assert queue.escalations(later) == []


def test_reminder_points_are_configurable_and_counted_only_while_waiting():
    waiting = request("a", 80)
    points = (timedelta(hours=72), timedelta(hours=24))
    assert reminders_due(waiting, NOW, points) == 0
    assert reminders_due(waiting, NOW + timedelta(hours=8), points) == 1
    assert reminders_due(waiting, NOW + timedelta(hours=57), points) == 2
    assert reminders_due(waiting, NOW, (timedelta(hours=96),)) == 1
    assert reminders_due(request("b", 1, RequestState.UPLOADING), NOW, points) == 0


def test_server_events_move_states_and_upload_percentages_and_replays_are_ignored():
    queue, seen = RequestQueue(), []
    queue.subscribe(seen.append)
    queue.upsert([request("a", 40)])
    queue.apply_events([
        ServerEvent(10, "ready", {"cursor": 9, "resync": False}),
        status_event(11, "a", "opened"),
        status_event(12, "a", "uploading"),
        ServerEvent(13, "upload.progress", {"request_id": "a", "percent": 35}),
    ])
    assert queue.get("a").state is RequestState.UPLOADING and queue.get("a").upload_percent == 35
    queue.apply_event(status_event(11, "a", "sent"))  # an old event replayed after a reconnect
    assert queue.get("a").state is RequestState.UPLOADING
    queue.apply_event(status_event(14, "a", "uploaded"))
    assert queue.get("a").state is RequestState.UPLOADED and queue.get("a").upload_percent == 100
    assert queue.last_event_id == 14
    assert seen[-1] == QueueChange(changed=frozenset({"a"}))


def test_a_request_known_only_from_an_event_is_marked_for_fetching():
    queue = RequestQueue()
    change = queue.apply_event(ServerEvent(1, "request.created", {
        "request_id": "x", "camera_id": "REG-9", "status": "sent", "client_id": "c1"}))
    assert change.incomplete == {"x"} and queue.get("x").complete is False
    queue.upsert([request("x", 10)])
    assert queue.get("x").complete


def test_a_resync_ready_event_is_reported_and_reconcile_lets_the_server_win():
    queue = RequestQueue()
    queue.upsert([request("a", 40), request("gone", 10)])
    change = queue.apply_event(ServerEvent(50, "ready", {"cursor": 50, "resync": True, "reason": "pruned"}))
    assert change.resync and queue.last_event_id == 50
    queue.reconcile([request("a", 40, RequestState.DECLINED), request("new", 4)])
    assert {r.request_id for r in queue.requests()} == {"a", "new"}
    assert queue.get("a").state is RequestState.DECLINED


def test_review_and_share_survive_later_server_updates():
    queue = RequestQueue()
    queue.upsert([request("a", 40, RequestState.UPLOADED)])
    queue.mark_reviewed("a", valuable=True)
    queue.apply_event(status_event(3, "a", "uploaded"))
    assert queue.get("a").state is RequestState.REVIEWED_VALUABLE
    queue.mark_shared("a")
    queue.reconcile([request("a", 40, RequestState.UPLOADED)])
    assert queue.get("a").state is RequestState.SHARED
    assert RequestState.SHARED.label == "shared"
    assert RequestState.NO_RELEVANT_FOOTAGE.label == "no relevant footage"


def test_filters_by_call_case_state_and_analyst():
    queue = RequestQueue()
    queue.upsert([
        request("a", 5, call_ref="SPT-1", case_ref="C-100", analyst="dana"),
        request("b", 6, RequestState.DECLINED, call_ref="SPT-2", case_ref="C-100", analyst="lee"),
        request("c", 7, call_ref="SPT-2", case_ref="C-200", analyst="dana"),
    ])
    ids = lambda f: [r.request_id for r in queue.ordered(NOW, f)]  # noqa: E731
    assert ids(RequestFilter(call_ref="spt-2")) == ["c", "b"]
    assert ids(RequestFilter(case_ref="C-100", analyst="dana")) == ["a"]
    assert ids(RequestFilter(states=frozenset({RequestState.DECLINED}))) == ["b"]
    assert queue.values_of("analyst") == ["dana", "lee"]


def test_server_records_are_read_with_their_times():
    record = FootageRequest.from_server({
        "id": "r1", "client_id": "c1", "camera_id": "REG-1", "status": "no_relevant_footage",
        "channel": "sms", "delivery_error": "", "call_ref": "SPT-1", "case_ref": "", "analyst": "dana",
        "window_start": "2026-03-14T17:27:00Z", "window_end": "2026-03-14T17:57:00+00:00",
        "overwrite_deadline": None, "created_at": "2026-03-14T18:00:00+00:00", "opened_at": None,
        "answered_at": None, "link_expires_at": "2026-03-24T18:00:00+00:00",
    })
    assert record.state is RequestState.NO_RELEVANT_FOOTAGE and record.channel == "sms"
    assert record.window_start == datetime(2026, 3, 14, 17, 27, tzinfo=UTC)
