"""Footage requests from the desk against a real `rtcc-server serve` on loopback with a real
SMTP server: create (owners contacted, by which channel), idempotent retries, the offline
outbox across a server restart, and the event stream with Last-Event-ID resume."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyotp
import pytest

from rtcc_desk.adapters import local_server
from rtcc_desk.adapters.local_server import LocalServer
from rtcc_desk.adapters.server_link import ServerClient, ServerUnreachable, open_link_database
from rtcc_desk.adapters.server_link.request_outbox import QUEUED, SENT, RequestOutbox
from rtcc_desk.adapters.server_link.requests_api import (
    EventStream,
    create_requests,
    list_requests,
    parse_sse,
)
from rtcc_desk.core.request_queue import RequestDraft, RequestQueue, RequestState, RequestWindow
from server_stub.auth import create_user
from server_stub.services import build_services
from server_stub.settings import ServerSettings
from tests.server.conftest import Inbox, smtp_inbox  # noqa: F401  (the real SMTP fixture)
from tests.server.helpers import add_camera

PASSWORD = "correct horse battery staple"


class RequestServer(LocalServer):
    """A real server process mailing through a real SMTP sink; its database opened for set-up."""

    def __init__(self, data_dir: Path, smtp_port: int) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(data_dir, smtp_port=smtp_port)
        self.services = build_services(ServerSettings(
            data_dir=data_dir, database_url=self.database_url, smtp_host="127.0.0.1",
            smtp_port=smtp_port))

    def analyst(self, username: str = "dana") -> ServerClient:
        with self.services.sessions() as session:
            _, secret = create_user(session, username=username, password=PASSWORD, roles=("analyst",))
            session.commit()
        client = ServerClient(self.base_url)
        client.login(username, PASSWORD, pyotp.TOTP(secret).now())
        return client

    def two_cameras(self) -> tuple[str, str]:
        """One owner who reads email, one who prefers text messages."""
        return (add_camera(self.services, email="corner.store@example.test", label="Corner store"),
                add_camera(self.services, email="resident@example.test", channel="sms",
                           phone="+13185550111", label="Porch"))

    def sms_sent(self) -> list[dict]:
        folder = self.data_dir / "sms-outbox"
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []

    def restart_on_same_port(self, monkeypatch) -> None:
        port = self.port
        monkeypatch.setattr(local_server, "free_port", lambda: port)
        self.start()


@pytest.fixture
def server(tmp_path, smtp_inbox):  # noqa: F811
    inbox, port = smtp_inbox
    with RequestServer(tmp_path / "server", port) as running:
        running.inbox = inbox
        yield running


def window() -> RequestWindow:
    return RequestWindow.around(datetime.now(UTC) - timedelta(hours=2))


def owner_link(message) -> str:
    return re.search(r"(http://\S+/r/\S+)", Inbox.body(message)).group(1)


def answer_as_owner(link: str, choice: str) -> None:
    """The owner's phone: open the page, press a button (with the page's CSRF token)."""
    with httpx.Client(follow_redirects=False) as browser:
        page = browser.get(link)
        assert page.status_code == 200, page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        done = browser.post(f"{link}/answer", data={"choice": choice, "csrf_token": token})
        assert done.status_code in (200, 303), done.text


def test_requests_for_two_cameras_reach_both_owners_and_a_retry_creates_nothing(server):
    store, porch = server.two_cameras()
    with server.analyst() as client:
        made = create_requests(client, [store, porch], window(), "SPT-2026-000041", "C-26-0107",
                               "Armed robbery, suspect fled north on foot", "desk-0001-abcd")
        assert [(r.camera_id, r.channel, r.state) for r in made] == [
            (store, "email", RequestState.SENT), (porch, "sms", RequestState.SENT)]
        assert all(r.delivery_error == "" and r.analyst == "dana" for r in made)
        assert all(r.overwrite_deadline is not None for r in made)
        assert server.inbox.wait_for(1)[0]["To"] == "corner.store@example.test"
        assert "/r/" in server.sms_sent()[0]["body"]

        again = create_requests(client, [store, porch], window(), "SPT-2026-000041", "C-26-0107",
                                "Armed robbery, suspect fled north on foot", "desk-0001-abcd")
        assert [r.request_id for r in again] == [r.request_id for r in made]
        listed = list_requests(client)
        assert sorted(r.request_id for r in listed) == sorted(r.request_id for r in made)
        assert len(server.inbox.messages) == 1 and len(server.sms_sent()) == 1  # nobody twice


def test_a_request_made_while_the_server_is_down_is_sent_once_after_it_returns(server, tmp_path, monkeypatch):
    store, _ = server.two_cameras()
    outbox = RequestOutbox(open_link_database(f"sqlite:///{tmp_path / 'desk' / 'server-link.sqlite3'}"))
    with server.analyst() as client:
        server.stop()
        draft = RequestDraft((store,), window(), "Shots fired, vehicle seen", call_ref="SPT-7")
        result = outbox.submit(client, draft)
        assert result.queued and isinstance(result.error, ServerUnreachable)
        assert outbox.pending("DANA") == [draft]

        # The desk restarts too: a new outbox on the same file still holds the draft.
        outbox = RequestOutbox(open_link_database(f"sqlite:///{tmp_path / 'desk' / 'server-link.sqlite3'}"))
        assert outbox.deliver(client)[0].queued  # still down
        server.restart_on_same_port(monkeypatch)
        delivered = outbox.deliver(client)
        assert [len(r.requests) for r in delivered] == [1]
        assert outbox.state_of(draft.client_id) == SENT and outbox.pending_count() == 0
        assert outbox.deliver(client) == []
        # A desk killed before it could mark the draft sent sends it again: the server dedupes.
        outbox.mark(draft.client_id, state=QUEUED)
        assert outbox.deliver(client)[0].requests[0].request_id == delivered[0].requests[0].request_id
        assert len(list_requests(client)) == 1
        assert len(server.inbox.wait_for(1)) == 1


def test_a_refused_draft_is_set_aside_with_the_servers_reason(server, tmp_path):
    outbox = RequestOutbox.open(f"sqlite:///{tmp_path / 'link.sqlite3'}")
    with server.analyst() as client:
        result = outbox.submit(client, RequestDraft(("REG-NOPE",), window(), "burglary"))
        assert result.refused and "unknown camera" in str(result.error)
        assert outbox.pending_count() == 0 and "unknown camera" in outbox.refused()[0][1]


def test_the_event_stream_brings_the_owners_answer_and_resumes_after_the_last_id(server):
    store, _ = server.two_cameras()
    with server.analyst() as client:
        queue = RequestQueue()
        queue.upsert(create_requests(client, [store], window(), "SPT-9", "", "Burglary in progress",
                                     "desk-0002-abcd"))
        stream = EventStream(client)
        first = list(stream.read(until_idle=True))
        assert first[0].kind == "ready" and first[0].resync  # no cursor yet: reload first
        queue.apply_events(first)
        answer_as_owner(owner_link(server.inbox.wait_for(1)[0]), "no_relevant_footage")
        resumed = list(stream.read(until_idle=True))
        assert resumed[0].kind == "ready" and not resumed[0].resync
        assert [e.kind for e in resumed[1:]] == ["request.status", "request.status"]
        queue.apply_events(resumed)
        assert queue.get(queue.requests()[0].request_id).state is RequestState.NO_RELEVANT_FOOTAGE
        assert list(stream.read(until_idle=True))[1:] == []  # nothing replayed twice


def test_server_sent_events_are_parsed_with_comments_and_multi_line_data():
    lines = ["retry: 3000", "id: 4", "event: ready", 'data: {"cursor":4,"resync":false}', "",
             ": keepalive", "", "id: 5", "event: request.status",
             'data: {"id":5,"kind":"request.status",', 'data: "object_id":"r1","data":{"request_id":"r1"}}', ""]
    events = list(parse_sse(iter(lines)))
    assert [(e.event_id, e.kind) for e in events] == [(4, "ready"), (5, "request.status")]
    assert events[1].data == {"request_id": "r1"} and events[1].object_id == "r1"
