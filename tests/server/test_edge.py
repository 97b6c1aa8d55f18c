"""Edge recorders through a real server on loopback (SQLite and PostgreSQL), with a small box
speaking the protocol: enrollment codes, the box's credential, long-poll, a clip that becomes
evidence through tus, a paused box's refusal, live relay to a desk, and the audit trail."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from server_stub.edge_hub import hub_of
from server_stub.main import create_app
from server_stub.models.edge import EdgeBox, EdgeEnrollmentCode
from server_stub.models.events import Event
from server_stub.models.registry import Owner
from server_stub.models.uploads import Upload
from server_stub.routes import edge_box
from tests.server.browser import LiveServer, login_live
from tests.server.conftest import free_port
from tests.server.edge_helpers import (
    CAMERAS,
    PAUSED,
    BoxClient,
    actions,
    audit_records,
    issue_code,
    make_ts_clip,
    probe_codec,
)


@pytest.fixture(scope="session")
def ts_clip(tmp_path_factory) -> bytes:
    return make_ts_clip(tmp_path_factory.mktemp("edge-clip"))


@pytest.fixture
def server(server_settings):
    port = free_port()
    settings = server_settings.model_copy(update={"public_base_url": f"http://127.0.0.1:{port}"})
    app = create_app(settings)
    with LiveServer(app, port) as live:
        live.services = app.state.services
        live.admin = login_live(live.url, live.services, "admin")
        live.analyst = login_live(live.url, live.services, "analyst")
        yield live


@pytest.fixture
def box(server):
    enrolled = BoxClient.enroll(server.url, issue_code(server.url, server.admin))
    assert enrolled.heartbeat().status_code == 204
    yield enrolled
    enrolled.close()


def channel_ids(server) -> dict[int, str]:
    listed = httpx.get(f"{server.url}/api/edge/channels", headers=server.analyst).json()
    return {c["channel"]: c["id"] for c in listed}


def ask_clip(server, channel_id: str, **extra) -> httpx.Response:
    start = datetime.now(UTC) - timedelta(hours=1)
    return httpx.post(f"{server.url}/api/edge/channels/{channel_id}/clip", headers=server.analyst,
                      json={"start": start.isoformat(), "end": (start + timedelta(minutes=10)).isoformat(),
                            "justification": "Robbery at the register; suspect fled on foot",
                            "call_ref": "SPT-2026-000123", "case_ref": "SPD-26-0456", **extra})


# ----- enrollment and credentials -----------------------------------------------------------


def test_enrollment_code_works_once_and_only_hashes_are_kept(server):
    code = issue_code(server.url, server.admin, business_name="Corner Store", address="1 Main St")
    box = BoxClient.enroll(server.url, code)
    again = httpx.post(f"{server.url}/api/edge/enroll",
                       json={"code": code.lower(), "box_name": "Second box", "cameras": []})
    assert again.status_code == 409
    assert "already used" in again.json()["detail"] and "new one" in again.json()["detail"]
    with server.services.sessions() as session:
        stored = session.get(EdgeBox, box.box_id)
        assert stored.credential_hash == hashlib.sha256(box.credential.encode()).hexdigest()
        [row] = session.scalars(select(EdgeEnrollmentCode)).all()
        assert code not in row.code_hash and row.used_by_box == box.box_id
        owner = session.get(Owner, box.box_id)
        assert (owner.name, owner.is_business, owner.address) == ("Corner Store", True, "1 Main St")
    enrolls = [r for r in audit_records(server.services) if r.action == "edge.enroll"]
    assert [r.outcome for r in enrolls] == ["success", "failure"]
    assert "already used" in enrolls[1].justification
    assert actions(server.services)[0] == "edge.code.issue"
    assert not [r for r in audit_records(server.services) if code in r.object + r.justification]


def test_an_expired_or_unknown_code_is_refused(server):
    code = issue_code(server.url, server.admin)
    with server.services.sessions() as session:
        session.execute(update(EdgeEnrollmentCode).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        session.commit()
    expired = httpx.post(f"{server.url}/api/edge/enroll", json={"code": code, "box_name": "Shop"})
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]
    unknown = httpx.post(f"{server.url}/api/edge/enroll", json={"code": "ABCD-EFGH-JKMN", "box_name": "Shop"})
    assert unknown.status_code == 404 and "not known" in unknown.json()["detail"]
    only_admins = httpx.post(f"{server.url}/api/edge/enrollment-codes", headers=server.analyst)
    assert only_admins.status_code == 403


def test_a_fifth_camera_or_a_repeated_channel_is_refused(server):
    code = issue_code(server.url, server.admin)
    five = [{**CAMERAS[0], "channel": n} for n in (1, 2, 3, 4, 4)]
    answer = httpx.post(f"{server.url}/api/edge/enroll", json={"code": code, "box_name": "Shop", "cameras": five})
    assert answer.status_code == 422 and "at most 4 cameras; 5 were sent" in answer.json()["detail"]
    answer = httpx.post(f"{server.url}/api/edge/enroll",
                        json={"code": code, "box_name": "Shop", "cameras": [CAMERAS[0], CAMERAS[0]]})
    assert answer.status_code == 422 and "once" in answer.json()["detail"]


def test_box_and_analyst_credentials_never_open_each_others_doors(server, box):
    assert box.heartbeat().status_code == 204
    box_auth = {"Authorization": f"Bearer {box.credential}"}
    for path in ("/api/edge/channels", "/api/requests", "/api/events"):
        assert httpx.get(f"{server.url}{path}", headers=box_auth).status_code == 401, path
    analyst_box = httpx.Client(base_url=server.url, headers=server.analyst)
    assert analyst_box.post("/api/edge/heartbeat", json={}).status_code in (401, 422)
    assert analyst_box.get("/api/edge/commands", params={"wait": 0}).status_code == 401
    unknown = httpx.get(f"{server.url}/api/edge/commands", params={"wait": 0},
                        headers={"Authorization": "Bearer not-a-box"})
    assert unknown.status_code == 401 and "Enroll the box again" in unknown.json()["detail"]

    revoked = httpx.post(f"{server.url}/api/edge/boxes/{box.box_id}/revoke", headers=server.admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert box.heartbeat().status_code == 401
    assert channel_ids(server) == {}
    assert "edge.revoke" in actions(server.services)


def test_channels_reach_the_desk_with_the_box_health_and_the_registry(server, box):
    assert box.heartbeat(failed=[2]).status_code == 204
    listed = httpx.get(f"{server.url}/api/edge/channels", headers=server.analyst).json()
    assert [(c["channel"], c["state"]) for c in listed] == [(1, "recording"), (2, "failed")]
    assert listed[1]["error"] == "connection refused"
    assert listed[0]["box"]["online"] and not listed[0]["box"]["paused"]
    assert listed[0]["label"] == "Corner Store – Register" and listed[0]["retention_days"] == 30

    sync = httpx.get(f"{server.url}/api/registry/changes", headers=server.analyst).json()
    edge = {c["id"]: c for c in sync["changes"] if c["present"]}
    assert {c["kind"] for c in edge.values()} == {"edge_channel"}
    assert {(c["edge_box_id"], c["channel"]) for c in edge.values()} == {(box.box_id, 1), (box.box_id, 2)}

    # The business takes camera 2 away: it leaves every desk's map, under the same id.
    assert box.heartbeat(cameras=[CAMERAS[0]]).status_code == 204
    later = httpx.get(f"{server.url}/api/registry/changes", headers=server.analyst,
                      params={"since": sync["cursor"]}).json()
    assert [(c["id"], c["present"]) for c in later["changes"]] == [(listed[1]["id"], False)]
    assert list(channel_ids(server)) == [1]
    assert "edge.cameras" in actions(server.services)


# ----- long-poll -----------------------------------------------------------------------------


def test_long_poll_answers_when_work_is_queued_and_times_out_empty(server, box, monkeypatch):
    # Only the in-process wake-up can answer early now: the periodic re-check is out of reach.
    monkeypatch.setattr(edge_box, "RECHECK_S", 3600.0)
    assert box.commands(wait=0.5) == []
    got: list[dict] = []
    poll = threading.Thread(target=lambda: got.extend(box.commands(wait=50)))
    poll.start()
    time.sleep(0.5)
    queued = ask_clip(server, channel_ids(server)[1])
    assert queued.status_code == 201, queued.text
    poll.join(timeout=60)
    assert not poll.is_alive()
    assert [(c["id"], c["kind"], c["channel"]) for c in got] == [(queued.json()["command_id"], "clip", 1)]
    assert box.commands(wait=0) == []  # handed out once


def test_waiting_boxes_hold_no_worker_thread(server, box):
    """More long-polls than the server has worker threads (40): other calls are still served."""
    import asyncio

    async def scenario() -> tuple[int, int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                     headers={"Authorization": f"Bearer {box.credential}"}) as http:
            polls = [asyncio.create_task(http.get("/api/edge/commands", params={"wait": 6}))
                     for _ in range(50)]
            await asyncio.sleep(1.5)
            beat = await asyncio.to_thread(box.heartbeat)
            waiting = sum(not p.done() for p in polls)
            await asyncio.gather(*polls)
            return beat.status_code, waiting

    status, waiting = asyncio.run(scenario())
    assert status == 204 and waiting == 50


# ----- clips ---------------------------------------------------------------------------------


def test_a_clip_from_the_box_becomes_evidence_like_an_owner_upload(server, box, ts_clip):
    asked = ask_clip(server, channel_ids(server)[2], client_id="desk-clip-0001")
    assert asked.status_code == 201, asked.text
    assert asked.json()["state"] == "queued" and asked.json()["box_online"]
    retry = ask_clip(server, channel_ids(server)[2], client_id="desk-clip-0001")
    assert retry.status_code == 200 and retry.json()["command_id"] == asked.json()["command_id"]
    request_id = asked.json()["request_id"]

    [command] = box.commands(wait=5)
    assert command["kind"] == "clip" and command["channel"] == 2
    assert command["justification"].startswith("Robbery") and command["call_ref"] == "SPT-2026-000123"
    assert command["upload"]["tus_endpoint"].startswith(server.url)
    assert box.result(command["id"], "accepted").status_code == 200

    # Without the box's credential (or with an analyst's), tus says no.
    assert httpx.post(command["upload"]["tus_endpoint"], headers={"Tus-Resumable": "1.0.0",
                      "Upload-Length": "10"}).status_code == 401
    assert httpx.post(command["upload"]["tus_endpoint"], headers={**server.analyst, "Tus-Resumable": "1.0.0",
                      "Upload-Length": "10"}).status_code == 401

    box.upload(command, ts_clip, chunk=len(ts_clip) // 3 + 1)
    digest = hashlib.sha256(ts_clip).hexdigest()
    done = box.result(command["id"], "done", sha256=digest, bytes=len(ts_clip))
    assert done.status_code == 200 and done.json()["state"] == "done"

    with server.services.sessions() as session:
        [upload] = session.scalars(select(Upload).where(Upload.request_id == request_id)).all()
        assert (upload.sha256, upload.classification, upload.length) == (digest, "playable", len(ts_clip))
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.object_id.in_([upload.id, request_id])))]
    assert "upload.complete" in kinds and "request.created" in kinds
    request = httpx.get(f"{server.url}/api/requests/{request_id}", headers=server.analyst).json()
    assert (request["status"], request["channel"], request["delivery_error"]) == ("uploaded", "edge", "")
    original = httpx.get(f"{server.url}/api/uploads/{upload.id}/original", headers=server.analyst)
    assert hashlib.sha256(original.content).hexdigest() == digest
    state = httpx.get(f"{server.url}/api/edge/clips/{command['id']}", headers=server.analyst).json()
    assert state["state"] == "done" and state["sha256"] == digest

    trail = audit_records(server.services, "")
    asked_record = next(r for r in trail if r.action == "edge.clip.request")
    assert asked_record.actor.startswith("analyst:") and asked_record.case_ref == "SPD-26-0456"
    assert "channel:2" in asked_record.object and "window:" in asked_record.object
    assert asked_record.justification.startswith("Robbery")
    complete = next(r for r in trail if r.action == "upload.complete")
    assert complete.actor == f"edge:{box.box_id}" and digest in complete.object
    assert {"edge.command.accepted", "edge.command.done"} <= {r.action for r in trail}


def test_a_clip_whose_hash_differs_from_the_declared_one_fails(server, box, ts_clip):
    asked = ask_clip(server, channel_ids(server)[1])
    [command] = box.commands(wait=5)
    box.upload(command, ts_clip, declared="0" * 64)
    state = httpx.get(f"{server.url}/api/edge/clips/{command['id']}", headers=server.analyst).json()
    assert state["state"] == "failed" and state["reason_code"] == "hash_mismatch"
    request = httpx.get(f"{server.url}/api/requests/{asked.json()['request_id']}", headers=server.analyst).json()
    assert "SHA-256" in request["delivery_error"]


def test_a_paused_box_refuses_and_the_desk_reads_why(server, box):
    assert box.heartbeat(paused=True).status_code == 204
    asked = ask_clip(server, channel_ids(server)[1])
    assert asked.json()["box_paused"]
    [command] = box.commands(wait=5)
    assert box.result(command["id"], "refused", reason=PAUSED).status_code == 200

    state = httpx.get(f"{server.url}/api/edge/clips/{command['id']}", headers=server.analyst).json()
    assert (state["state"], state["reason_code"]) == ("refused", "sharing_paused")
    assert state["reason"] == "The business has paused sharing on its edge box at Corner Store (channel 1)."
    request = httpx.get(f"{server.url}/api/requests/{asked.json()['request_id']}", headers=server.analyst).json()
    assert request["status"] == "declined" and "paused sharing" in request["delivery_error"]

    live = httpx.post(f"{server.url}/api/edge/channels/{channel_ids(server)[1]}/live",
                      headers=server.analyst, json={"justification": "Suspect may be back"}).json()
    [live_command] = box.commands(wait=5)
    assert box.result(live_command["id"], "refused", reason=PAUSED).status_code == 200
    watched = httpx.get(f"{server.url}{live['stream_path']}")
    assert watched.status_code == 409 and "paused sharing" in watched.json()["detail"]
    refusals = [r for r in audit_records(server.services) if r.action == "edge.command.refused"]
    assert len(refusals) == 2 and all(r.outcome == "failure" and "paused" in r.object for r in refusals)
    assert "edge.pause" in actions(server.services)


def test_an_offline_box_is_told_to_the_analyst_at_once(server, box):
    with server.services.sessions() as session:
        session.execute(update(EdgeBox).values(last_seen=datetime.now(UTC) - timedelta(hours=2)))
        session.commit()
    live = httpx.post(f"{server.url}/api/edge/channels/{channel_ids(server)[1]}/live",
                      headers=server.analyst, json={"justification": "Fight in the lot"}).json()
    assert (live["state"], live["reason_code"]) == ("failed", "box_offline")
    assert "offline (last seen" in live["reason"]
    clip = ask_clip(server, channel_ids(server)[1]).json()
    request = httpx.get(f"{server.url}/api/requests/{clip['request_id']}", headers=server.analyst).json()
    assert "offline" in request["delivery_error"] and "waits for it" in request["delivery_error"]
    assert not clip["box_online"]
    box.commands(wait=0)  # the box comes back and takes the clip: the note goes
    request = httpx.get(f"{server.url}/api/requests/{clip['request_id']}", headers=server.analyst).json()
    assert request["delivery_error"] == ""


# ----- live ----------------------------------------------------------------------------------


def _read_stream(url: str, into: bytearray, status: list[int]) -> None:
    with httpx.stream("GET", url, timeout=httpx.Timeout(30, read=60)) as response:
        status.append(response.status_code)
        for block in response.iter_bytes():
            into.extend(block)


def _paced(data: bytes, pieces: int = 8, pause: float = 0.05):
    size = len(data) // pieces + 1
    for offset in range(0, len(data), size):
        time.sleep(pause)
        yield data[offset:offset + size]


def test_live_relay_delivers_the_box_stream_to_a_desk(server, box, ts_clip, tmp_path):
    started = httpx.post(f"{server.url}/api/edge/channels/{channel_ids(server)[1]}/live",
                         headers=server.analyst,
                         json={"justification": "Armed robbery in progress", "call_ref": "SPT-9"})
    assert started.status_code == 201, started.text
    live = started.json()
    assert live["state"] == "waiting" and live["max_seconds"] == 600
    received, status = bytearray(), []
    reader = threading.Thread(target=_read_stream, args=(f"{server.url}{live['stream_path']}", received, status))
    reader.start()  # the desk opens the URL before the box has sent anything

    [command] = box.commands(wait=5)
    assert command["kind"] == "live" and command["ingest_url"].endswith(f"/live/{live['session_id']}/ingest")
    assert box.result(command["id"], "accepted").status_code == 200
    hub, deadline = hub_of(server.services), time.monotonic() + 30
    while hub.readers(live["session_id"]) < 1:  # the desk is connected: it gets every byte
        assert time.monotonic() < deadline and reader.is_alive()
        time.sleep(0.05)
    sent = box.stream(command["ingest_url"], _paced(ts_clip))
    assert sent.status_code == 200 and sent.json()["ended"] == "box_stopped"
    reader.join(timeout=30)
    assert status == [200] and bytes(received) == ts_clip
    assert probe_codec(bytes(received), tmp_path) == "h264"

    state = httpx.get(f"{server.url}/api/edge/live/{live['session_id']}/state", headers=server.analyst).json()
    assert (state["state"], state["reason_code"], state["bytes_relayed"]) == ("ended", "box_stopped", len(ts_clip))
    trail = [r for r in audit_records(server.services) if r.action.startswith("edge.live.")]
    assert [r.action for r in trail] == ["edge.live.request", "edge.live.start", "edge.live.view",
                                         "edge.live.end"]
    assert all(r.justification == "Armed robbery in progress" for r in trail)
    assert "box_stopped" in trail[-1].object


def _endless(chunk: bytes, stop: threading.Event):
    while not stop.is_set():
        time.sleep(0.05)
        yield chunk


def _stream_until_told(box: BoxClient, url: str, chunks) -> dict | None:
    """Send until the server answers; it may close the connection instead (the protocol allows
    both): then the box sees a transport error and there is no answer to read."""
    try:
        answer = box.stream(url, chunks)
    except httpx.TransportError:
        return None
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_analyst_ends_a_live_view_and_the_box_is_told_to_stop(server, box, ts_clip):
    live = httpx.post(f"{server.url}/api/edge/channels/{channel_ids(server)[2]}/live",
                      headers=server.analyst, json={"justification": "Vehicle of interest"}).json()
    [command] = box.commands(wait=5)
    box.result(command["id"], "accepted")
    stop, answers = threading.Event(), []
    sender = threading.Thread(target=lambda: answers.append(
        _stream_until_told(box, command["ingest_url"], _endless(ts_clip[:4096], stop))))
    sender.start()
    deadline = time.monotonic() + 30
    while httpx.get(f"{server.url}/api/edge/live/{live['session_id']}/state",
                    headers=server.analyst).json()["state"] != "streaming":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    ended = httpx.post(f"{server.url}/api/edge/live/{live['session_id']}/end", headers=server.analyst)
    assert ended.status_code == 200 and ended.json()["reason_code"] == "ended_by_analyst"
    sender.join(timeout=30)
    stop.set()
    assert not sender.is_alive()  # the server closed the box's stream
    assert answers[0] is None or answers[0]["ended"] == "ended_by_analyst"
    [stop_command] = box.commands(wait=5)
    assert stop_command["kind"] == "stop" and stop_command["session_id"] == live["session_id"]
    gone = httpx.get(f"{server.url}{live['stream_path']}")
    assert gone.status_code == 409 and gone.json()["detail"] == "Ended by the analyst."
    ends = [r for r in audit_records(server.services) if r.action == "edge.live.end"]
    assert len(ends) == 1 and ends[0].actor.startswith("analyst:")


def test_the_server_ends_a_live_view_at_its_limit(server, box, ts_clip):
    live = httpx.post(f"{server.url}/api/edge/channels/{channel_ids(server)[1]}/live",
                      headers=server.analyst, json={"justification": "Crowd", "max_seconds": 10}).json()
    assert live["max_seconds"] == 10
    [command] = box.commands(wait=5)
    assert command["max_seconds"] == 10
    stop = threading.Event()
    answer = _stream_until_told(box, command["ingest_url"], _endless(ts_clip[:4096], stop))
    stop.set()
    assert answer is None or answer["ended"] == "limit_reached"
    state = httpx.get(f"{server.url}/api/edge/live/{live['session_id']}/state", headers=server.analyst).json()
    assert state["state"] == "ended" and "limit of 10 seconds" in state["reason"]
    [end] = [r for r in audit_records(server.services) if r.action == "edge.live.end"]
    assert end.actor == "system"
