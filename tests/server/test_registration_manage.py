"""Owner camera registration after verification: manage link, contact changes (a new email
address confirmed first), withdrawal, yearly lapse."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from server_stub import registration as logic
from server_stub.models.registry import Owner
from server_stub.registration_form import camera_form_values
from tests.server.helpers import login_as
from tests.server.registration_helpers import (
    EMAIL, HTML, PUBLIC, Page, audit_actions, cameras, csrf, link_in, register_and_verify,
)
from tests.server.test_requests import ask


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


NEW_EMAIL = "dana.new@example.org"


def contact_form(page_html: str, **changes) -> dict[str, str]:
    """The manage page's contact form as the page fills it, with ``changes`` typed over it."""
    shown = Page(page_html)
    form = {name: shown.values.get(name, "") for name in
            ("name", "email", "phone", "preferred_channel", "address")}
    if "is_business" in shown.checked:
        form["is_business"] = "yes"
    return {**form, **changes, "action": "contact", "csrf_token": csrf(page_html)}


def owner_row(services) -> Owner:
    with services.sessions() as session:
        return session.scalars(select(Owner)).one()


def test_owner_changes_contact_details_and_a_new_email_is_used_once_confirmed(web, inbox):
    services = web.app.state.services
    manage = register_and_verify(web, inbox)
    inbox.wait_for(2)
    page = web.get(manage)
    assert Page(page.text).values["email"] == EMAIL and "Change your contact details" in page.text
    before = {c.id: c.sync_version for c in cameras(services)}

    form = contact_form(page.text, name="Dana Reyes-Hall", phone="(318) 555-0199",
                        preferred_channel="email", email=NEW_EMAIL, is_business="yes")
    saved = web.post(manage, data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=email_sent")
    owner = owner_row(services)
    assert (owner.name, owner.phone, owner.preferred_channel, owner.is_business) == (
        "Dana Reyes-Hall", "(318) 555-0199", "email", True)
    assert (owner.email, owner.pending_email) == (EMAIL, NEW_EMAIL)  # the old one, until confirmed

    inbox.wait_for(4)
    confirm = inbox.last_to(NEW_EMAIL)
    assert confirm["Subject"] == "Please confirm your new email address"
    notice = inbox.last_to(EMAIL)
    assert "change of email address" in notice["Subject"] and NEW_EMAIL in inbox.body(notice)
    shown = web.get(manage + "?done=email_sent").text
    assert "we keep writing to the old one" in shown and f"Changing to {NEW_EMAIL}" in shown
    # Business or residential is on the desks' map: the cameras take new sync versions.
    assert all(c.sync_version > before[c.id] for c in cameras(services))
    desk = login_as(web, services, "analyst")
    sync = web.get("/api/registry/changes", headers=desk).json()["changes"]
    assert {c["kind"] for c in sync} == {"business"}

    # Until the new address is confirmed, a footage request still goes to the old one.
    made = web.post("/api/requests", json=ask([cameras(services)[0].id]), headers=desk)
    assert made.status_code == 201, made.text
    inbox.wait_for(5)
    assert inbox.messages[-1]["To"] == EMAIL and "footage" in inbox.messages[-1]["Subject"]

    link = urlsplit(link_in(inbox, "manage/email", to=NEW_EMAIL))
    assert link.geturl().startswith(f"{PUBLIC}/manage/email/")
    page = web.get(link.path)  # a mail scanner opening it changes nothing
    assert "Yes, use this address" in page.text and owner_row(services).email == EMAIL
    done = web.post(link.path, data={"csrf_token": csrf(page.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("done=email_changed")
    owner = owner_row(services)
    assert (owner.email, owner.pending_email) == (NEW_EMAIL, None)
    inbox.wait_for(6)
    welcome = inbox.last_to(NEW_EMAIL)
    assert welcome["Subject"] == "Your new email address is confirmed"
    assert f"{PUBLIC}/manage/" in inbox.body(welcome)
    assert "confirmed and in use" in web.get(urlsplit(done.headers["location"]).path
                                             + "?done=email_changed").text
    again = web.post(link.path, data={"csrf_token": csrf(page.text)}, headers=HTML)
    assert again.status_code == 410 and "already been used" in again.text
    actions = audit_actions(services)
    assert actions.count("registration.contact") == 1
    assert actions.count("registration.email_verify") == 2  # the confirmation, the refused reuse


def test_contact_errors_sit_next_to_fields_and_nothing_typed_is_lost(web, inbox):
    services = web.app.state.services
    manage = register_and_verify(web, inbox)
    inbox.wait_for(2)
    typed = {"name": "", "email": "dana at example", "phone": "", "preferred_channel": "sms",
             "address": "1300 Texas St, Shreveport, LA"}
    refused = web.post(manage, data=contact_form(web.get(manage).text, **typed))
    assert refused.status_code == 422
    shown = Page(refused.text)
    assert set(shown.field_errors) == {"name", "email", "phone"}
    assert "mobile number" in shown.field_errors["phone"]
    for name, value in typed.items():
        assert shown.values[name] == value, name
    assert "<details open>" in refused.text and "Please correct the fields" in refused.text
    assert shown.values["cam0_label"] in ("Front door", "Driveway")  # cameras show what is stored
    owner = owner_row(services)
    assert (owner.name, owner.email, owner.address) == (
        "Dana Reyes", EMAIL, "1200 Texas St, Shreveport, LA")
    assert len(inbox.messages) == 2 and "registration.contact" not in audit_actions(services)


def test_a_pending_email_change_is_replaced_or_cancelled(web, inbox):
    services = web.app.state.services
    manage = register_and_verify(web, inbox)
    inbox.wait_for(2)
    web.post(manage, data=contact_form(web.get(manage).text, email=NEW_EMAIL))
    inbox.wait_for(4)
    first = urlsplit(link_in(inbox, "manage/email", to=NEW_EMAIL)).path
    web.post(manage, data=contact_form(web.get(manage).text, email="dana@elsewhere.example"))
    inbox.wait_for(6)
    assert web.get(first, headers=HTML).status_code == 410  # only the newest link confirms
    assert owner_row(services).pending_email == "dana@elsewhere.example"

    page = web.get(manage)
    assert Page(page.text).values["email"] == "dana@elsewhere.example"
    web.post(manage, data=contact_form(page.text, email=EMAIL))  # the old address back: cancel
    owner = owner_row(services)
    assert (owner.email, owner.pending_email) == (EMAIL, None)
    assert "Changing to" not in web.get(manage).text
    assert len(inbox.messages) == 6  # cancelling sends nothing
    assert audit_actions(services).count("registration.contact") == 3
