"""Owner camera registration: the form, real SMTP mail, email verification, CSRF, limits,
purge of registrations never confirmed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from server_stub import registration as logic
from server_stub.housekeeping import run_once
from server_stub.models.audit import AuditRecord
from server_stub.models.registry import CameraRegistration, Owner, OwnerLinkToken
from tests.server.registration_helpers import (
    EMAIL, HTML, PUBLIC, Page, audit_actions, cameras, csrf, good_form, link_in,
    register_and_verify, submit,
)
from tests.server.helpers import login_as


def test_register_email_verify_makes_cameras_active(web, inbox):
    services = web.app.state.services
    # a forged Host header must not leak into the emailed link
    response = submit(web, good_form(), headers={"host": "evil.example"})
    assert response.status_code == 303 and response.headers["location"] == "/register/sent"
    assert "Check your email" in web.get("/register/sent").text

    inbox.wait_for(1)
    message = inbox.last_to(EMAIL)
    link = link_in(inbox, "register/verify")
    assert link.startswith(f"{PUBLIC}/register/verify/") and "testserver" not in link
    pending = cameras(services)
    assert [c.status for c in pending] == ["pending_verification"] * 2
    assert "confirm" in message["Subject"].lower()

    token = link.rsplit("/", 1)[1]
    with services.sessions() as session:  # only the hash is stored
        assert session.get(OwnerLinkToken, token) is None
        assert session.scalars(select(OwnerLinkToken)).one().token_hash != token

    confirm = web.get(urlsplit(link).path)  # what a mail scanner does: changes nothing
    assert confirm.status_code == 200 and "Confirm my email address" in confirm.text
    assert [c.status for c in cameras(services)] == ["pending_verification"] * 2

    done = web.post(urlsplit(link).path, data={"csrf_token": csrf(confirm.text)},
                    follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/manage/")
    active = cameras(services)
    assert [c.status for c in active] == ["active", "active"]
    versions = [c.sync_version for c in active]
    assert versions == sorted(set(versions))
    assert min(versions) > max(c.sync_version for c in pending)
    with services.sessions() as session:
        owner = session.scalars(select(Owner)).one()
        assert owner.verified_at is not None
        assert owner.reconfirm_due - owner.verified_at == timedelta(days=365)
        assert (owner.preferred_channel, owner.phone) == ("sms", "(318) 555-0123")
        cam = session.scalars(select(CameraRegistration).where(
            CameraRegistration.label == "Front door")).one()
        assert (cam.bearing, cam.retention_days, cam.recorder_type) == (90, 30, "doorbell_cloud")

    inbox.wait_for(2)
    assert link_in(inbox, "manage").startswith(f"{PUBLIC}/manage/")
    page = web.get(done.headers["location"])
    assert "your cameras are registered" in page.text and "Front door" in page.text
    records = audit_actions(services)
    assert records[:2] == ["registration.create", "registration.verify"]
    with services.sessions() as session:
        create = session.scalars(select(AuditRecord)).first()
        assert create.actor == f"owner:{owner.id}" and create.object == f"owner:{owner.id}"
        assert create.source == "testclient"


def test_form_errors_sit_next_to_fields_and_nothing_typed_is_lost(web, inbox):
    typed = good_form(
        email="dana at example", name="Dana Reyes", cam0_lat="thirty-two",
        cam0_retention_days="500",
        cam0_sees="Porch,\nand the street", cam1_lon="", cam2_sees="half-filled third camera",
    )
    typed.pop("consent")
    response = submit(web, typed, headers=HTML)
    assert response.status_code == 422
    page = Page(response.text)
    for name in ("email", "cam0_lat", "cam0_retention_days", "cam1_lon", "cam2_lat", "consent"):
        assert page.field_errors.get(name), f"no error shown next to {name}"
    assert "name" not in page.field_errors
    for name, value in typed.items():
        assert page.values.get(name) == value, name
    assert "consent" not in page.checked
    assert Page(submit(web, {**typed, "consent": "yes"}, headers=HTML).text).checked == {"consent"}
    assert cameras(web.app.state.services) == [] and inbox.messages == []


def test_missing_consent_is_refused(web, inbox):
    form = good_form()
    form.pop("consent")
    response = submit(web, form)
    assert response.status_code == 422 and "tick the box" in response.text
    with web.app.state.services.sessions() as session:
        assert session.scalars(select(Owner)).all() == []
    assert inbox.messages == []


def test_limits_on_fields(web):
    response = submit(web, good_form(name="x" * 121, cam0_sees="y" * 501, phone="call me",
                                     cam0_bearing="400", cam1_lat="95", cam0_recorder_type="vcr"))
    errors = Page(response.text).field_errors
    assert response.status_code == 422
    expected = {"name", "cam0_sees", "phone", "cam0_bearing", "cam1_lat", "cam0_recorder_type"}
    assert expected <= set(errors)
    assert "120" in errors["name"]


def test_unconfirmed_registrations_per_address_are_capped(web, inbox):
    for _ in range(logic.MAX_PENDING_PER_EMAIL):
        assert submit(web, good_form()).status_code == 303
    refused = submit(web, good_form())
    assert refused.status_code == 422 and "unconfirmed" in Page(refused.text).field_errors["email"]
    assert len(inbox.wait_for(logic.MAX_PENDING_PER_EMAIL)) == logic.MAX_PENDING_PER_EMAIL


def test_csrf_missing_or_wrong_is_403(web):
    web.get("/register")  # the browser has the cookie
    assert web.post("/register", data=good_form(), headers=HTML).status_code == 403
    wrong = web.post("/register", data={**good_form(), "csrf_token": "0" * 64}, headers=HTML)
    assert wrong.status_code == 403 and "Not allowed" in wrong.text
    token = csrf(web.get("/register").text)
    web.cookies.clear()  # a token copied without its cookie
    assert web.post("/register", data={**good_form(), "csrf_token": token}).status_code == 403


def test_expired_used_and_unknown_verify_links_are_410(web, inbox):
    services = web.app.state.services
    submit(web, good_form())
    inbox.wait_for(1)
    path = urlsplit(link_in(inbox, "register/verify")).path
    token = csrf(web.get(path).text)
    with services.sessions() as session:
        link = session.scalars(select(OwnerLinkToken)).one()
        link.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    expired = web.get(path, headers=HTML)
    assert expired.status_code == 410 and "expired" in expired.text
    assert web.post(path, data={"csrf_token": token}).status_code == 410

    with services.sessions() as session:
        link = session.scalars(select(OwnerLinkToken)).one()
        link.expires_at = datetime.now(UTC) + timedelta(hours=1)
        session.commit()
    assert web.post(path, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    used = web.get(path, headers=HTML)
    assert used.status_code == 410 and "already been used" in used.text
    assert web.post(path, data={"csrf_token": token}).status_code == 410
    assert web.get("/register/verify/not-a-real-token").status_code == 410
    assert web.get("/manage/not-a-real-token").status_code == 410
    assert audit_actions(services).count("registration.verify") >= 3  # one success, refusals


def test_registration_is_rate_limited(web):
    token = csrf(web.get("/register").text)
    codes = [web.post("/register", data={"csrf_token": token}).status_code for _ in range(11)]
    assert codes[:10] == [422] * 10 and codes[10] == 429


def test_pages_load_only_local_assets_and_no_inline_code(web, inbox):
    manage = register_and_verify(web, inbox)
    submit(web, good_form(email="other@example.net"))
    inbox.wait_for(3)
    verify_path = urlsplit(link_in(inbox, "register/verify")).path
    for path in ("/register", "/register/sent", "/manage", verify_path, manage):
        page = Page(web.get(path).text)
        assert page.assets, path
        for url in page.assets:
            assert url.startswith("/") and not url.startswith("//"), f"{path} loads {url}"
            assert web.get(url).status_code == 200, url
        assert page.inline_scripts == 0 and page.style_attributes == 0, path


def test_housekeeping_purges_registrations_never_confirmed(web, inbox):
    services = web.app.state.services
    register_and_verify(web, inbox)  # a confirmed neighbour: kept whatever happens
    inbox.wait_for(2)
    assert submit(web, good_form(email="never@example.net")).status_code == 303
    inbox.wait_for(3)
    verify_path = urlsplit(link_in(inbox, "register/verify", to="never@example.net")).path
    desk = login_as(web, services, "analyst")
    synced = web.get("/api/registry/changes", headers=desk).json()
    pending = {c.id for c in cameras(services) if c.status == "pending_verification"}
    assert len(pending) == 2  # sent to desks only ever as "not present": never on a map
    assert {c["id"] for c in synced["changes"] if not c["present"]} == pending

    now = datetime.now(UTC)
    assert run_once(services, now=now + timedelta(days=6))["purged unconfirmed registrations"] == 0
    # Asking for the link again at day 6 keeps the registration while that link is open (72 h).
    with services.sessions() as session:
        logic.send_links(session, services, "never@example.net", source="test",
                         now=now + timedelta(days=6))
    assert run_once(services, now=now + timedelta(days=8))["purged unconfirmed registrations"] == 0
    longer = replace(services, settings=services.settings.model_copy(
        update={"unverified_purge_days": 14}))
    assert run_once(longer, now=now + timedelta(days=10))["purged unconfirmed registrations"] == 0
    assert run_once(services, now=now + timedelta(days=10))["purged unconfirmed registrations"] == 1

    with services.sessions() as session:
        assert session.scalars(select(Owner.email)).all() == [EMAIL]
        assert session.scalars(select(OwnerLinkToken.owner_id).distinct()).all() == [
            session.scalars(select(Owner.id)).one()]
        purge = session.scalars(select(AuditRecord).where(
            AuditRecord.action == "registration.purge")).one()
    assert purge.actor == "system" and "2 camera(s)" in purge.justification
    assert not pending & {c.id for c in cameras(services)}
    # No tombstone: a desk that synced them sees nothing new, a fresh desk never hears of them.
    after = web.get("/api/registry/changes", headers=desk, params={"since": synced["cursor"]})
    assert after.json()["changes"] == []
    fresh = web.get("/api/registry/changes", headers=desk).json()["changes"]
    assert not pending & {c["id"] for c in fresh}
    assert web.get(verify_path, headers=HTML).status_code == 410
