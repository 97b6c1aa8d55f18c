"""Analyst upload API: metadata, byte-range download of originals (audited), review verdicts
(a resent verdict answered again, not recorded twice)."""

from __future__ import annotations

import hashlib
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from server_stub.models.reviews import Review
from tests.server.helpers import login_as
from tests.server.test_tus import actions, create, make_request, patch, row


def make_clip(tmp_path_factory) -> bytes:
    """A real two-second H.264 MP4."""
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "testsrc=duration=2:size=320x240:rate=15", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", str(path)], check=True, timeout=60)
    return path.read_bytes()


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> bytes:
    return make_clip(tmp_path_factory)  # once per test worker


def upload_file(client, data: bytes, name: str = "clip.mp4") -> tuple[str, str]:
    """Send ``data`` over tus for a fresh footage request; (upload id, request id)."""
    services = client.app.state.services
    token, request_id = make_request(services)
    url = create(client, token, len(data), name=name)
    response = patch(client, url, 0, data, checksum=hashlib.sha256(data).digest())
    assert response.status_code == 204, response.text
    return row(services, url).id, request_id


def test_metadata_list_and_detail(client, services, clip):
    upload_id, request_id = upload_file(client, clip)
    headers = login_as(client, services, "analyst")
    listed = client.get("/api/uploads", params={"request_id": request_id}, headers=headers)
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["id"] == upload_id and item["classification"] == "playable"
    assert item["sha256"] == hashlib.sha256(clip).hexdigest() and item["length"] == len(clip)
    assert item["case_ref"] == "SPD-26-1001" and item["review"] is None
    assert item["probe"]["codec"] == "h264"
    detail = client.get(f"/api/uploads/{upload_id}", headers=headers)
    assert detail.status_code == 200 and detail.json()["filename"] == "clip.mp4"
    assert client.get("/api/uploads/" + "0" * 32, headers=headers).status_code == 404
    assert client.get("/api/uploads/../etc", headers=headers).status_code == 404
    assert client.get(f"/api/uploads/{upload_id}").status_code == 401
    owner_only = login_as(client, services, "privacy_reviewer")
    assert client.get(f"/api/uploads/{upload_id}", headers=owner_only).status_code == 403
    done = [a[0] for a in actions(services)]
    assert "upload.list" in done and "upload.view" in done


def test_original_download_is_range_capable_and_audited(client, services, clip):
    upload_id, _ = upload_file(client, clip)
    headers = login_as(client, services, "analyst")
    whole = client.get(f"/api/uploads/{upload_id}/original", headers=headers)
    assert whole.status_code == 200 and whole.content == clip
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-disposition"] == 'attachment; filename="clip.mp4"'
    part = client.get(f"/api/uploads/{upload_id}/original",
                      headers={**headers, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == clip[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(clip)}"
    tail = client.get(f"/api/uploads/{upload_id}/original",
                      headers={**headers, "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == clip[-10:]
    beyond = client.get(f"/api/uploads/{upload_id}/original",
                        headers={**headers, "Range": f"bytes={len(clip)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(clip)}"
    downloads = [a for a in actions(services) if a[0] == "upload.download"]
    # The whole read is audited; later chunks of a read are not.
    assert len(downloads) == 1 and downloads[0][1] == "success"
    assert f"upload:{upload_id}" in downloads[0][2]


def test_review_verdicts_and_refused_uploads(client, services, clip):
    upload_id, _ = upload_file(client, clip)
    headers = login_as(client, services, "supervisor")
    bad = client.post(f"/api/uploads/{upload_id}/review", json={"verdict": "maybe"},
                      headers=headers)
    assert bad.status_code == 422
    long = client.post(f"/api/uploads/{upload_id}/review",
                       json={"verdict": "valuable", "notes": "x" * 2001}, headers=headers)
    assert long.status_code == 422
    first = client.post(f"/api/uploads/{upload_id}/review",
                        json={"verdict": "not_valuable", "notes": "wrong street"}, headers=headers)
    assert first.status_code == 200 and first.json()["review"]["verdict"] == "not_valuable"
    second = client.post(f"/api/uploads/{upload_id}/review",
                         json={"verdict": "valuable", "notes": "suspect car at 0:01"},
                         headers=headers)
    review = second.json()["review"]
    assert review["verdict"] == "valuable" and review["notes"] == "suspect car at 0:01"
    assert review["reviewer"].startswith("supervisor")
    shown = client.get(f"/api/uploads/{upload_id}", headers=headers).json()["review"]
    assert shown["verdict"] == "valuable"
    assert [a[1] for a in actions(services) if a[0] == "upload.review"] == ["success", "success"]

    refused_id, _ = upload_file(client, b"MZ" + b"\0" * 5000, name="setup.exe")
    assert row(services, f"/x/{refused_id}").classification == "refused"
    refused = client.post(f"/api/uploads/{refused_id}/review", json={"verdict": "valuable"},
                          headers=headers)
    assert refused.status_code == 409
    assert client.get(f"/api/uploads/{refused_id}/original", headers=headers).status_code == 404
    assert ("upload.review", "failure") in [a[:2] for a in actions(services)]


def reviews_of(services, upload_id: str) -> list[tuple[str, str]]:
    with services.sessions() as session:
        return [(r.verdict, r.notes) for r in session.scalars(
            select(Review).where(Review.upload_id == upload_id).order_by(Review.id))]


def test_a_resent_verdict_is_answered_again_not_recorded_twice(client, services, clip):
    upload_id, _ = upload_file(client, clip)
    dana, lee = login_as(client, services, "analyst"), login_as(client, services, "analyst")
    verdict = {"verdict": "valuable", "notes": "plate at 0:01"}

    def send(headers, body=verdict):
        response = client.post(f"/api/uploads/{upload_id}/review", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["review"]

    first = send(dana)
    assert send(dana) == first  # the desk's resend after a crash: the same answer, no new row
    assert reviews_of(services, upload_id) == [("valuable", "plate at 0:01")]
    assert [a[0] for a in actions(services)].count("upload.review") == 1

    changed = send(dana, {"verdict": "valuable", "notes": "plate and driver at 0:01"})
    assert changed["notes"] == "plate and driver at 0:01" and changed["at"] >= first["at"]
    overruled = send(lee, {"verdict": "not_valuable", "notes": "wrong car"})
    again = send(dana, {"verdict": "valuable", "notes": "plate and driver at 0:01"})
    # After a colleague's verdict the same words again are a decision, and they count.
    assert again["at"] >= overruled["at"] and again != changed
    shown = client.get(f"/api/uploads/{upload_id}", headers=dana).json()["review"]
    assert shown == again
    assert len(reviews_of(services, upload_id)) == 4


def test_copies_of_a_verdict_in_flight_together_add_one_review(client, services, clip):
    upload_id, _ = upload_file(client, clip)
    headers = login_as(client, services, "analyst")
    body = {"verdict": "not_valuable", "notes": "lens fogged"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: client.post(f"/api/uploads/{upload_id}/review",
                                                      json=body, headers=headers), range(4)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["review"]["at"] for a in answers}) == 1
    assert len(reviews_of(services, upload_id)) == 1
