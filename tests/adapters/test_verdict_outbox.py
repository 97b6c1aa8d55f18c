"""Review verdicts from the desk against a real `rtcc-server`: a verdict given while the server
is down waits on disk (across a desk restart) and arrives once it returns; a resend after a lost
answer adds no second review; a verdict the server refuses is set aside with its reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest
from sqlalchemy import select

from rtcc_desk.adapters.server_link import ServerClient, ServerUnreachable, open_link_database
from rtcc_desk.adapters.server_link.verdict_outbox import QUEUED, REFUSED, SENT, Verdict, VerdictOutbox
from server_stub.models.reviews import Review
from tests.adapters.test_evidence_package import owner_token, upload
from tests.adapters.test_server_link import PASSWORD, RegistryServer
from tests.server.helpers import add_camera
from tests.server.test_evidence_api import make_clip


@pytest.fixture
def server(tmp_path):
    with RegistryServer(tmp_path / "server") as running:
        yield running


def uploaded_clip(server: RegistryServer, client: ServerClient, clip: bytes) -> tuple[str, str]:
    """A request answered by its owner with one H.264 clip: (request id, upload id)."""
    camera = add_camera(server.services, channel="sms", phone="+13185550100",
                        email=f"{uuid.uuid4().hex[:8]}@example.test")
    known = set((server.data_dir / "sms-outbox").glob("*.json"))
    start = datetime.now(UTC) - timedelta(hours=1)
    [made] = client.api("POST", "/api/requests", json={
        "client_id": uuid.uuid4().hex, "camera_ids": [camera], "case_ref": "SPD-26-0042",
        "window_start": start.isoformat(), "window_end": (start + timedelta(minutes=30)).isoformat(),
        "call_ref": "SPT-2026-000042", "justification": "Carjacking; camera faces the lot."})
    with httpx.Client(base_url=server.base_url) as web:
        return made["id"], upload(web, owner_token(server, known), clip, "lot.mp4")


def reviews_of(server: RegistryServer, upload_id: str) -> list[Review]:
    with server.services.sessions() as session:
        return list(session.scalars(select(Review).where(Review.upload_id == upload_id)))


def test_a_verdict_given_offline_arrives_once_after_the_server_returns(server, tmp_path, monkeypatch,
                                                                       tmp_path_factory):
    secret = server.add_user("dana", "analyst")
    link = f"sqlite:///{tmp_path / 'desk' / 'server-link.sqlite3'}"
    with ServerClient(server.base_url) as client:
        client.login("dana", PASSWORD, pyotp.TOTP(secret).now())
        request_id, upload_id = uploaded_clip(server, client, make_clip(tmp_path_factory))

        server.stop()
        verdict = Verdict(upload_id, True, "Plate readable at 0:04", request_id=request_id)
        result = VerdictOutbox.open(link).submit(client, verdict)
        assert result.queued and isinstance(result.error, ServerUnreachable)

        outbox = VerdictOutbox.open(link)  # the desk was restarted meanwhile
        assert outbox.pending("DANA") == [verdict] and outbox.deliver(client)[0].queued
        server.restart_on_same_port(monkeypatch)
        [delivered] = outbox.deliver(client)
        assert delivered.review.verdict == "valuable" and delivered.review.reviewer == "dana"
        assert outbox.state_of(verdict.client_id) == SENT and outbox.pending_count() == 0

        # Killed before it could mark the verdict sent: sent again, the server keeps one review.
        outbox.mark(verdict.client_id, state=QUEUED)
        assert outbox.deliver(client)[0].review.notes == "Plate readable at 0:04"
        assert [(r.verdict, r.notes) for r in reviews_of(server, upload_id)] == [
            ("valuable", "Plate readable at 0:04")]


def test_a_verdict_the_server_refuses_is_set_aside_with_its_reason(server, tmp_path):
    secret = server.add_user("dana", "analyst")
    outbox = VerdictOutbox.open(f"sqlite:///{tmp_path / 'server-link.sqlite3'}")
    with ServerClient(server.base_url) as client:
        client.login("dana", PASSWORD, pyotp.TOTP(secret).now())
        refused = outbox.submit(client, Verdict("0" * 32, False, "wrong camera"))
        assert refused.refused and not refused.queued
        assert outbox.state_of(refused.verdict.client_id) == REFUSED
        [(verdict, reason)] = outbox.refused()
        assert verdict.notes == "wrong camera" and reason
