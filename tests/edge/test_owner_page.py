"""The owner page in Debian's headless Chromium: sign in, cameras and disk, retention, pause, the access log.

Screenshots go to $RTCC_SCREENSHOTS when set (to look at them), else to pytest's tmp folder.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from rtcc_edge.owner_page.app import create_app
from tests.edge.conftest import OWNER_PASSWORD
from tests.edge.helpers import OwnerBrowser, wait_until
from tests.server.browser import PHONE, PageWatch, browser_missing, launch, screenshot_dir, shoot

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "browser ready")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def viewed_live(enrolled_box):
    """The RTCC watched camera 1 live for a few seconds (the session the access log must show)."""
    command_id, _session = enrolled_box.fake.live_command(enrolled_box.box_id, 1, max_seconds=3)
    assert enrolled_box.fake.state.final_result(command_id)["state"] == "done"
    return next(e for e in enrolled_box.box.store.access_log() if e.command_id == command_id)


def test_the_owner_signs_in_sees_the_box_and_the_access_log(enrolled_box, viewed_live, browser, tmp_path):
    shots = screenshot_dir(tmp_path)
    page = browser.new_page(**PHONE)
    watch = PageWatch().attach(page)
    page.goto(enrolled_box.runner.page_url + "/")
    assert page.url.endswith("/login")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert "That password is not right." in page.inner_text("main")
    shoot(browser, page, shots, "edge-owner-login-phone")
    page.fill("#password", OWNER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#access-log")
    wait_until(lambda: page.reload() and "Recording" in page.inner_text("#cameras"), 30, "camera 1 recording")

    cameras = page.inner_text("#cameras")
    assert re.search(r"1\s+Front door\s+Recording", cameras)
    assert re.search(r"2\s+Back alley\s+(Not recording|Connecting)", cameras)
    zone = enrolled_box.box.settings.zone()
    began = viewed_live.started_at.astimezone(zone).strftime("%H:%M")
    ended = viewed_live.ended_at.astimezone(zone).strftime("%H:%M")
    log = page.inner_text("#access-log")
    assert f"RTCC viewed camera 1 (Front door) live from {began} to {ended} for call SPT-2026-000777" in log
    assert "analyst.lee" in log and "Shots fired nearby" in log
    assert "used" in page.inner_text("#storage") and "free of" in page.inner_text("#storage")
    shoot(browser, page, shots, "edge-owner-status-phone", full_page=True)
    assert watch.problems(page) == []
    page.close()


def test_the_owner_changes_retention_and_pauses_sharing(enrolled_box, viewed_live, browser, tmp_path):
    shots = screenshot_dir(tmp_path)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    watch = PageWatch().attach(page)
    page.goto(enrolled_box.runner.page_url + "/login")
    page.fill("#password", OWNER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#storage")

    page.fill("#days", "14")
    page.click("#storage button[type=submit]")
    assert "Retention saved." in page.inner_text("main")
    assert page.input_value("#days") == "14" and enrolled_box.box.retention_days == 14
    wait_until(lambda: enrolled_box.fake.state.heartbeats[-1]["retention_days"] == 14, 20, "the RTCC told")

    page.click("#sharing button[type=submit]")
    assert "Sharing paused" in page.inner_text("main") and enrolled_box.box.paused
    assert "Paused." in page.inner_text("#sharing")
    # While paused the RTCC's request is refused, and the owner sees that in the log.
    newest = wait_until(lambda: enrolled_box.box.health()[0].newest, 60, "a recorded segment")
    refused = enrolled_box.fake.clip_command(enrolled_box.box_id, 1, newest - timedelta(seconds=4), newest)
    assert enrolled_box.fake.state.final_result(refused)["state"] == "refused"
    page.reload()
    assert re.search(r"RTCC asked for a copy of camera 1 \(Front door\).*Refused", page.inner_text("#access-log"),
                     re.DOTALL)
    shoot(browser, page, shots, "edge-owner-status-paused", full_page=True)
    page.click("#sharing button[type=submit]")
    assert "Sharing resumed" in page.inner_text("main") and not enrolled_box.box.paused
    assert watch.problems(page) == []
    page.close()


def test_forms_refuse_bad_values_missing_tokens_and_other_sites(enrolled_box):
    owner = OwnerBrowser(enrolled_box.runner.page_url)
    try:
        owner.sign_in(OWNER_PASSWORD)
        refused = owner.post("/retention", days="400")
        assert refused.status_code == 422
        assert "Days kept must be a whole number from 1 to 365 (you entered &#39;400&#39;)" in refused.text
        assert owner.client.post("/retention", data={"days": "3"}).status_code == 400  # no CSRF token
        page = owner.client.get("/").text
        cross = owner.client.post("/sharing", data={"action": "pause", "csrf_token": owner.csrf(page)},
                                  headers={"Origin": "http://evil.example"})
        assert cross.status_code == 400 and not enrolled_box.box.paused
        assert enrolled_box.box.retention_days != 3
    finally:
        owner.close()
    # Signed out, nothing but the sign-in page.
    anonymous = OwnerBrowser(enrolled_box.runner.page_url)
    try:
        assert anonymous.client.post("/sharing", data={"action": "pause"}).url.path == "/login"
        assert not enrolled_box.box.paused
    finally:
        anonymous.close()


def test_clients_outside_the_business_network_are_refused(enrolled_box):
    # Starlette's test client connects as "testclient", not a LAN address.
    with TestClient(create_app(enrolled_box.box)) as outsider:
        answer = outsider.get("/login")
    assert answer.status_code == 403 and "own network" in answer.text
