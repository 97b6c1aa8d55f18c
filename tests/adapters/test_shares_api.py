"""Reviews and officer shares against a real `rtcc-server` process: a valuable clip shared
view-only, the link opened (and counted), listed with its views, refused downloads, revoked
(410); sharing footage not reviewed valuable is refused in words an analyst can read; the link
texted to the officer, and the desk's marks (shared, first opened) rebuilt from the lists."""

from __future__ import annotations

import json

import httpx
import pytest

from rtcc_desk.adapters.server_link import ServerError
from rtcc_desk.adapters.server_link.shares_api import (
    UploadForShare,
    create_share,
    desk_marks,
    list_shares,
    review_upload,
    revoke_share,
    share_refusal_text,
)
from rtcc_desk.core.request_queue import RequestState
from tests.adapters.test_evidence_package import analyst, built, case_server  # noqa: F401

OFFICER, PHONE = "Ofc. Morgan Lee", "+13185550177"


def test_valuable_clip_shared_view_only_is_opened_counted_and_revoked(analyst, built):  # noqa: F811
    review = review_upload(analyst, built.clip_id, True, "Plate readable at 0:01")
    assert (review.upload_id, review.verdict) == (built.clip_id, "valuable")
    assert review.reviewer == "dana"
    assert review.notes == "Plate readable at 0:01"

    share = create_share(analyst, built.clip_id, OFFICER, PHONE, built.case_ref)
    assert share.url.startswith(analyst.base_url.rstrip("/") + "/s/")
    assert share.qr_svg.lstrip().startswith("<svg") and not share.allow_download
    assert share.access_text == "view only" and share.officer_contact == PHONE

    listed = {s.id: s for s in list_shares(analyst, built.clip_id)}
    assert listed[share.id].views == 0 and listed[share.id].last_viewed_at is None
    assert listed[share.id].status == "active" and listed[share.id].expires_at == share.expires_at
    assert (share.expires_at - listed[share.id].created_at).total_seconds() == 72 * 3600

    with httpx.Client() as phone:
        page = phone.get(share.url)
        assert page.status_code == 200
        assert built.case_ref in page.text and OFFICER in page.text
        assert phone.get(share.url + "/download").status_code == 403  # view-only

        seen = next(s for s in list_shares(analyst) if s.id == share.id)
        assert seen.views >= 1 and seen.opened and seen.last_viewed_at is not None
        assert seen.officer_name == OFFICER and seen.case_ref == built.case_ref

        revoked = revoke_share(analyst, share.id)
        assert revoked.status == "revoked" and revoked.revoked_at is not None
        assert phone.get(share.url).status_code == 410
        assert revoke_share(analyst, share.id).revoked_at == revoked.revoked_at  # idempotent


def test_download_share_with_short_expiry(analyst, built):  # noqa: F811
    share = create_share(analyst, built.clip_id, OFFICER, "m.lee@police.example", "",
                         allow_download=True, expires_hours=2)
    assert share.access_text == "view and download"
    record = next(s for s in list_shares(analyst, built.clip_id) if s.id == share.id)
    assert record.allow_download and record.case_ref == built.case_ref  # empty: request's case
    assert (record.expires_at - record.created_at).total_seconds() == 2 * 3600
    with httpx.Client() as phone:
        answer = phone.get(share.url + "/download")
        assert answer.status_code == 200 and answer.content == built.clip


def test_footage_not_reviewed_valuable_is_refused_in_plain_words(analyst, built):  # noqa: F811
    with pytest.raises(ServerError) as refused:
        create_share(analyst, built.native_id, OFFICER, PHONE, built.case_ref)
    assert refused.value.status == 409
    text = share_refusal_text(refused.value)
    assert "cannot be shared" in text and "valuable" in text
    assert all(s.upload_id != built.native_id for s in list_shares(analyst))

    with pytest.raises(ServerError) as not_reviewable:
        review_upload(analyst, built.refused_id, True)
    assert not_reviewable.value.status == 409

    with pytest.raises(ServerError) as bad_form:
        create_share(analyst, built.clip_id, "", "x", built.case_ref, expires_hours=9999)
    assert bad_form.value.status == 422
    assert share_refusal_text(bad_form.value).startswith("Check the form")


def test_upload_for_share_from_the_server_answer(analyst, built):  # noqa: F811
    answer = analyst.api("GET", f"/api/uploads/{built.clip_id}")
    upload = UploadForShare.from_server(answer, camera="REG-000001")
    assert upload == UploadForShare(built.clip_id, "porch 2026-11-25.mp4", "REG-000001",
                                    built.case_ref)


def test_the_server_texts_the_link_to_a_phone_and_says_so(analyst, built, case_server):  # noqa: F811
    outbox = case_server.data_dir / "sms-outbox"
    known = set(outbox.glob("*.json"))
    share = create_share(analyst, built.clip_id, OFFICER, PHONE, built.case_ref)
    assert (share.sent_via, share.send_error) == ("sms", "")
    assert share.sent_text == f"Link sent by text message to {PHONE}."
    (text,) = set(outbox.glob("*.json")) - known
    message = json.loads(text.read_text())
    assert message["to"] == PHONE and share.url in message["body"].split()
    assert "Analyst dana" in message["body"] and built.case_ref in message["body"]


def test_a_walk_up_handover_sends_nothing(analyst, built, case_server):  # noqa: F811
    outbox = case_server.data_dir / "sms-outbox"
    known = set(outbox.glob("*.json"))
    share = create_share(analyst, built.clip_id, OFFICER, PHONE, built.case_ref, send_link=False)
    assert (share.sent_via, share.send_error) == ("", "")
    assert share.sent_text.startswith("Not sent") and set(outbox.glob("*.json")) == known


def test_a_contact_that_is_neither_phone_nor_email_is_refused_in_words(analyst, built):  # noqa: F811
    with pytest.raises(ServerError) as refused:
        create_share(analyst, built.clip_id, OFFICER, "Ofc. Lee, badge 4412", built.case_ref)
    assert refused.value.status == 422
    text = share_refusal_text(refused.value)
    assert text.startswith("Check the form — phone or email: give the officer's mobile number")


def test_desk_marks_rebuild_shared_and_first_opening_per_request(analyst, built):  # noqa: F811
    share = create_share(analyst, built.clip_id, "Ofc. Dana Diaz", PHONE, built.case_ref)
    with httpx.Client() as phone:
        assert phone.get(share.url).status_code == 200
        assert phone.get(share.url).status_code == 200
    listed = next(s for s in list_shares(analyst) if s.id == share.id)
    assert listed.views == 2 and listed.first_viewed_at < listed.last_viewed_at
    assert listed.opened_at == listed.first_viewed_at
    marks = desk_marks(analyst)
    assert marks.states[built.request_id] is RequestState.SHARED
    opening = marks.openings[built.request_id]
    # The earliest opening of any of the request's links (other tests here open theirs too).
    firsts = [s.first_viewed_at for s in list_shares(analyst, built.clip_id) if s.first_viewed_at]
    assert opening.at == min(firsts) and opening.at.tzinfo is not None
