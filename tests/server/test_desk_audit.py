"""Desk audit delivery: records land in the hash chain in order, once per client id."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from server_stub import audit
from server_stub.models.audit import AuditRecord
from tests.server.browser import LiveServer
from tests.server.conftest import free_port
from tests.server.helpers import login_as


def desk_record(action: str = "map.search_point", **fields) -> dict:
    return {"client_id": str(uuid.uuid4()),
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
            "action": action, "object": "point:32.5121,-93.7502 radius:200m", **fields}


def desk_rows(services) -> list[AuditRecord]:
    with services.sessions() as session:
        return list(session.scalars(
            select(AuditRecord).where(AuditRecord.action.like("desk.%")).order_by(AuditRecord.seq)))


def test_batch_is_appended_in_order_as_the_analyst(client, services):
    headers = login_as(client, services, "analyst")
    analyst = client.get("/api/auth/me", headers=headers).json()["username"]
    queued_at = datetime(2026, 3, 1, 14, 5, 7, 123456, tzinfo=UTC)
    records = [
        desk_record("camera.owner_details", object="camera:REG-000123", case_ref="SPD-26-1001",
                    justification="burglary, canvassing", occurred_at=queued_at.isoformat()),
        desk_record("video.view", object="camera:SPT-P001-2"),
        desk_record("share.create", object="upload:abc", outcome="failure"),
    ]
    response = client.post("/api/audit/desk", headers=headers, json={"records": records})
    assert response.status_code == 200, response.text
    receipts = response.json()["receipts"]
    assert [r["client_id"] for r in receipts] == [r["client_id"] for r in records]
    assert [r["duplicate"] for r in receipts] == [False] * 3
    assert receipts[0]["seq"] < receipts[1]["seq"] < receipts[2]["seq"]

    rows = desk_rows(services)
    assert [(r.seq, r.action, r.object, r.outcome) for r in rows] == [
        (receipts[0]["seq"], "desk.camera.owner_details", "camera:REG-000123", "success"),
        (receipts[1]["seq"], "desk.video.view", "camera:SPT-P001-2", "success"),
        (receipts[2]["seq"], "desk.share.create", "upload:abc", "failure"),
    ]
    assert {r.actor for r in rows} == {f"analyst:{analyst}"}
    assert rows[0].source == "testclient" and rows[0].case_ref == "SPD-26-1001"
    # the time the analyst acted (queued on the desk), to the millisecond the chain keeps
    assert rows[0].at == queued_at.replace(microsecond=123000)
    with services.sessions() as session:
        assert audit.verify(session, services.checkpointer) is None


def test_a_replay_appends_nothing_and_returns_the_first_sequence_numbers(client, services):
    headers = login_as(client, services, "supervisor")
    batch = {"records": [desk_record(), desk_record("video.playback", object="camera:X")]}
    first = client.post("/api/audit/desk", headers=headers, json=batch).json()["receipts"]
    extended = {"records": [*batch["records"], desk_record("upload.view", object="upload:u1")]}
    again = client.post("/api/audit/desk", headers=headers, json=extended).json()["receipts"]
    assert [r["seq"] for r in again[:2]] == [r["seq"] for r in first]
    assert [r["duplicate"] for r in again] == [True, True, False]
    assert len(desk_rows(services)) == 3


def test_unknown_actions_are_refused_with_a_readable_422(client, services):
    headers = login_as(client, services, "analyst")
    response = client.post("/api/audit/desk", headers=headers, json={
        "records": [desk_record(), desk_record("evidence.shred", object="upload:1")]})
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "records.1.action"
    assert problem["problem"].startswith("unknown action 'evidence.shred'; a desk may report: ")
    assert "video.view" in problem["problem"]
    assert desk_rows(services) == []  # nothing of a refused batch is appended


def test_malformed_records_are_refused(client, services):
    headers = login_as(client, services, "analyst")
    same = desk_record()
    naive = desk_record(occurred_at=datetime.now().replace(tzinfo=None).isoformat())
    future = desk_record(occurred_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    cases = {
        "records.0.occurred_at": [naive],
        "records": [same, same],
        "records.0.client_id": [desk_record(client_id="not-a-uuid")],
        "records.0.object": [desk_record(object="")],
    }
    for field, records in cases.items():
        response = client.post("/api/audit/desk", headers=headers, json={"records": records})
        assert response.status_code == 422, field
        assert response.json()["problems"][0]["field"] == field
    response = client.post("/api/audit/desk", headers=headers, json={"records": [future]})
    assert "workstation's clock" in response.json()["problems"][0]["problem"]
    assert client.post("/api/audit/desk", headers=headers, json={"records": []}).status_code == 422


def test_only_signed_in_staff_may_report_and_ids_belong_to_their_sender(client, services):
    record = desk_record()
    assert client.post("/api/audit/desk", json={"records": [record]}).status_code == 401
    reviewer = login_as(client, services, "privacy_reviewer")  # watches cameras to review them
    watched = desk_record()
    assert client.post("/api/audit/desk", headers=reviewer, json={"records": [watched]}).status_code == 200
    first = login_as(client, services, "analyst")
    assert client.post("/api/audit/desk", headers=first, json={"records": [record]}).status_code == 200
    other = login_as(client, services, "analyst")
    response = client.post("/api/audit/desk", headers=other, json={"records": [record]})
    assert response.status_code == 409
    assert len(desk_rows(services)) == 2


def test_concurrent_deliveries_of_one_batch_append_it_once(client, services):
    headers = login_as(client, services, "analyst")
    batch = {"records": [desk_record(object=f"camera:C{i}") for i in range(20)]}
    answers: list[list[int]] = []
    start = threading.Barrier(4)

    def deliver(url: str) -> None:
        start.wait()
        response = httpx.post(f"{url}/api/audit/desk", headers=headers, json=batch, timeout=30)
        assert response.status_code == 200, response.text
        answers.append([r["seq"] for r in response.json()["receipts"]])

    with LiveServer(client.app, free_port()) as live:
        threads = [threading.Thread(target=deliver, args=(live.url,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert [r.seq for r in desk_rows(services)] == answers[0]
    with services.sessions() as session:
        assert audit.verify(session, services.checkpointer) is None
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == answers[0][-1]
