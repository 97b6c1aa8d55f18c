"""Footage requests: created per camera, delivered by real SMTP, answered on the owner's page."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server_stub import footage_requests
from server_stub.models.audit import AuditRecord
from server_stub.models.requests import FootageRequest
from tests.server.conftest import Inbox
from tests.server.helpers import add_camera, login_as
from tests.server.registration_helpers import csrf

LINK = re.compile(r"https://rtcc\.example\.test/r/([A-Za-z0-9_\-]+)")


def ask(camera_ids, *, minutes_ago=60, client_id=None, **extra):
    start = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "client_id": client_id or uuid.uuid4().hex,
        "camera_ids": camera_ids,
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(minutes=30)).isoformat(),
        "call_ref": "SPT-2026-000481",
        "case_ref": "SPD-26-1001",
        "justification": "Shots fired at Texas St; suspect fled on foot past this address.",
        **extra,
    }


@pytest.fixture
def analyst(client, services):
    return login_as(client, services, "analyst")


def test_request_emails_the_owner_a_link_built_from_the_public_address(client, services, analyst, smtp_inbox):
    inbox, _ = smtp_inbox
    camera = add_camera(services, email="dana@example.test")
    response = client.post("/api/requests", json=ask([camera]), headers=analyst)
    assert response.status_code == 201, response.text
    (made,) = response.json()
    assert made["status"] == "sent" and made["channel"] == "email" and made["delivery_error"] == ""
    mail = inbox.last_to("dana@example.test")
    body = Inbox.body(mail)
    assert "SPD-26-1001" in mail["Subject"]
    (token,) = LINK.findall(body)  # never the test client's host
    assert len(token) >= 22  # at least 128 bits, URL-safe
    assert "Shots fired" not in body  # no incident details beyond a reference
    with services.sessions() as session:
        stored = session.get(FootageRequest, made["id"])
        assert token not in (stored.token_hash or "")  # only a hash is kept
        assert stored.link_expires_at <= stored.overwrite_deadline + timedelta(hours=24)


def test_the_owner_page_shows_the_window_in_local_time_and_records_the_answer(client, services, analyst, smtp_inbox):
    inbox, _ = smtp_inbox
    camera = add_camera(services, email="lee@example.test", label="Driveway camera")
    (made,) = client.post("/api/requests", json=ask([camera]), headers=analyst).json()
    token = LINK.findall(Inbox.body(inbox.last_to("lee@example.test")))[0]
    page = client.get(f"/r/{token}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "Driveway camera" in page.text and "SPD-26-1001" in page.text
    assert re.search(r"\d\d:\d\d [AP]M to \d\d:\d\d [AP]M C[SD]T", page.text)
    assert "Shots fired" not in page.text
    assert client.get(f"/api/requests/{made['id']}", headers=analyst).json()["status"] == "opened"
    answered = client.post(f"/r/{token}/answer", data={"choice": "no_relevant_footage", "csrf_token": csrf(page.text)})
    assert answered.status_code == 200 and "no relevant footage" in answered.text
    assert client.get(f"/api/requests/{made['id']}", headers=analyst).json()["status"] == "no_relevant_footage"
    assert client.get(f"/r/{token}", headers={"accept": "text/html"}).status_code == 410


def test_retry_with_the_same_client_id_contacts_nobody_twice(client, services, analyst, smtp_inbox):
    inbox, _ = smtp_inbox
    cameras = [add_camera(services, email=f"o{i}@example.test") for i in range(3)]
    body = ask(cameras)
    first = client.post("/api/requests", json=body, headers=analyst)
    assert first.status_code == 201 and len(first.json()) == 3
    inbox.wait_for(3)
    again = client.post("/api/requests", json=body, headers=analyst)
    assert again.status_code == 200
    assert {r["id"] for r in again.json()} == {r["id"] for r in first.json()}
    assert len(inbox.messages) == 3


def test_sms_owners_get_a_text_in_the_outbox(client, services, analyst, server_settings):
    camera = add_camera(services, channel="sms", phone="+13185550142")
    (made,) = client.post("/api/requests", json=ask([camera]), headers=analyst).json()
    assert made["channel"] == "sms"
    (message,) = list(server_settings.sms_outbox_dir.glob("*.json"))
    assert "+13185550142" in message.read_text() and "https://rtcc.example.test/r/" in message.read_text()


@pytest.mark.parametrize(("change", "problem"), [
    ({"justification": "  "}, "justification"),
    ({"window_end": "2020-01-01T00:00:00Z"}, "end after it starts"),
    ({"camera_ids": ["nope"]}, "unknown camera"),
])
def test_bad_requests_are_refused_with_the_reason_and_audited(client, services, analyst, change, problem):
    camera = add_camera(services)
    response = client.post("/api/requests", json={**ask([camera]), **change}, headers=analyst)
    assert response.status_code == 422 and problem in response.text
    with services.sessions() as session:
        assert session.scalars(select(FootageRequest)).first() is None


def test_a_window_already_overwritten_is_refused(client, services, analyst):
    camera = add_camera(services, retention_days=3)
    response = client.post("/api/requests", json=ask([camera], minutes_ago=60 * 24 * 5), headers=analyst)
    assert response.status_code == 422 and "already overwritten" in response.text


def test_withdrawn_cameras_cannot_be_asked(client, services, analyst):
    camera = add_camera(services, status="withdrawn")
    response = client.post("/api/requests", json=ask([camera]), headers=analyst)
    assert response.status_code == 422 and "not active" in response.text


def test_requests_need_an_analyst(client, services):
    camera = add_camera(services)
    assert client.post("/api/requests", json=ask([camera])).status_code == 401


def test_reminders_before_the_deadline_and_expiry(client, services, analyst, smtp_inbox):
    inbox, _ = smtp_inbox
    camera = add_camera(services, email="rem@example.test", retention_days=7)
    (made,) = client.post("/api/requests", json=ask([camera]), headers=analyst).json()
    inbox.wait_for(1)
    deadline = datetime.fromisoformat(made["overwrite_deadline"])
    with services.sessions() as session:
        assert footage_requests.send_reminders(session, services, deadline - timedelta(days=4)) == 0
        assert footage_requests.send_reminders(session, services, deadline - timedelta(hours=70)) == 1
        assert footage_requests.send_reminders(session, services, deadline - timedelta(hours=60)) == 0
        assert footage_requests.send_reminders(session, services, deadline - timedelta(hours=20)) == 1
    inbox.wait_for(3)
    reminder = inbox.messages[-1]
    assert reminder["Subject"].startswith("Reminder:")
    new_token = LINK.findall(Inbox.body(reminder))[0]
    first_token = LINK.findall(Inbox.body(inbox.messages[0]))[0]
    assert new_token != first_token
    for token in (first_token, new_token):  # both links work
        assert client.get(f"/r/{token}", headers={"accept": "text/html"}).status_code == 200
    with services.sessions() as session:
        footage_requests.send_reminders(session, services, deadline + timedelta(days=2))
        assert session.get(FootageRequest, made["id"]).status == "expired"


def test_reminder_points_are_a_setting(client, services, analyst, smtp_inbox, monkeypatch):
    inbox, _ = smtp_inbox
    monkeypatch.setattr(services.settings, "reminder_hours", (48.0, 12.0, 2.0))
    camera = add_camera(services, email="points@example.test", retention_days=7)
    (made,) = client.post("/api/requests", json=ask([camera]), headers=analyst).json()
    deadline = datetime.fromisoformat(made["overwrite_deadline"])
    with services.sessions() as session:
        sent = [footage_requests.send_reminders(session, services, deadline - timedelta(hours=h))
                for h in (70, 47, 13, 11, 3, 1)]
        assert sent == [0, 1, 0, 1, 0, 1]  # at 48 h, 12 h and 2 h before — not at 72 h
        assert session.get(FootageRequest, made["id"]).reminders_sent == 3
    assert len(inbox.wait_for(4)) == 4


def test_every_step_is_in_the_audit_trail(client, services, analyst, smtp_inbox):
    inbox, _ = smtp_inbox
    camera = add_camera(services, email="aud@example.test")
    client.post("/api/requests", json=ask([camera]), headers=analyst)
    token = LINK.findall(Inbox.body(inbox.last_to("aud@example.test")))[0]
    page = client.get(f"/r/{token}")
    assert client.post(f"/r/{token}/answer", data={"choice": "declined"}).status_code == 403  # no CSRF token
    client.post(f"/r/{token}/answer", data={"choice": "declined", "csrf_token": csrf(page.text)})
    with services.sessions() as session:
        actions = [r.action for r in session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    for action in ("request.create", "request.deliver", "request.open", "request.answer.declined"):
        assert action in actions


def test_housekeeping_runs_every_periodic_task(client, services, analyst, smtp_inbox, server_settings, capsys):
    from server_stub.cli import main as server_main
    from server_stub.housekeeping import run_once

    inbox, _ = smtp_inbox
    camera = add_camera(services, email="hk@example.test", retention_days=7)
    (made,) = client.post("/api/requests", json=ask([camera]), headers=analyst).json()
    deadline = datetime.fromisoformat(made["overwrite_deadline"])
    done = run_once(services, now=deadline - timedelta(hours=20))
    assert done["request reminders"] == 1 and min(done.values()) >= 0
    inbox.wait_for(2)
    args = ["--data-dir", str(server_settings.data_dir), "--database", server_settings.database_url,
            "housekeeping"]
    assert server_main(args) == 0
    assert "request reminders" in capsys.readouterr().out


def test_choosing_upload_leads_to_the_upload_page(client, services, analyst, smtp_inbox):
    inbox, _ = smtp_inbox
    camera = add_camera(services, email="up@example.test")
    (made,) = client.post("/api/requests", json=ask([camera]), headers=analyst).json()
    token = LINK.findall(Inbox.body(inbox.last_to("up@example.test")))[0]
    page = client.get(f"/r/{token}", headers={"accept": "text/html"})
    assert "Upload the recording" in page.text
    chosen = client.post(f"/r/{token}/answer", data={"choice": "upload", "csrf_token": csrf(page.text)},
                         follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"].endswith(f"/r/{token}/upload")
    assert "Upload the recording" in client.get(chosen.headers["location"]).text
    assert client.get(f"/api/requests/{made['id']}", headers=analyst).json()["status"] == "uploading"


def test_guessing_owner_links_is_rate_limited(client, monkeypatch):
    from server_stub import ratelimit

    monkeypatch.setattr(ratelimit, "monotonic", lambda: 1000.0)  # every try in the same instant
    codes = [client.get(f"/r/guess-{i}").status_code for i in range(121)]
    assert codes[:120] == [410] * 120
    assert codes[120] == 429
