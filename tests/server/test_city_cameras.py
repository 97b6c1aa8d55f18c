"""City cameras on the server: pending until a privacy reviewer decides, re-aimed → pending
again, decisions and unmasked views audited (start and end), events for open walls, and stream
credentials never in the audit trail, the event log or a log line."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rtcc_desk.adapters.demo.shreveport import generate_demo_cameras
from rtcc_desk.adapters.server_link.demo_registry import write_demo_registry
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.core.privacy_review import UNMASKED_VIEW_LIMIT
from server_stub.housekeeping import run_once
from server_stub.models.audit import AuditRecord
from server_stub.models.city_cameras import UnmaskedView
from server_stub.models.events import Event
from tests.server.helpers import login_as
from tests.server.test_demo_seed import seed
from tests.server.test_events import changes

PASSWORD = "Pole!Secret-7731"
MAIN = f"rtsp://svc-rtcc:{PASSWORD}@10.20.1.11:554/Streaming/Channels/101"
SUB = f"rtsp://svc-rtcc:{PASSWORD}@10.20.1.11:554/Streaming/Channels/102"
WINDOW = [[0.1, 0.1], [0.3, 0.1], [0.3, 0.4], [0.1, 0.4]]
YARD = [[0.6, 0.7], [1.0, 0.7], [1.0, 1.0]]


def city_camera(camera_id="SPT-P001-1", **changes) -> dict:
    pole_id, position = camera_id.rsplit("-", 1)
    row = {"id": camera_id, "pole_id": pole_id, "position": int(position),
           "name": "1200 block Texas St – looking N", "lat": 32.5121, "lon": -93.7502,
           "bearing": 120.0, "fov": 75.0, "range_m": 150.0, "retention_days": 30,
           "main_stream_url": MAIN, "sub_stream_url": SUB}
    return {**row, **changes}


@pytest.fixture
def admin(client, services):
    return login_as(client, services, "admin")


@pytest.fixture
def reviewer(client, services):
    return login_as(client, services, "privacy_reviewer")


@pytest.fixture
def supervisor(client, services):
    return login_as(client, services, "supervisor")


@pytest.fixture
def analyst(client, services):
    return login_as(client, services, "analyst")


def push(client, headers, *cameras, status=200) -> dict:
    response = client.post("/api/city-cameras/inventory", json={"cameras": list(cameras)},
                           headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def listed(client, headers, **params) -> dict[str, dict]:
    response = client.get("/api/city-cameras", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return {c["id"]: c for c in response.json()["cameras"]}


def decide(client, headers, camera_id, decision, *, seen_version, note="", masks=None, status=200):
    body = {"decision": decision, "note": note, "seen_version": seen_version}
    if masks is not None:
        body["masks"] = masks
    response = client.post(f"/api/city-cameras/{camera_id}/review", json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def audit_rows(services, action_prefix="city_camera.") -> list[AuditRecord]:
    with services.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(
            AuditRecord.action.startswith(action_prefix)).order_by(AuditRecord.seq)))


def test_a_new_camera_is_pending_until_a_privacy_reviewer_approves_it(client, services, admin,
                                                                      reviewer, analyst):
    answer = push(client, admin, city_camera("SPT-P001-1"), city_camera("SPT-P001-2", bearing=240.0))
    assert (answer["created"], answer["updated"], answer["sent_to_review"]) == (2, 0, [])
    cameras = listed(client, analyst)
    assert {c["review_state"] for c in cameras.values()} == {"pending"}
    assert not any(c["in_service"] for c in cameras.values())
    assert cameras["SPT-P001-1"]["pending_reason"] == "new camera"
    assert cameras["SPT-P001-1"]["main_stream_url"] == MAIN  # the desk needs it to play

    first = cameras["SPT-P001-1"]
    approved = decide(client, reviewer, "SPT-P001-1", "approve", seen_version=first["sync_version"],
                      note="Porch of 1207 masked", masks=[WINDOW, YARD])
    assert approved["review_state"] == "approved" and approved["in_service"]
    assert approved["masks"] == [WINDOW, YARD] and approved["reviewed_by"].startswith("privacy_reviewer")
    assert approved["sync_version"] > first["sync_version"] and approved["pending_reason"] == ""

    second = cameras["SPT-P001-2"]
    refused = decide(client, reviewer, "SPT-P001-2", "reject", seen_version=second["sync_version"],
                     status=422)
    assert "rejection needs a note" in refused["detail"]
    rejected = decide(client, reviewer, "SPT-P001-2", "reject", seen_version=second["sync_version"],
                      note="Looks into the back yards of Olive St")
    assert rejected["review_state"] == "rejected" and not rejected["in_service"]
    assert rejected["review_note"] == "Looks into the back yards of Olive St"

    # desks sync only what changed after their cursor
    page = client.get("/api/city-cameras", headers=analyst,
                      params={"since": first["sync_version"]}).json()
    assert [c["id"] for c in page["cameras"]] == ["SPT-P001-1", "SPT-P001-2"]
    assert listed(client, analyst, since=page["cursor"]) == {}
    assert set(listed(client, reviewer, review_state="approved")) == {"SPT-P001-1"}

    audited = [(r.action, r.object, r.justification) for r in audit_rows(services)]
    assert audited[0][:2] == ("city_camera.import", "city_cameras")
    assert "2 new (pending review)" in audited[0][2]
    assert ("city_camera.review", "city_camera:SPT-P001-1",
            "approved with 2 masks: Porch of 1207 masked") in audited
    assert ("city_camera.review", "city_camera:SPT-P001-2",
            "rejected with 0 masks: Looks into the back yards of Olive St") in audited


def test_a_re_aimed_camera_goes_back_to_pending_and_an_old_decision_is_refused(
        client, services, admin, reviewer, analyst):
    push(client, admin, city_camera())
    opened = listed(client, reviewer)["SPT-P001-1"]
    decide(client, reviewer, "SPT-P001-1", "approve", seen_version=opened["sync_version"],
           masks=[WINDOW])

    renamed = push(client, admin, city_camera(name="Texas St at Common St", range_m=200.0))
    assert renamed["updated"] == 1 and renamed["sent_to_review"] == []
    assert listed(client, analyst)["SPT-P001-1"]["review_state"] == "approved"
    assert push(client, admin, city_camera(name="Texas St at Common St", range_m=200.0))["unchanged"] == 1

    seen_before_re_aim = listed(client, reviewer)["SPT-P001-1"]["sync_version"]
    re_aimed = push(client, admin, city_camera(name="Texas St at Common St", bearing=135.0))
    assert re_aimed["sent_to_review"] == [
        {"camera_id": "SPT-P001-1", "reasons": ["bearing 120° → 135°"]}]
    camera = listed(client, analyst)["SPT-P001-1"]
    assert camera["review_state"] == "pending" and not camera["in_service"]
    assert camera["pending_reason"] == "bearing 120° → 135°"
    assert camera["masks"] == [WINDOW]  # kept for the reviewer to start from

    # The reviewer had the camera open from before the re-aim: that approval is refused.
    stale = decide(client, reviewer, "SPT-P001-1", "approve", seen_version=seen_before_re_aim,
                   status=409)
    assert "changed since you opened it (bearing 120° → 135°)" in stale["detail"]
    decide(client, reviewer, "SPT-P001-1", "approve", seen_version=camera["sync_version"])

    # Masks sent with the inventory count as a change; masks left out keep the reviewer's.
    masked = push(client, admin, city_camera(name="Texas St at Common St", bearing=135.0,
                                             masks=[WINDOW, YARD]))
    assert masked["sent_to_review"][0]["reasons"] == ["masks changed (1 → 2)"]
    assert push(client, admin, city_camera(name="Texas St at Common St", bearing=135.0))["unchanged"] == 1

    resets = [r for r in audit_rows(services) if r.action == "city_camera.review_reset"]
    assert [r.justification for r in resets] == [
        "back to pending review: bearing 120° → 135°",
        "back to pending review: masks changed (1 → 2)"]
    refused = [r for r in audit_rows(services) if r.outcome == "failure"]
    assert [r.action for r in refused] == ["city_camera.review"]


def test_each_action_needs_its_role(client, services, admin, reviewer, supervisor, analyst):
    push(client, admin, city_camera())
    assert client.get("/api/city-cameras").status_code == 401
    for headers in (analyst, reviewer, supervisor):
        assert client.post("/api/city-cameras/inventory", json={"cameras": [city_camera()]},
                           headers=headers).status_code == 403
    version = listed(client, reviewer)["SPT-P001-1"]["sync_version"]
    for headers in (analyst, supervisor, admin):
        response = client.post("/api/city-cameras/SPT-P001-1/review", headers=headers,
                               json={"decision": "approve", "seen_version": version})
        assert response.status_code == 403
    assert listed(client, reviewer)["SPT-P001-1"]["review_state"] == "pending"
    for headers in (analyst, reviewer, admin):
        response = client.post("/api/city-cameras/SPT-P001-1/unmasked-views", headers=headers,
                               json={"justification": "Robbery suspect fled north on Texas St"})
        assert response.status_code == 403
    assert client.get("/api/unmasked-views", headers=analyst).status_code == 403


def test_unmasked_views_are_audited_with_start_and_end_and_never_left_open(
        client, services, admin, reviewer, supervisor):
    push(client, admin, city_camera(), city_camera("SPT-P001-2"))
    why = "Armed robbery suspect fled into the yard of 1207 Texas St"
    start = "/api/city-cameras/SPT-P001-1/unmasked-views"
    pending = client.post(start, headers=supervisor, json={"justification": why})
    assert pending.status_code == 409 and "pending review" in pending.json()["detail"]
    version = listed(client, reviewer)["SPT-P001-1"]["sync_version"]
    decide(client, reviewer, "SPT-P001-1", "approve", seen_version=version, masks=[YARD])

    short = client.post(start, headers=supervisor, json={"justification": "look"})
    assert short.status_code == 422 and "justification" in short.json()["detail"]
    started = client.post(start, headers=supervisor, json={"justification": why})
    assert started.status_code == 201, started.text
    view = started.json()
    began = datetime.fromisoformat(view["started_at"])
    assert datetime.fromisoformat(view["ends_by"]) == began + UNMASKED_VIEW_LIMIT
    assert view["ended_at"] is None and view["justification"] == why
    open_views = client.get("/api/unmasked-views", headers=reviewer, params={"open_only": True})
    assert [v["id"] for v in open_views.json()] == [view["id"]]

    ended = client.post(f"/api/unmasked-views/{view['id']}/end", headers=supervisor).json()
    assert ended["end_reason"] == "ended" and datetime.fromisoformat(ended["ended_at"]) >= began
    again = client.post(f"/api/unmasked-views/{view['id']}/end", headers=supervisor).json()
    assert again["ended_at"] == ended["ended_at"]  # idempotent, audited once

    records = [r for r in audit_rows(services) if "unmasked" in r.action]
    assert [(r.action, r.object) for r in records] == [
        ("city_camera.unmasked_start", f"city_camera:SPT-P001-1 view:{view['id']}"),
        ("city_camera.unmasked_end", f"city_camera:SPT-P001-1 view:{view['id']}")]
    assert records[0].justification == why and records[0].actor.startswith("supervisor:")
    assert records[0].at <= records[1].at
    assert f"ended {datetime.fromisoformat(ended['ended_at']).isoformat()}" in records[1].justification

    # A view left open is ended at the limit: by housekeeping…
    left = client.post(start, headers=supervisor, json={"justification": why}).json()
    later = datetime.fromisoformat(left["started_at"]) + UNMASKED_VIEW_LIMIT + timedelta(minutes=5)
    assert run_once(services, now=later)["ended unmasked views"] == 1
    closed = client.get("/api/unmasked-views", headers=supervisor, params={"camera_id": "SPT-P001-1"})
    newest = closed.json()[0]
    assert newest["id"] == left["id"] and newest["end_reason"] == "time_limit"
    assert newest["ended_at"] == left["ends_by"]

    # …or by the same supervisor's next start, whichever comes first.
    forgotten = client.post(start, headers=supervisor, json={"justification": why}).json()
    with services.sessions() as session:
        row = session.get(UnmaskedView, forgotten["id"])
        row.started_at = datetime.now(UTC) - timedelta(hours=2)
        session.commit()
    client.post(start, headers=supervisor, json={"justification": why})
    with services.sessions() as session:
        row = session.get(UnmaskedView, forgotten["id"])
        assert row.end_reason == "time_limit" and row.ended_at == row.started_at + UNMASKED_VIEW_LIMIT
    system_ends = [r for r in audit_rows(services) if r.action == "city_camera.unmasked_end"
                   and r.actor == "system"]
    assert len(system_ends) == 2 and all("30-minute limit" in r.justification for r in system_ends)


def test_review_changes_reach_open_walls_as_events(client, services, admin, reviewer, analyst):
    push(client, admin, city_camera())
    created = [e for e in changes(client, analyst) if e["event"] == "city_camera.change"]
    assert [e["data"]["data"]["review_state"] for e in created] == ["pending"]
    version = created[0]["data"]["data"]["sync_version"]
    decide(client, reviewer, "SPT-P001-1", "approve", seen_version=version, masks=[WINDOW])
    push(client, admin, city_camera(bearing=200.0))
    found = [e["data"]["data"] for e in changes(client, analyst, after=created[0]["id"])
             if e["event"] == "city_camera.change"]
    assert [(e["review_state"], e["in_service"], e["masks"]) for e in found] == [
        ("approved", True, [WINDOW]), ("pending", False, [WINDOW])]
    assert found[1]["pending_reason"] == "bearing 120° → 200°"


def test_stream_credentials_never_reach_the_audit_trail_events_or_logs(
        client, services, admin, reviewer, caplog):
    caplog.set_level(logging.DEBUG)
    push(client, admin, city_camera())
    moved = MAIN.replace("10.20.1.11", "10.20.7.11")
    answer = push(client, admin, city_camera(main_stream_url=moved))
    reason = answer["sent_to_review"][0]["reasons"][0]
    assert reason == "main stream now from rtsp://10.20.7.11:554/Streaming/Channels/101"
    bad = push(client, admin, city_camera(main_stream_url=f"ftp://svc-rtcc:{PASSWORD}@10.2.3.4/x"),
               status=422)
    assert "ftp:// streams are not supported" in str(bad["problems"])
    version = listed(client, reviewer)["SPT-P001-1"]["sync_version"]
    decide(client, reviewer, "SPT-P001-1", "reject", seen_version=version, note="Wrong camera")

    with services.sessions() as session:
        texts = [" ".join((r.actor, r.action, r.object, r.justification))
                 for r in session.scalars(select(AuditRecord))]
        texts += [str(e.data) for e in session.scalars(select(Event))]
    texts += [record.getMessage() for record in caplog.records]
    texts += [str(bad)]
    assert texts and not [t for t in texts if PASSWORD in t or "svc-rtcc" in t]


def test_seed_demo_loads_the_citys_poles_mostly_approved_a_few_pending(
        client, services, server_settings, tmp_path, monkeypatch, capsys):
    demo = generate_demo_cameras(registered=5, edge_devices=0)
    poles = [c for c in demo if isinstance(c, PoleCamera)]
    seed_file = write_demo_registry(demo, tmp_path / "demo-registry.json")
    demo_mode = server_settings.model_copy(update={"demo_mode": True})
    assert seed(demo_mode, monkeypatch, "--cameras", str(seed_file)) == 0
    pending = sum(1 for c in poles if not c.in_service)
    assert f"city cameras: 270 created ({pending} pending privacy review)" in capsys.readouterr().out
    assert seed(demo_mode, monkeypatch, "--cameras", str(seed_file)) == 0
    assert "city cameras: 0 created (0 pending privacy review), 270 already present" in \
        capsys.readouterr().out

    reviewer = login_as(client, services, "privacy_reviewer")
    cameras = listed(client, reviewer, limit=5000)
    assert len(cameras) == 270 and 0 < pending < 270 // 4
    states = {c["id"]: c["review_state"] for c in cameras.values()}
    assert states == {c.camera_id: c.privacy_review.value for c in poles}
    assert cameras[poles[0].camera_id]["main_stream_url"] == poles[0].main_stream_url
    waiting = next(c for c in cameras.values() if c["review_state"] == "pending")
    decide(client, reviewer, waiting["id"], "approve", seen_version=waiting["sync_version"],
           masks=[WINDOW])


def test_a_withdrawn_camera_leaves_every_desk_and_comes_back_only_through_review(
        client, services, admin, reviewer, analyst):
    push(client, admin, city_camera())
    version = listed(client, reviewer)["SPT-P001-1"]["sync_version"]
    decide(client, reviewer, "SPT-P001-1", "approve", seen_version=version)
    assert push(client, admin, city_camera(withdrawn=True))["withdrawn"] == 1
    gone = listed(client, analyst)["SPT-P001-1"]
    assert not gone["present"] and not gone["in_service"]
    assert gone["main_stream_url"] == gone["sub_stream_url"] == ""  # its credentials stay put
    refused = decide(client, reviewer, "SPT-P001-1", "approve", seen_version=gone["sync_version"],
                     status=409)
    assert "withdrawn" in refused["detail"]
    back = push(client, admin, city_camera())
    assert back["sent_to_review"] == [
        {"camera_id": "SPT-P001-1", "reasons": ["back in service after being withdrawn"]}]
    assert listed(client, analyst)["SPT-P001-1"]["review_state"] == "pending"
