"""The desk's event stream: events commit with their change, replay after an id, follow live;
old events are pruned and a desk resuming from one is told to resynchronise."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server_stub import events
from server_stub.housekeeping import run_once
from server_stub.models.events import Event
from tests.server.conftest import Inbox
from tests.server.helpers import add_camera, login_as
from tests.server.registration_helpers import cameras, csrf, register_and_verify
from tests.server.test_requests import LINK, ask
from tests.server.test_tus import DATA, create, make_request, patch


@pytest.fixture
def desk(client, services):
    return login_as(client, services, "analyst")


def parse(text: str) -> list[dict]:
    """Server-sent events as dicts (id, event, data); comments and retry lines are skipped."""
    found = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines()
                      if line and not line.startswith((":", "retry:")))
        if fields:
            found.append({"id": int(fields["id"]), "event": fields["event"],
                          "data": json.loads(fields["data"])})
    return found


def read(client, headers, **params) -> list[dict]:
    response = client.get("/api/events", headers=headers, params={"until_idle": 1, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    received = parse(response.text)
    assert received[0]["event"] == "ready"
    return received


def changes(client, headers, after=0) -> list[dict]:
    return read(client, headers, after=after)[1:]


def test_a_request_its_opening_and_its_answer_each_make_an_event(client, services, desk, smtp_inbox):
    inbox, _ = smtp_inbox
    camera = add_camera(services, email="lee@example.test")
    (made,) = client.post("/api/requests", json=ask([camera]), headers=desk).json()
    (created,) = changes(client, desk)
    assert created["event"] == "request.created" and created["data"]["object_id"] == made["id"]
    assert created["data"]["data"]["status"] == "sent"
    assert created["data"]["data"]["camera_id"] == camera

    token = LINK.findall(Inbox.body(inbox.last_to("lee@example.test")))[0]
    page = client.get(f"/r/{token}", headers={"accept": "text/html"})
    client.post(f"/r/{token}/answer", data={"choice": "declined", "csrf_token": csrf(page.text)})
    later = changes(client, desk, after=created["id"])
    assert [(e["event"], e["data"]["data"]["status"]) for e in later] == [
        ("request.status", "opened"), ("request.status", "declined")]
    assert [e["id"] for e in later] == [created["id"] + 1, created["id"] + 2]


def test_replay_starts_after_last_event_id_and_a_cursor_from_elsewhere_asks_for_a_resync(
        client, services, desk):
    with services.sessions() as session:
        for n in range(3):
            events.publish(session, "test.kind", f"object{n}", {"n": n})
        session.commit()
    first, second, third = changes(client, desk)
    replay = read(client, {**desk, "Last-Event-ID": str(first["id"])})
    assert replay[0]["data"] == {"cursor": first["id"], "resync": False}
    assert [e["id"] for e in replay[1:]] == [second["id"], third["id"]]
    assert read(client, desk, after=second["id"])[1:] == [third]
    # No cursor, or one past the newest event (another database): nothing replayed, resync.
    fresh = {"no_cursor": read(client, desk),
             "unknown_cursor": read(client, {**desk, "Last-Event-ID": "999999"})}
    for reason, received in fresh.items():
        assert received == [{"id": third["id"], "event": "ready",
                             "data": {"cursor": third["id"], "resync": True, "reason": reason}}]
    bad = client.get("/api/events", headers={**desk, "Last-Event-ID": "x1"})
    assert bad.status_code == 400


def test_the_stream_needs_a_desk_role(client, services):
    assert client.get("/api/events", params={"until_idle": 1}).status_code == 401
    reviewer = login_as(client, services, "privacy_reviewer")
    assert client.get("/api/events", headers=reviewer, params={"until_idle": 1}).status_code == 403
    for role in ("supervisor", "admin"):
        read(client, login_as(client, services, role))


def test_an_event_exists_only_if_its_transaction_commits(client, services, desk):
    with services.sessions() as session:
        events.publish(session, "test.kind", "rolled-back", {})
        session.flush()
        session.rollback()
        events.publish(session, "test.kind", "closed-without-commit", {})
    with services.sessions() as session:
        events.publish(session, "test.kind", "kept", {})
        session.commit()
    with services.sessions() as session:
        kept = session.scalars(select(Event)).all()
    assert [(e.id, e.object_id) for e in kept] == [(1, "kept")]  # and no gap in the ids
    assert [e["data"]["object_id"] for e in changes(client, desk)] == ["kept"]


def test_a_registration_publishes_each_camera_with_its_sync_version(client, services, desk,
                                                                      smtp_inbox):
    inbox, _ = smtp_inbox
    register_and_verify(client, inbox)
    found = [e["data"]["data"] for e in changes(client, desk) if e["event"] == "registry.change"]
    latest = {c["camera_id"]: c for c in found}  # the newest event per camera wins
    assert {(c.id, c.sync_version, c.status) for c in cameras(services)} == {
        (c["camera_id"], c["sync_version"], c["status"]) for c in latest.values()}
    assert {c["status"] for c in latest.values()} == {"active"}


def test_a_chunked_upload_reports_throttled_progress_then_completion(client, services, desk,
                                                                     monkeypatch):
    # A stopped clock: only the first percent and the 5 % steps let progress through.
    monkeypatch.setattr(events, "progress_throttle", events.ProgressThrottle(clock=lambda: 0.0))
    token, request_id = make_request(services, status="opened")
    url = create(client, token, len(DATA))
    size = len(DATA) // 100 + 1
    for offset in range(0, len(DATA), size):
        assert patch(client, url, offset, DATA[offset:offset + size]).status_code == 204
    received = changes(client, desk)
    kinds = [e["event"] for e in received]
    assert kinds[:2] == ["upload.created", "request.status"] and kinds.count("upload.progress") == 20
    progress = [e["data"]["data"]["percent"] for e in received if e["event"] == "upload.progress"]
    assert progress == sorted(progress) and all(p % 5 < 2 for p in progress)
    complete = next(e["data"]["data"] for e in received if e["event"] == "upload.complete")
    assert complete["request_id"] == request_id and complete["classification"] == "native"
    assert complete["percent"] == 100
    assert received[-1]["event"] == "request.status"
    assert received[-1]["data"]["data"]["status"] == "uploaded"


def test_the_progress_throttle_passes_5_percent_steps_or_2_seconds_but_never_the_same_percent():
    now = [0.0]
    throttle = events.ProgressThrottle(clock=lambda: now[0])
    assert not throttle.due("u", 0, 1000)  # nothing new yet
    assert throttle.due("u", 10, 1000)  # the first percent ever
    assert not throttle.due("u", 20, 1000)  # 2 %: too soon, no step crossed
    assert throttle.due("u", 50, 1000)  # 5 %
    now[0] = 2.0
    assert throttle.due("u", 60, 1000)  # 6 %, two seconds later
    now[0] = 60.0
    assert not throttle.due("u", 69, 1000)  # still 6 %
    # A 4 GB upload in 4 MB chunks with the clock standing still: 1 %, then every 5 % step.
    assert sum(throttle.due("big", n * 4 * 2**20, 4 * 2**30) for n in range(1024)) == 20
    throttle.forget("u")
    assert throttle.due("u", 10, 1000)


def test_the_live_stream_follows_new_events_sends_keepalives_and_stops(services):
    disconnected = [False]

    async def is_disconnected() -> bool:
        return disconnected[0]

    async def follow() -> list[str]:
        stream = events.stream(services.sessions, 0, is_disconnected=is_disconnected,
                               poll_s=0.01, heartbeat_s=0.05)
        got = [await anext(stream)]  # ready
        with services.sessions() as session:
            events.publish(session, "test.kind", "live", {"x": 1})
            session.commit()
        got.append(await anext(stream))
        got.append(await anext(stream))  # nothing new: a keepalive comes
        disconnected[0] = True
        got.extend([chunk async for chunk in stream])
        return got

    ready, live, keepalive, *rest = asyncio.run(follow())
    assert "event: ready" in ready and "retry: 3000" in ready
    assert parse(live)[0]["data"]["object_id"] == "live"
    assert keepalive == ": keepalive\n\n" and rest == []

    async def expired() -> list[str]:
        past = datetime.now(UTC) - timedelta(seconds=1)
        return [c async for c in events.stream(services.sessions, None, ends_at=past,
                                               is_disconnected=is_disconnected)]

    disconnected[0] = False
    assert len(asyncio.run(expired())) == 1  # ready, then the token's expiry ends it


def publish_aged(services, ages_days: list[float]) -> list[int]:
    """One event per age, oldest first (as the log fills: ids and times rise together)."""
    with services.sessions() as session:
        for n, _ in enumerate(ages_days):
            events.publish(session, "test.kind", f"object{n}", {"n": n})
        session.commit()
        rows = session.scalars(select(Event).order_by(Event.id)).all()[-len(ages_days):]
        for row, age in zip(rows, ages_days, strict=True):
            row.at = datetime.now(UTC) - timedelta(days=age)
        session.commit()
        return [row.id for row in rows]


def test_housekeeping_prunes_old_events_and_a_desk_resuming_from_a_pruned_id_must_resync(
        client, services, desk):
    ids = publish_aged(services, [9, 8, 8, 2, 0])
    assert run_once(services)["pruned desk events"] == 3  # older than the default 7 days
    with services.sessions() as session:
        assert session.scalars(select(Event.id).order_by(Event.id)).all() == ids[3:]

    # Resuming right after the last pruned id loses nothing: a plain replay.
    resumed = read(client, {**desk, "Last-Event-ID": str(ids[2])})
    assert resumed[0]["data"] == {"cursor": ids[2], "resync": False}
    assert [e["id"] for e in resumed[1:]] == ids[3:]
    # Resuming from before it would skip pruned events: reload from the REST API instead.
    gone = read(client, {**desk, "Last-Event-ID": str(ids[0])})
    assert gone == [{"id": ids[-1], "event": "ready",
                     "data": {"cursor": ids[-1], "resync": True, "reason": "pruned"}}]

    # A shorter retention (setting) prunes everything; ids go on from where they were.
    one_day = replace(services, settings=services.settings.model_copy(
        update={"event_retention_days": 1}))
    assert run_once(one_day)["pruned desk events"] == 1
    assert run_once(one_day, now=datetime.now(UTC) + timedelta(days=2))["pruned desk events"] == 1
    up_to_date = read(client, {**desk, "Last-Event-ID": str(ids[-1])})
    assert up_to_date == [{"id": ids[-1], "event": "ready",
                           "data": {"cursor": ids[-1], "resync": False}}]
    assert read(client, {**desk, "Last-Event-ID": str(ids[3])})[0]["data"]["reason"] == "pruned"
    (newer,) = publish_aged(services, [0])
    assert newer == ids[-1] + 1
    assert [e["id"] for e in changes(client, desk, after=ids[-1])] == [newer]


def test_a_reader_overtaken_by_pruning_is_told_to_resync_mid_stream(services):
    first, second, third, fourth = publish_aged(services, [9, 9, 1, 0])

    async def follow() -> list[dict]:
        async def connected() -> bool:
            return False

        stream = events.stream(services.sessions, first, is_disconnected=connected,
                               until_idle=True)
        got = [await anext(stream)]  # the cursor is still good when the stream starts…
        with services.sessions() as session:  # …then housekeeping prunes under it
            events.prune(session, datetime.now(UTC) - timedelta(days=7))
            session.commit()
        got.extend([chunk async for chunk in stream])
        return [event for chunk in got for event in parse(chunk)]

    received = asyncio.run(follow())
    assert [(e["event"], e["id"]) for e in received] == [
        ("ready", first), ("ready", second), ("test.kind", third), ("test.kind", fourth)]
    assert received[0]["data"] == {"cursor": first, "resync": False}
    assert received[1]["data"] == {"cursor": second, "resync": True, "reason": "pruned"}
