"""The desk's server link against a real `rtcc-server serve` process on loopback: sign-in and
refresh, registry sync into the local copy, working from the copy with the server down, and
audit records queued offline reaching the server in order, exactly once."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from rtcc_desk.adapters import local_server
from rtcc_desk.adapters.demo.shreveport import generate_demo_cameras
from rtcc_desk.adapters.local_server import LocalServer
from rtcc_desk.adapters.server_link import (
    AuditOutbox,
    LinkStoreError,
    LoginFailed,
    RegistryCache,
    ServerClient,
    ServerUnreachable,
    SessionExpired,
    open_link_database,
    write_demo_registry,
)
from rtcc_desk.adapters.server_link.storage import Base
from rtcc_desk.adapters.store import open_store
from rtcc_desk.core.cameras import CameraKind, RegisteredCamera
from server_stub import audit
from server_stub.auth import create_user
from server_stub.models.audit import AuditRecord
from server_stub.services import build_services
from server_stub.settings import ServerSettings
from tests.server.helpers import add_camera
from tests.server.test_registry_sync import change_status

PASSWORD = "correct horse battery staple"


class RegistryServer(LocalServer):
    """A real server process, plus its database opened from the test for set-up."""

    def __init__(self, data_dir: Path, *, demo_mode: bool = False) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(data_dir, demo_mode=demo_mode)
        self.services = build_services(ServerSettings(
            data_dir=data_dir, database_url=self.database_url, demo_mode=demo_mode))

    def add_user(self, username: str, *roles: str, totp: bool = True) -> str | None:
        with self.services.sessions() as session:
            _, secret = create_user(session, username=username, password=PASSWORD,
                                    roles=roles or ("analyst",), totp=totp)
            session.commit()
        return secret

    def restart_on_same_port(self, monkeypatch) -> None:
        """Back at the address the desk knows, as a real server comes back after an outage."""
        port = self.port
        monkeypatch.setattr(local_server, "free_port", lambda: port)
        self.start()

    def desk_records(self, username: str = "dana") -> list[AuditRecord]:
        with self.services.sessions() as session:
            return list(session.scalars(
                select(AuditRecord).where(AuditRecord.action.like("desk.%"),
                                          AuditRecord.actor == f"analyst:{username}")
                .order_by(AuditRecord.seq)))

    def chain_intact(self) -> bool:
        with self.services.sessions() as session:
            return audit.verify(session, self.services.checkpointer) is None


@pytest.fixture
def server(tmp_path):
    """A server of the test's own, for tests that stop and restart it."""
    with RegistryServer(tmp_path / "server") as running:
        yield running


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for the tests that leave it running (each uses accounts of its own)."""
    with RegistryServer(tmp_path_factory.mktemp("shared") / "server") as running:
        yield running


@pytest.fixture
def link_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'desk' / 'server-link.sqlite3'}"


def signed_in(server: RegistryServer, name: str = "dana", **client_options) -> ServerClient:
    secret = server.add_user(name, "analyst")
    client = ServerClient(server.base_url, **client_options)
    client.login(name, PASSWORD, pyotp.TOTP(secret).now())
    return client


class LossyTransport(httpx.HTTPTransport):
    """Real HTTP, but the answers to chosen audit deliveries (1-based) are lost after the
    server handled them: the desk cannot tell whether they arrived."""

    def __init__(self, lose: set[int]) -> None:
        super().__init__()
        self.lose, self.deliveries = lose, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == "/api/audit/desk":
            self.deliveries += 1
            if self.deliveries in self.lose:
                response.read()
                response.close()
                raise httpx.ReadError("connection reset before the answer (test)", request=request)
        return response


# ----- signing in -------------------------------------------------------------------------


def test_login_with_a_second_factor_and_token_refresh(shared_server):
    server = shared_server
    secret = server.add_user("dana", "analyst", "supervisor")
    client = ServerClient(server.base_url)
    with pytest.raises(LoginFailed) as missing_code:
        client.login("dana", PASSWORD)
    assert missing_code.value.reason == "wrong_credentials" and "code" in missing_code.value.detail

    session = client.login("Dana", PASSWORD, pyotp.TOTP(secret).now())
    assert session.username == "dana" and set(session.roles) == {"analyst", "supervisor"}
    assert session.second_factor and not session.demo_mode
    assert session.expires_at < session.session_ends_at
    assert client.health().ok

    old_token = session.access_token
    renewed = client.refresh()
    assert renewed.access_token != old_token and renewed.roles == session.roles
    me = httpx.get(f"{server.base_url}/api/auth/me", headers={"Authorization": f"Bearer {old_token}"})
    assert me.status_code == 401  # the old token died with the refresh

    # a token near its end is swapped before the call, without the caller noticing
    client.refresh_margin = timedelta(hours=1)
    client.refresh()
    before = client.session.access_token
    assert client.registry_changes().changes == ()
    assert client.session.access_token != before

    # signed out elsewhere (token revoked): the next call cannot refresh and says so
    httpx.post(f"{server.base_url}/api/auth/logout",
               headers={"Authorization": f"Bearer {client.session.access_token}"})
    client.refresh_margin = timedelta(seconds=0)
    with pytest.raises(SessionExpired):
        client.registry_changes()
    assert client.session is None
    with pytest.raises(SessionExpired, match="not signed in"):
        client.owner_contact("any", "checking")

    server.add_user("nofactor", totp=False)
    with pytest.raises(LoginFailed) as refused:
        client.login("nofactor", PASSWORD)
    assert refused.value.reason == "no_second_factor" and refused.value.status == 403


def test_the_demo_path_seeded_accounts_without_a_code_and_a_lockout_reported(tmp_path):
    demo = generate_demo_cameras(registered=30, edge_devices=0)
    seed_file = write_demo_registry(demo, tmp_path / "demo-registry.json")
    with RegistryServer(tmp_path / "demo", demo_mode=True) as server:
        seeded = server.command("seed-demo", "--cameras", str(seed_file))
        assert seeded.returncode == 0, seeded.stderr
        users = json.loads((server.data_dir / "demo-credentials.json").read_text())["users"]
        analyst = next(u for u in users if u["username"] == "demo.analyst")
        client = ServerClient(server.base_url)
        session = client.login("demo.analyst", analyst["password"])
        assert session.demo_mode and not session.second_factor and session.roles == ("analyst",)
        cache = RegistryCache.open(f"sqlite:///{tmp_path / 'desk' / 'link.sqlite3'}")
        assert cache.sync_once(client).added == {c.camera_id for c in demo
                                                 if isinstance(c, RegisteredCamera)}

        server.add_user("eve", "analyst", totp=False)
        reasons = []
        for _ in range(6):
            with pytest.raises(LoginFailed) as failed:
                client.login("eve", "not the password at all")
            reasons.append(failed.value.reason)
        assert reasons == ["wrong_credentials"] * 4 + ["locked", "locked"]
        assert "locked" in str(failed.value)


def test_an_unreachable_server_is_reported_not_raised_by_health(tmp_path):
    client = ServerClient(f"http://127.0.0.1:{local_server.free_port()}", timeout_s=2)
    health = client.health()
    assert not health.reachable and "unreachable" in health.detail
    with pytest.raises(ServerUnreachable):
        client.login("dana", PASSWORD, "123456")


# ----- registry sync ----------------------------------------------------------------------


def test_full_then_incremental_sync_and_starting_from_the_copy_with_the_server_down(server, link_url):
    home = add_camera(server.services, is_business=False, lat=32.51, lon=-93.75)
    shop = add_camera(server.services, is_business=True, email="shop@example.test")
    add_camera(server.services, status="pending_verification", email="new@example.test")
    client = signed_in(server)
    cache = RegistryCache.open(link_url)
    assert cache.freshness().never_synced and cache.cameras() == []

    first = cache.sync_once(client, page_size=2)
    assert first.added == {home, shop} and not first.changed and not first.removed
    assert first.pages == 2 and first.full
    cameras = {c.camera_id: c for c in cache.cameras()}
    assert isinstance(cameras[home], RegisteredCamera) and cameras[home].kind is CameraKind.RESIDENTIAL
    assert cameras[shop].kind is CameraKind.BUSINESS
    assert (cameras[home].location.lat, cameras[home].view.bearing) == (32.51, 180.0)
    assert cameras[home].owner_ref == ""  # owners stay on the server

    added = add_camera(server.services, email="late@example.test")
    change_status(server.services, shop, "withdrawn")
    change_status(server.services, home, "active")  # edited: a new version of the same camera
    second = cache.sync_once(client, page_size=2)
    assert (second.added, second.changed, second.removed) == ({added}, {home}, {shop})
    assert not second.full and second.pages == 2
    assert {c.camera_id for c in cache.get_many(second.added | second.changed)} == {added, home}
    assert not cache.sync_once(client).touched  # nothing new: nothing to redraw

    contact = client.owner_contact(home, "call back about SPD-26-1001")
    assert contact.email == "owner@example.test"

    synced = cache.freshness()
    server.stop()
    assert not client.health().reachable
    restarted = RegistryCache.open(link_url)  # the desk starting again, server still down
    assert {c.camera_id for c in restarted.cameras()} == {home, added}
    with pytest.raises(ServerUnreachable):
        restarted.sync_once(client)
    later = restarted.freshness(now=synced.last_synced_at + timedelta(hours=2))
    assert later.age == timedelta(hours=2) and later.camera_count == 2
    assert later.last_synced_at == synced.last_synced_at  # a failed sync is not a fresh copy


def test_a_copy_from_another_server_is_replaced_once_the_new_one_answers(server, link_url, tmp_path,
                                                                        monkeypatch):
    stale = add_camera(server.services)
    cache = RegistryCache.open(link_url)
    cache.sync_once(signed_in(server))
    with RegistryServer(tmp_path / "other") as other:
        fresh = add_camera(other.services, email="other@example.test")
        elsewhere = signed_in(other, "lee")
        other.stop()
        with pytest.raises(ServerUnreachable):
            cache.sync_once(elsewhere)
        assert [c.camera_id for c in cache.cameras()] == [stale]  # kept while the other is silent
        other.restart_on_same_port(monkeypatch)
        result = cache.sync_once(elsewhere)
    assert result.full and result.added == {fresh} and result.removed == {stale}
    assert [c.camera_id for c in cache.cameras()] == [fresh]


# ----- audit outbox -----------------------------------------------------------------------


def test_records_queued_while_the_server_is_down_arrive_after_it_returns(server, link_url, monkeypatch):
    client = signed_in(server)
    outbox = AuditOutbox.open(link_url)
    server.stop()
    actions = [("camera.owner_details", "camera:REG-000001"), ("map.search_point", "point:32.5,-93.7"),
               ("video.view", "camera:SPT-P001-1")]
    made = [outbox.record(username="dana", action=a, object=o, case_ref="SPD-26-1001") for a, o in actions]
    offline = outbox.deliver(client)
    assert isinstance(offline.error, ServerUnreachable)
    assert (offline.delivered, offline.remaining) == (0, 3)

    outbox = AuditOutbox.open(link_url)  # the desk restarted meanwhile: the queue is on disk
    assert [q.record.client_id for q in outbox.pending("dana")] == [r.client_id for r in made]
    server.restart_on_same_port(monkeypatch)
    report = outbox.deliver(client)
    assert report.complete and report.delivered == 3
    rows = server.desk_records()
    assert [(r.action, r.object) for r in rows] == [("desk." + a, o) for a, o in actions]
    assert {r.actor for r in rows} == {"analyst:dana"}
    assert [r.at for r in rows] == [r.occurred_at for r in made]  # when it happened, not arrived
    assert [q.server_seq for q in outbox.delivered()] == [r.seq for r in rows]
    assert outbox.deliver(client).delivered == 0 and len(server.desk_records()) == 3
    assert server.chain_intact()


def test_a_pass_that_stops_midway_resumes_and_a_lost_answer_appends_nothing(shared_server, link_url):
    server = shared_server
    transport = LossyTransport(lose={2})
    client = signed_in(server, "lou", transport=transport)
    outbox = AuditOutbox.open(link_url)
    made = [outbox.record(username="lou", action="video.playback", object=f"camera:C{i}")
            for i in range(5)]

    first = outbox.deliver(client, batch_size=2)  # batch 1 acknowledged; batch 2's answer lost
    assert isinstance(first.error, ServerUnreachable)
    assert (first.delivered, first.remaining) == (2, 3)
    assert len(server.desk_records("lou")) == 4  # the server did append batch 2

    second = outbox.deliver(client, batch_size=2)  # batch 2 again (a replay), then batch 3
    assert second.complete and second.delivered == 3
    rows = server.desk_records("lou")
    assert [r.object for r in rows] == [r.object for r in made]  # each once, in order
    assert [q.server_seq for q in outbox.delivered()] == [r.seq for r in rows]
    assert server.chain_intact()


def test_a_record_the_server_refuses_is_set_aside_and_the_rest_still_arrive(shared_server, link_url):
    server = shared_server
    client = signed_in(server, "ray")
    outbox = AuditOutbox.open(link_url)
    outbox.record(username="ray", action="upload.view", object="upload:1")
    bad = outbox.record(username="ray", action="evidence.shred", object="upload:1")
    outbox.record(username="ray", action="share.create", object="upload:1")
    outbox.record(username="kim", action="video.view", object="camera:X")  # another analyst's

    report = outbox.deliver(client)
    assert report.delivered == 2 and report.remaining == 0 and report.error is None
    assert [client_id for client_id, _ in report.rejected] == [bad.client_id]
    assert "unknown action 'evidence.shred'" in outbox.rejected()[0].error
    assert [r.action for r in server.desk_records("ray")] == ["desk.upload.view", "desk.share.create"]
    assert outbox.pending_count() == 1 and outbox.pending("kim")[0].username == "kim"
    with pytest.raises(ValueError):
        outbox.record(username="ray", action="Not An Action", object="x")


def test_outbox_client_ids_are_unique_and_times_are_kept_to_the_millisecond(link_url):
    outbox = AuditOutbox.open(link_url)
    records = [outbox.record(username="dana", action="video.view", object="camera:X") for _ in range(3)]
    assert len({r.client_id for r in records}) == 3
    assert all(isinstance(r.client_id, uuid.UUID) for r in records)
    assert all(r.occurred_at.microsecond % 1000 == 0 for r in records)
    assert outbox.pending("DANA")[0].record == records[0]


def test_the_link_database_is_durable_migrated_and_never_mixed_up_with_the_store(link_url, tmp_path):
    sessions = open_link_database(link_url)
    open_link_database(link_url)  # a second start finds nothing to do
    with sessions() as session:
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        differences = compare_metadata(MigrationContext.configure(session.connection()), Base.metadata)
        assert differences == []
    store_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    open_store(store_url)
    with pytest.raises(LinkStoreError, match="cannot open the server-link database"):
        open_link_database(store_url)
