"""The dashboard's records loaded from a real `rtcc-server serve` on loopback: requests made
through POST /api/requests, an upload, its verdict and officer shares as the API lists them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rtcc_desk.adapters.server_link.dashboard_source import dashboard_loader, load_dashboard_records
from rtcc_desk.core.dashboard import Period, compute_figures
from server_stub.models.requests import FootageRequest
from server_stub.models.reviews import Review
from server_stub.models.shares import Share, ShareView
from server_stub.models.uploads import Upload
from tests.adapters.test_server_link import RegistryServer, signed_in
from tests.server.helpers import add_camera


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with RegistryServer(tmp_path_factory.mktemp("dashboard") / "server") as running:
        yield running


def send_request(client, camera_ids, call_ref: str) -> list[dict]:
    start = datetime.now(UTC) - timedelta(hours=2)
    return client.api("POST", "/api/requests", json={
        "client_id": uuid.uuid4().hex, "camera_ids": camera_ids,
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(minutes=30)).isoformat(),
        "call_ref": call_ref, "case_ref": "26-001234",
        "justification": "robbery, suspect fled east",
    })


def owner_uploads_and_officer_views(server, request_id: str) -> tuple[str, datetime]:
    """What the owner's tus upload, the analyst's verdict and the officer's phone leave in the
    database (those flows have their own tests), written straight in."""
    now = datetime.now(UTC)
    with server.services.sessions() as session:
        request = session.get(FootageRequest, request_id)
        request.status, request.answered_at = "uploaded", now + timedelta(minutes=5)
        upload = Upload(request_id=request_id, filename="clip.mp4", length=10, offset=10,
                        sha256="0" * 64, state="complete", classification="playable",
                        created_at=now + timedelta(minutes=5),
                        completed_at=now + timedelta(minutes=20),
                        expires_at=now + timedelta(days=1))
        session.add(upload)
        session.flush()
        session.add(Review(upload_id=upload.id, verdict="not_valuable", reviewer="dana",
                           at=now + timedelta(minutes=25)))
        session.add(Review(upload_id=upload.id, verdict="valuable", reviewer="dana",
                           at=now + timedelta(minutes=26)))
        viewed, unseen = (
            Share(upload_id=upload.id, officer_name=name, officer_contact="+13185550100",
                  case_ref="26-001234", token_hash=uuid.uuid4().hex * 2,
                  expires_at=now + timedelta(days=3), created_by="dana",
                  created_at=now + timedelta(minutes=30))
            for name in ("Ofc. Reyes", "Ofc. Kim"))
        session.add_all([viewed, unseen])
        session.flush()
        session.add(ShareView(share_id=viewed.id, at=now + timedelta(minutes=42), kind="page"))
        session.commit()
        return upload.id, now


def test_loads_requests_uploads_reviews_and_shares(server):
    cameras = [add_camera(server.services, email=f"owner{i}@example.test") for i in range(3)]
    client = signed_in(server, "dana")
    made = send_request(client, cameras[:2], "CALL-1") + send_request(client, cameras[2:], "CALL-2")
    assert len(made) == 3
    call_at = {"CALL-1": datetime.now(UTC) - timedelta(minutes=12)}
    upload_id, now = owner_uploads_and_officer_views(server, made[0]["id"])

    records = load_dashboard_records(client, call_time=call_at.get)

    by_id = {r.request_id: r for r in records.requests}
    assert set(by_id) == {r["id"] for r in made}
    first = by_id[made[0]["id"]]
    assert first.call_ref == "CALL-1" and first.call_at == call_at["CALL-1"]
    assert first.status == "uploaded" and first.answered
    assert first.created_at.tzinfo is not None
    assert by_id[made[2]["id"]].call_at is None  # the desk's feed does not know CALL-2
    assert by_id[made[1]["id"]].status == "sent" and not by_id[made[1]["id"]].answered
    (upload,) = records.uploads
    assert (upload.upload_id, upload.request_id) == (upload_id, made[0]["id"])
    assert upload.is_footage
    assert abs(upload.completed_at - (now + timedelta(minutes=20))) < timedelta(milliseconds=2)
    assert [(r.upload_id, r.verdict) for r in records.reviews] == [(upload_id, "valuable")]
    shares = sorted(records.shares, key=lambda s: s.was_viewed)
    assert [s.was_viewed for s in shares] == [False, True]
    first_view = shares[1].first_viewed_at
    assert abs(first_view - (now + timedelta(minutes=42))) < timedelta(milliseconds=2)

    around_now = Period(now.date() - timedelta(days=1), now.date() + timedelta(days=1))
    figures = compute_figures(records, around_now)
    assert (figures.requests_sent, figures.answered, figures.valuable) == (3, 1, 1)
    # CALL-1 asked two cameras: two requests with its time; CALL-2's is unknown
    assert (figures.call_to_request.samples, figures.call_to_request.missing) == (2, 1)
    assert (figures.shares, figures.shares_viewed) == (2, 1)
    assert abs(figures.share_to_view.median - timedelta(minutes=12)) < timedelta(milliseconds=5)
    # The loader the pane's refresh button calls gives the same records.
    assert len(dashboard_loader(client, call_time=call_at.get)().requests) == 3
