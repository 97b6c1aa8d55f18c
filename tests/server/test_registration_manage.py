"""Owner camera registration after verification: manage link, withdrawal, yearly lapse."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from server_stub import registration as logic
from server_stub.models.registry import Owner
from server_stub.registration_form import camera_form_values
from tests.server.registration_helpers import (
    EMAIL, PUBLIC, Page, audit_actions, cameras, csrf, link_in, register_and_verify,
)


def test_manage_link_edits_and_withdraws(web, inbox):
    services = web.app.state.services
    manage = register_and_verify(web, inbox)
    page = web.get(manage)
    front, driveway = cameras(services)
    form = {**camera_form_values(front, "cam0_"), "cam0_retention_days": "14",
            "csrf_token": csrf(page.text), "action": "save", "camera_id": front.id}
    assert web.post(manage, data=form, follow_redirects=False).status_code == 303
    edited = next(c for c in cameras(services) if c.id == front.id)
    assert edited.retention_days == 14.0 and edited.sync_version > driveway.sync_version
    assert "Your changes are saved" in web.get(manage + "?done=saved").text
    same = web.post(manage, data=form, follow_redirects=False)  # nothing changed: no new version
    assert same.headers["location"].endswith("done=unchanged")
    unchanged = next(c for c in cameras(services) if c.id == front.id)
    assert unchanged.sync_version == edited.sync_version

    bad = web.post(manage, data={**form, "cam0_retention_days": "0", "cam0_lat": "32.6"})
    assert bad.status_code == 422
    shown = Page(bad.text)
    assert shown.field_errors.get("cam0_retention_days") and "32.6" in bad.text

    token = csrf(web.get(manage).text)
    web.post(manage, data={"csrf_token": token, "action": "withdraw", "camera_id": driveway.id})
    statuses = {c.id: (c.status, c.sync_version) for c in cameras(services)}
    assert statuses[driveway.id][0] == "withdrawn"
    assert statuses[driveway.id][1] > edited.sync_version
    assert web.post(manage, data={"csrf_token": token, "action": "withdraw_all"}).status_code == 400
    web.post(manage, data={"csrf_token": token, "action": "withdraw_all", "confirm_all": "yes"})
    assert {c.status for c in cameras(services)} == {"withdrawn"}
    again = web.post(manage, data={"csrf_token": token, "action": "withdraw",
                                   "camera_id": front.id})
    assert again.status_code == 404
    actions = audit_actions(services)
    assert actions.count("registration.edit") == 1 and actions.count("registration.withdraw") == 2


def test_reconfirmation_sent_once_then_lapse_then_restore(web, inbox):
    services = web.app.state.services
    register_and_verify(web, inbox)
    inbox.wait_for(2)
    with services.sessions() as session:
        due = session.scalars(select(Owner)).one().reconfirm_due
        assert logic.send_reconfirmations(session, services, now=due - timedelta(days=31)) == 0
        assert logic.send_reconfirmations(session, services, now=due - timedelta(days=29)) == 1
        assert logic.send_reconfirmations(session, services, now=due - timedelta(days=5)) == 0
    inbox.wait_for(3)
    assert "still there" in inbox.messages[-1]["Subject"]
    reconfirm_link = link_in(inbox, "manage")
    assert reconfirm_link.startswith(f"{PUBLIC}/manage/")

    before = max(c.sync_version for c in cameras(services))
    with services.sessions() as session:
        assert logic.lapse_unconfirmed(session, services, now=due + timedelta(days=29)) == 0
        assert logic.lapse_unconfirmed(session, services, now=due + timedelta(days=31)) == 2
    lapsed = cameras(services)
    assert {c.status for c in lapsed} == {"lapsed"} and min(c.sync_version for c in lapsed) > before

    path = urlsplit(reconfirm_link).path
    page = web.get(path)
    assert "Yes, keep my cameras registered" in page.text
    web.post(path, data={"csrf_token": csrf(page.text), "action": "reconfirm"})
    assert {c.status for c in cameras(services)} == {"active"}
    actions = audit_actions(services)
    assert actions.count("registration.reconfirm_notice") == 1
    assert actions.count("registration.lapse") == 2 and "registration.reconfirm" in actions


def test_new_link_by_email_reveals_nothing(web, inbox):
    register_and_verify(web, inbox)
    inbox.wait_for(2)
    page = web.get("/manage")
    known = web.post("/manage", data={"email": EMAIL.upper(), "csrf_token": csrf(page.text)})
    unknown = web.post("/manage", data={"email": "nobody@example.org",
                                        "csrf_token": csrf(page.text)})
    assert known.text == unknown.text
    inbox.wait_for(3)
    assert len(inbox.messages) == 3 and link_in(inbox, "manage").startswith(f"{PUBLIC}/manage/")
