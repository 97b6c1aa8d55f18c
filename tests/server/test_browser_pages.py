"""Owner and officer pages in a real browser (Debian's headless Chromium, driven by Playwright):
phone-size screenshots without console errors or CSP violations, the tus upload resuming after
a reload, the registration and contact forms keeping what was typed when the server refuses
them, and the officer's share page playing its clip from the range-serving endpoint.

Screenshots go to $RTCC_SCREENSHOTS when set (to look at them), else to pytest's tmp folder.
SQLite only: the database is not what these tests are about.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server_stub.main import create_app
from server_stub.models.uploads import Upload
from server_stub.routes.uploads import CHUNK_BYTES
from server_stub.settings import ServerSettings
from tests.server.browser import (
    PHONE,
    LiveServer,
    PageWatch,
    browser_missing,
    launch,
    login_live,
    request_footage,
    screenshot_dir,
    shoot,
)
from tests.server.conftest import free_port
from tests.server.helpers import add_camera, login_as
from tests.server.registration_helpers import register_and_verify
from tests.server.test_evidence_api import clip  # noqa: F401  (session fixture: a real H.264 clip)
from tests.server.test_shares import OFFICER, reviewed, share

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "browser ready")

OWNER = "dana@example.test"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def live(tmp_path, smtp_inbox):
    """The real app on a loopback port, its emailed links pointing at that port."""
    _, smtp_port = smtp_inbox
    port = free_port()
    settings = ServerSettings(
        data_dir=tmp_path / "server-data", database_url=f"sqlite:///{tmp_path / 'server.sqlite3'}",
        public_base_url=f"http://127.0.0.1:{port}", smtp_host="127.0.0.1", smtp_port=smtp_port,
    )
    with LiveServer(create_app(settings), port) as server:
        yield server


@pytest.fixture
def services(live):
    return live.app.state.services


@pytest.fixture
def token(live, services, smtp_inbox):
    """A footage request made by an analyst over the API; the owner's token from the email."""
    inbox, _ = smtp_inbox
    analyst = login_live(live.url, services, "analyst")
    camera = add_camera(services, email=OWNER, label="Driveway camera")
    _, owner_token = request_footage(live.url, analyst, inbox, camera, OWNER)
    return owner_token


@pytest.fixture
def shots(tmp_path):
    return screenshot_dir(tmp_path)


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def open_page(context, url: str, on_response=None):
    page = context.new_page()
    watch = PageWatch().attach(page)
    if on_response is not None:  # before loading: the page's own requests start at once
        page.on("response", on_response)
    response = page.goto(url, wait_until="load")
    return page, watch, response


def test_owner_pages_on_a_phone(browser, phone, live, token, shots):
    pages = [
        ("register", "/register", 200, "Register your security cameras"),
        ("owner-request", f"/r/{token}", 200, "Request for camera footage"),
        ("owner-upload", f"/r/{token}/upload", 200, "Upload the recording"),
        ("link-gone", "/r/not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 410, "This link is no longer valid"),
        ("upload-link-gone", "/r/not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa/upload", 410,
         "This link is no longer valid"),
        ("officer-api-docs", "/docs", 200, None),
    ]
    for name, path, status, heading in pages:
        page, watch, response = open_page(phone, live.url + path)
        assert response.status == status, (path, response.status)
        if heading:
            assert page.locator("h1").first.inner_text().strip() == heading, path
        else:  # Swagger UI renders the API's title once its script has run
            page.get_by_text("RTCC registry and upload server").first.wait_for(timeout=10_000)
        # Nothing wider than the phone: no sideways scrolling on the owner's pages.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shoot(browser, page, shots, name, full_page=True)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        assert watch.problems(page) == [], path
        page.close()


def test_upload_resumes_after_a_reload(browser, phone, live, services, token, shots, tmp_path):
    chunk = CHUNK_BYTES  # the page sends PATCHes of this size (data-chunk-size)
    data = os.urandom(chunk + 4 * MiB)
    clip = tmp_path / "front-door.dav"
    clip.write_bytes(data)

    page, watch, _ = open_page(phone, f"{live.url}/r/{token}/upload")
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page while sending?"
    sent: list[tuple[str, str]] = []  # (method, Upload-Offset) of every tus request, in order
    page.on("request", lambda r: sent.append((r.method, r.headers.get("upload-offset", "")))
            if "/files" in r.url else None)

    # The first PATCH goes through; the next one is held, as if the network stalled mid-file.
    held = threading.Event()
    hold = {"on": True, "passed": 0}

    def route(route):
        if route.request.method != "PATCH" or not hold["on"]:
            return route.continue_()
        if hold["passed"] == 0:
            hold["passed"] += 1
            return route.continue_()
        held.set()  # never answered: the reload below abandons it

    page.route("**/files/**", route)
    page.set_input_files("#files", str(clip))
    page.click("#start")
    page.locator("#progress .state", has_text="%").wait_for()  # tus reports progress
    deadline = time.monotonic() + 60
    while not held.is_set():  # wait_for_timeout keeps Playwright's event loop turning
        assert time.monotonic() < deadline, f"the second PATCH never came: {sent}"
        page.wait_for_timeout(50)
    assert sent[:2] == [("POST", ""), ("PATCH", "0")], sent
    with services.sessions() as session:
        (upload,) = session.scalars(select(Upload)).all()
        assert upload.state == "receiving" and upload.offset == chunk
    shoot(browser, page, shots, "upload-interrupted", full_page=True)

    hold["on"] = False
    before_reload = len(sent)
    page.reload(wait_until="load")
    listed = page.locator(".uploads li.waiting .state").first.inner_text()
    assert f"unfinished ({chunk * 100 // len(data)}%)" in listed and "choose the same file again" in listed
    shoot(browser, page, shots, "upload-after-reload", full_page=True)

    page.set_input_files("#files", str(clip))
    page.click("#start")
    page.get_by_text("Thank you: 1 file(s) received.").wait_for(timeout=30_000)
    shoot(browser, page, shots, "upload-done", full_page=True)

    after = sent[before_reload:]
    assert ("POST", "") not in after, f"the upload started over after the reload: {after}"
    assert [offset for method, offset in after if method == "PATCH"] == [str(chunk)], after
    with services.sessions() as session:
        (upload,) = session.scalars(select(Upload)).all()
        assert upload.state == "complete" and upload.offset == upload.length == len(data)
        assert upload.sha256 == hashlib.sha256(data).hexdigest()
        assert upload.filename == "front-door.dav"
    # The resume URL is forgotten once the file is in (removeFingerprintOnSuccess).
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tus::'))") == []
    # The page reloads itself to show the server's list, with the file's hash.
    page.locator(".uploads li.done .hash").wait_for(timeout=10_000)
    assert hashlib.sha256(data).hexdigest() in page.locator(".uploads li.done .hash").inner_text()
    shoot(browser, page, shots, "upload-listed", full_page=True)
    assert watch.problems(page) == []


def test_registration_refused_without_consent_keeps_what_was_typed(browser, phone, live, shots):
    page, watch, _ = open_page(phone, f"{live.url}/register")
    typed = {
        "#f-name": "Dana Owner", "#f-email": "dana@example.test", "#f-phone": "318-555-0199",
        "#f-address": "712 Texas St, Shreveport", "#f-cam0_label": "Front door",
        "#f-cam0_lat": "32.512100", "#f-cam0_lon": "-93.750200", "#f-cam0_retention_days": "14",
    }
    for selector, value in typed.items():
        page.fill(selector, value)
    page.select_option("#f-cam0_recorder_type", index=1)
    recorder = page.input_value("#f-cam0_recorder_type")
    page.select_option("#f-preferred_channel", "email")

    # The browser itself refuses first: consent is a required box.
    assert page.evaluate("document.getElementById('f-consent').checkValidity()") is False
    # The server must refuse too (old browsers, scripts): skip the browser's check once.
    page.evaluate("document.querySelector('form.register').noValidate = true")
    with page.expect_navigation():
        page.click("form.register button[type=submit]")

    error = page.locator("#f-consent-error")
    assert error.inner_text() == "Please read the terms and tick the box to agree."
    assert page.get_attribute("#f-consent", "aria-invalid") == "true"
    assert page.get_attribute("#f-consent", "aria-describedby") == "f-consent-error"
    # "next to the field": inside the consent field's own box, right under the checkbox
    assert page.evaluate("document.getElementById('f-consent-error').closest('.field')"
                         " === document.getElementById('f-consent').closest('.field')")
    assert "Please correct 1 field" in page.locator(".error-summary").inner_text()
    for selector, value in typed.items():
        assert page.input_value(selector) == value, selector
    assert page.input_value("#f-cam0_recorder_type") == recorder
    assert not page.is_checked("#f-consent")

    error.scroll_into_view_if_needed()
    shoot(browser, page, shots, "register-consent-error")
    shoot(browser, page, shots, "register-consent-error-full", full_page=True)
    assert watch.problems(page) == []


def test_officer_share_page_plays_the_clip_on_a_phone(browser, phone, live, services, shots,
                                                      clip):  # noqa: F811
    api = TestClient(live.app, base_url=live.url)  # the live server's app and database
    analyst = login_as(api, services, "analyst")
    upload_id = reviewed(api, analyst, clip)
    made = share(api, analyst, upload_id, allow_download=True)
    assert made["url"].startswith(f"{live.url}/s/")

    video_answers: list[tuple[int, str]] = []  # (status, Content-Range) of every clip request
    page, watch, response = open_page(phone, made["url"], lambda r: video_answers.append(
        (r.status, r.headers.get("content-range", ""))) if r.url.endswith("/video") else None)
    assert response.status == 200
    assert page.locator("h1").inner_text().strip() == f"Case {OFFICER['case_ref']}"
    assert OFFICER["officer_name"] in page.locator("dl.facts").inner_text()

    # The player gets the clip's length from the range-serving endpoint, then shows a frame.
    video = page.locator("video.clip")
    assert video.count() == 1 and video.get_attribute("playsinline") is not None
    page.wait_for_function("document.querySelector('video.clip').readyState >= 1", timeout=20_000)
    duration = page.evaluate("document.querySelector('video.clip').duration")
    assert 1.8 <= duration <= 2.2, duration  # the two-second test clip
    page.evaluate("""() => new Promise(done => {
        const v = document.querySelector('video.clip');
        v.addEventListener('seeked', done, {once: true});
        v.currentTime = 1.0;
    })""")
    page.wait_for_function("document.querySelector('video.clip').readyState >= 2", timeout=20_000)
    frame = page.evaluate("[document.querySelector('video.clip').videoWidth,"
                          " document.querySelector('video.clip').videoHeight]")
    assert frame == [320, 240]
    assert video_answers and all(status == 206 for status, _ in video_answers), video_answers
    assert video_answers[0][1].startswith("bytes 0-") and video_answers[0][1].endswith(f"/{len(clip)}")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(browser, page, shots, "officer-share", full_page=True)
    assert overflow <= 0, f"the share page scrolls sideways by {overflow}px on a phone"
    assert watch.problems(page) == []
    [listed] = api.get("/api/shares", params={"upload_id": upload_id}, headers=analyst).json()
    assert listed["views"] >= 2  # the page and the clip from its first byte, logged


def test_manage_page_contact_change_refused_keeps_what_was_typed(browser, phone, live, smtp_inbox,
                                                                 shots):
    inbox, _ = smtp_inbox
    manage = register_and_verify(TestClient(live.app, base_url=live.url), inbox)
    page, watch, _ = open_page(phone, live.url + manage)
    page.click("summary:has-text('Change your contact details')")
    typed = {"#o-name": "Dana Reyes-Hall", "#o-email": "dana at example",
             "#o-address": "1300 Texas St, Shreveport, LA"}
    for selector, value in typed.items():
        page.fill(selector, value)
    page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
    with page.expect_navigation():
        page.click("button:has-text('Save contact details')")

    assert page.locator("#o-email-error").inner_text().startswith("This does not look like")
    assert page.evaluate("document.getElementById('o-email-error').closest('.field')"
                         " === document.getElementById('o-email').closest('.field')")
    assert page.get_attribute("#o-email", "aria-invalid") == "true"
    for selector, value in typed.items():
        assert page.input_value(selector) == value, selector
    assert page.is_visible("#o-name")  # the form is open where the owner left it
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.locator("#o-email").scroll_into_view_if_needed()
    shoot(browser, page, shots, "manage-contact-error")
    shoot(browser, page, shots, "manage-contact-error-full", full_page=True)
    assert overflow <= 0, f"the manage page scrolls sideways by {overflow}px on a phone"
    assert watch.problems(page) == []
