"""Officer share links: valuable uploads only, range-served clip, expiry, revocation, views; the
link sent to the officer by email or text, and the first opening published to the desks."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from server_stub import auth
from server_stub.messaging import SmtpMailer
from tests.server.conftest import Inbox, free_port
from tests.server.helpers import login_as
from tests.server.test_events import read as read_events
from tests.server.test_evidence_api import make_clip, upload_file
from tests.server.test_tus import actions

OFFICER = {"officer_name": "Ofc. Jamie Ruiz", "officer_contact": "+13185550142",
           "case_ref": "SPD-26-0417"}


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> bytes:
    return make_clip(tmp_path_factory)


@pytest.fixture
def analyst(client, services):
    return login_as(client, services, "analyst")


def reviewed(client, headers, data: bytes, verdict: str = "valuable") -> str:
    upload_id, _ = upload_file(client, data)
    response = client.post(f"/api/uploads/{upload_id}/review", json={"verdict": verdict},
                           headers=headers)
    assert response.status_code == 200, response.text
    return upload_id


def share(client, headers, upload_id: str, **fields) -> dict:
    response = client.post(f"/api/uploads/{upload_id}/shares", json={**OFFICER, **fields},
                           headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def path_of(url: str) -> str:
    assert url.startswith("https://rtcc.example.test/s/")
    return url.removeprefix("https://rtcc.example.test")


def test_officer_watches_the_clip_by_ranges_and_every_view_is_logged(client, services, analyst,
                                                                     clip):
    upload_id = reviewed(client, analyst, clip)
    made = share(client, analyst, upload_id, allow_download=True)
    assert made["qr_svg"].startswith("<svg") and "</svg>" in made["qr_svg"]
    page_path = path_of(made["url"])
    page = client.get(page_path, headers={"User-Agent": "PhoneBrowser/1.0"})
    assert page.status_code == 200
    assert "SPD-26-0417" in page.text and "Ofc. Jamie Ruiz" in page.text
    assert f'src="{page_path}/video"' in page.text and "playsinline" in page.text
    assert f'href="{page_path}/download"' in page.text
    assert row_hash(services, upload_id) in page.text
    assert "<script" not in page.text and "style=" not in page.text
    first = client.get(f"{page_path}/video", headers={"Range": "bytes=0-99"})
    assert first.status_code == 206 and first.content == clip[:100]
    assert first.headers["content-range"] == f"bytes 0-99/{len(clip)}"
    assert first.headers["content-type"] == "video/mp4"
    assert first.headers["accept-ranges"] == "bytes"
    more = client.get(f"{page_path}/video", headers={"Range": "bytes=100-"})
    assert more.status_code == 206 and more.content == clip[100:]
    beyond = client.get(f"{page_path}/video", headers={"Range": f"bytes={len(clip) + 10}-"})
    assert beyond.status_code == 416
    download = client.get(f"{page_path}/download")
    assert download.status_code == 200 and download.content == clip
    assert download.headers["content-disposition"].startswith("attachment")
    [listed] = client.get("/api/shares", params={"upload_id": upload_id}, headers=analyst).json()
    # The page, the clip from byte 0 and the download: not the later range chunks.
    assert listed["views"] == 3 and listed["last_viewed_at"] and listed["status"] == "active"
    views = [a for a in actions(services) if a[0] == "share.view"]
    assert len(views) == 3 and all(a[1] == "success" for a in views)
    assert ("share.create", "success") in [a[:2] for a in actions(services)]


def row_hash(services, upload_id: str) -> str:
    from server_stub.models.uploads import Upload

    with services.sessions() as session:
        return session.get(Upload, upload_id).sha256


def test_view_only_share_has_no_download(client, services, analyst, clip):
    upload_id = reviewed(client, analyst, clip)
    page_path = path_of(share(client, analyst, upload_id)["url"])
    page = client.get(page_path)
    assert page.status_code == 200 and "/download" not in page.text
    assert client.get(f"{page_path}/download").status_code == 403
    assert client.get(f"{page_path}/video", headers={"Range": "bytes=0-9"}).status_code == 206


def test_revoked_expired_and_unknown_links_are_gone(client, services, analyst, clip, monkeypatch):
    upload_id = reviewed(client, analyst, clip)
    revoked = share(client, analyst, upload_id)
    revoked_path = path_of(revoked["url"])
    answer = client.post(f"/api/shares/{revoked['id']}/revoke", headers=analyst)
    assert answer.status_code == 200 and answer.json()["status"] == "revoked"
    gone = client.get(revoked_path, headers={"Accept": "text/html"})
    assert gone.status_code == 410 and "no longer valid" in gone.text
    assert client.get(f"{revoked_path}/video", headers={"Range": "bytes=0-99"}).status_code == 410
    assert client.get("/s/not-a-real-token").status_code == 410

    # Made an hour and a second ago (the analyst's 15-minute sign-in is still good then).
    earlier = auth.utcnow() - timedelta(hours=1, seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: earlier)
    short = share(client, analyst, upload_id, hours=1)
    short_path = path_of(short["url"])
    assert client.get(short_path).status_code == 200
    monkeypatch.undo()
    assert client.get(short_path).status_code == 410
    assert client.get(f"{short_path}/download").status_code == 410
    listed = {s["id"]: s for s in client.get("/api/shares", params={"upload_id": upload_id},
                                            headers=analyst).json()}
    assert listed[short["id"]]["status"] == "expired" and listed[short["id"]]["views"] == 1
    refused = [a for a in actions(services) if a[:2] == ("share.view", "failure")]
    assert len(refused) == 4  # revoked page and clip, expired page and download


def test_only_valuable_uploads_can_be_shared(client, services, analyst, clip):
    unreviewed, _ = upload_file(client, clip)
    response = client.post(f"/api/uploads/{unreviewed}/shares", json=OFFICER, headers=analyst)
    assert response.status_code == 409
    dull = reviewed(client, analyst, clip, verdict="not_valuable")
    assert client.post(f"/api/uploads/{dull}/shares", json=OFFICER,
                       headers=analyst).status_code == 409
    good = reviewed(client, analyst, clip)
    too_long = client.post(f"/api/uploads/{good}/shares", json={**OFFICER, "hours": 721},
                           headers=analyst)
    assert too_long.status_code == 422
    made = share(client, analyst, good)
    expires = made["expires_at"]
    assert re.match(r"\d{4}-\d\d-\d\dT", expires)
    assert client.post(f"/api/uploads/{good}/shares", json=OFFICER).status_code == 401
    assert [a[1] for a in actions(services) if a[0] == "share.create"] == [
        "failure", "failure", "success"]


def test_recorder_format_clip_says_download_to_view(client, services, analyst):
    data = b"DHAV" + bytes(range(256)) * 200
    upload_id = reviewed(client, analyst, data)
    with_download = path_of(share(client, analyst, upload_id, allow_download=True)["url"])
    page = client.get(with_download)
    assert "Recorder format — download to view" in page.text and "<video" not in page.text
    assert client.get(f"{with_download}/download").content == data
    view_only = path_of(share(client, analyst, upload_id)["url"])
    page = client.get(view_only)
    assert "download to view" not in page.text and "/download" not in page.text


def test_an_email_contact_gets_the_link_by_email_and_the_send_is_audited(client, services,
                                                                         analyst, clip, inbox):
    upload_id = reviewed(client, analyst, clip)
    made = share(client, analyst, upload_id, officer_contact="j.ruiz@police.example",
                 allow_download=True, hours=6)
    assert made["sent_via"] == "email" and made["send_error"] == ""
    mail = inbox.wait_for(1)[-1]
    assert mail["To"] == "j.ruiz@police.example"
    assert mail["Subject"] == "Footage shared with you for case SPD-26-0417"
    body = Inbox.body(mail)
    assert made["url"] in body.split() and "Hello Ofc. Jamie Ruiz" in body
    assert "Analyst analyst" in body and "view and download" in body
    assert "The link works until" in body
    assert ("share.send", "success") in [a[:2] for a in actions(services)]
    assert client.get(path_of(made["url"])).status_code == 200  # the mailed link works


def test_a_phone_contact_gets_the_link_by_text_message(client, services, analyst, clip,
                                                       server_settings):
    upload_id = reviewed(client, analyst, clip)
    made = share(client, analyst, upload_id, officer_contact=" (318) 555-0142 ")
    assert made["sent_via"] == "sms" and made["send_error"] == ""
    (text,) = server_settings.sms_outbox_dir.glob("*.json")
    message = json.loads(text.read_text())
    assert message["to"] == "(318) 555-0142"
    assert made["url"] in message["body"].split() and "SPD-26-0417" in message["body"]
    assert "view only" in message["body"] and "Analyst analyst" in message["body"]
    [send] = [a for a in actions(services) if a[0] == "share.send"]
    assert send[1] == "success" and "via sms" in send[2]


def test_the_desk_may_skip_sending_for_a_walk_up_handover(client, services, analyst, clip,
                                                          inbox, server_settings):
    upload_id = reviewed(client, analyst, clip)
    made = share(client, analyst, upload_id, send_link=False,
                 officer_contact="j.ruiz@police.example")
    assert made["sent_via"] is None and made["send_error"] == ""
    assert inbox.messages == [] and not list(server_settings.sms_outbox_dir.glob("*.json"))
    assert "share.send" not in [a[0] for a in actions(services)]


def test_a_failed_send_is_reported_and_audited_and_the_share_still_stands(client, services,
                                                                          analyst, clip):
    upload_id = reviewed(client, analyst, clip)
    nobody_listening = services.settings.model_copy(update={"smtp_port": free_port()})
    services.mailer = SmtpMailer(nobody_listening, timeout_s=5)
    made = share(client, analyst, upload_id, officer_contact="j.ruiz@police.example")
    assert made["sent_via"] is None
    assert "email to j.ruiz@police.example" in made["send_error"]
    assert "failed" in made["send_error"]
    assert client.get(path_of(made["url"])).status_code == 200  # hand it over by QR instead
    [send] = [a for a in actions(services) if a[0] == "share.send"]
    assert send[1] == "failure" and "via email" in send[2]


@pytest.mark.parametrize("contact", ["Ofc. Ruiz", "ruiz@police", "call 4412"])
def test_a_contact_that_is_neither_phone_nor_email_is_refused_in_words(client, analyst, clip,
                                                                       contact):
    upload_id = reviewed(client, analyst, clip)
    response = client.post(f"/api/uploads/{upload_id}/shares",
                           json={**OFFICER, "officer_contact": contact}, headers=analyst)
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert problem["field"] == "officer_contact"
    assert problem["problem"].startswith("give the officer's mobile number")
    assert "email address" in problem["problem"] and contact in problem["problem"]
    assert client.get("/api/shares", params={"upload_id": upload_id},
                      headers=analyst).json() == []


def test_the_first_opening_is_published_once_for_the_desk(client, services, analyst, clip):
    upload_id = reviewed(client, analyst, clip)
    request_id = row_request(services, upload_id)
    made = share(client, analyst, upload_id, allow_download=True)
    cursor = read_events(client, analyst)[0]["id"]
    page_path = path_of(made["url"])
    assert client.get(page_path).status_code == 200
    assert client.get(f"{page_path}/video", headers={"Range": "bytes=0-99"}).status_code == 206
    assert client.get(page_path).status_code == 200
    assert client.get(f"{page_path}/download").status_code == 200
    viewed = [e for e in read_events(client, analyst, after=cursor)[1:]
              if e["event"] == "share.viewed"]
    assert len(viewed) == 1
    data = viewed[0]["data"]["data"]
    assert viewed[0]["data"]["object_id"] == made["id"]
    assert (data["share_id"], data["upload_id"], data["request_id"]) == (
        made["id"], upload_id, request_id)
    assert data["officer_name"] == "Ofc. Jamie Ruiz" and data["view"] == "page"
    [listed] = client.get("/api/shares", params={"upload_id": upload_id}, headers=analyst).json()
    assert listed["views"] == 4
    first, last = (datetime.fromisoformat(listed[k]) for k in ("first_viewed_at", "last_viewed_at"))
    assert first == datetime.fromisoformat(data["at"]) and first <= last

    # A withdrawn link opened later publishes nothing: the desk already knows.
    client.post(f"/api/shares/{made['id']}/revoke", headers=analyst)
    cursor = read_events(client, analyst)[0]["id"]
    assert client.get(page_path).status_code == 410
    assert read_events(client, analyst, after=cursor)[1:] == []


def test_a_share_never_opened_has_no_first_view(client, analyst, clip):
    upload_id = reviewed(client, analyst, clip)
    share(client, analyst, upload_id)
    [listed] = client.get("/api/shares", params={"upload_id": upload_id}, headers=analyst).json()
    assert listed["views"] == 0 and listed["first_viewed_at"] is None


def row_request(services, upload_id: str) -> str:
    from server_stub.models.uploads import Upload

    with services.sessions() as session:
        return session.get(Upload, upload_id).request_id


def test_page_and_clip_opened_together_publish_one_first_opening(client, analyst, clip):
    upload_id = reviewed(client, analyst, clip)
    made = share(client, analyst, upload_id)
    cursor = read_events(client, analyst)[0]["id"]
    page_path = path_of(made["url"])
    opens = [page_path, f"{page_path}/video"] * 4  # a phone loads the page and its player at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda path: client.get(path, headers={"Range": "bytes=0-9"}),
                                opens))
    assert {a.status_code for a in answers} <= {200, 206}
    viewed = [e for e in read_events(client, analyst, after=cursor)[1:]
              if e["event"] == "share.viewed"]
    assert len(viewed) == 1
