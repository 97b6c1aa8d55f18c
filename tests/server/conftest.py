"""Server fixtures: settings in a temporary folder, a real SMTP server on loopback, the app."""

from __future__ import annotations

import email
import socket
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from server_stub.main import create_app
from server_stub.settings import ServerSettings
from tests.server.postgres import PostgresServer, find_pg_bin


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """Messages received by the loopback SMTP server, newest last."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout_s: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages

    def last_to(self, address: str) -> Message:
        for message in reversed(self.messages):
            if message["To"] == address:
                return message
        raise AssertionError(f"no email to {address}; got {[m['To'] for m in self.messages]}")

    @staticmethod
    def body(message: Message) -> str:
        return message.get_payload(decode=True).decode() if not message.is_multipart() else \
            message.get_payload(0).get_payload(decode=True).decode()


@pytest.fixture
def smtp_inbox():
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL per test worker, from Debian's package (dev.sh installs it)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (Debian package 'postgresql'; ./dev.sh installs it)")
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Every server test runs on both databases: SQLite (the default) and a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def server_settings(tmp_path, smtp_inbox, database_url) -> ServerSettings:
    _, port = smtp_inbox
    return ServerSettings(
        data_dir=tmp_path / "server-data",
        database_url=database_url,
        public_base_url="https://rtcc.example.test",
        smtp_host="127.0.0.1",
        smtp_port=port,
        audit_checkpoint_every=5,
    )


@pytest.fixture
def client(server_settings):
    app = create_app(server_settings)
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def web(client):
    """The app as an owner's browser sees it (pages and forms)."""
    return client


@pytest.fixture
def inbox(smtp_inbox):
    return smtp_inbox[0]


@pytest.fixture
def services(client):
    return client.app.state.services


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 at its lowest cost in tests only (each default hash takes ~0.1 s on this machine);
    the server itself keeps argon2-cffi's recommended parameters."""
    from argon2 import PasswordHasher

    from server_stub import auth

    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
