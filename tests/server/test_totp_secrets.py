"""TOTP secrets sealed at rest: a database copy gives away no second factor, old plain secrets
keep working and are sealed at the next start, and a lost key file stops the server loudly."""

from __future__ import annotations

import os
import stat

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from server_stub.cli import main as server_main
from server_stub.main import create_app
from server_stub.models.users import User
from server_stub.services import build_services
from server_stub.totp_secrets import KeyFileMissing
from tests.server.test_auth import api, audit_rows, clock, code_for, login, make_user  # noqa: F401


def stored_secret(app) -> str:
    with app.state.services.sessions() as session:
        return session.scalars(select(User.totp_secret)).one()


def cli(settings, *argv: str) -> int:
    return server_main(["--data-dir", str(settings.data_dir), "--database",
                        settings.database_url, *argv])


def test_the_database_holds_no_readable_secret_and_the_key_file_is_owner_only(
        server_settings, clock, tmp_path):  # noqa: F811
    key_file = tmp_path / "keys" / "rtcc-totp.key"
    settings = server_settings.model_copy(update={"totp_key_file": key_file})
    with TestClient(create_app(settings), base_url="https://testserver") as api:  # noqa: F811
        secret = make_user(api.app)
        stored = stored_secret(api.app)
        assert secret not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        assert not (settings.data_dir / "totp-secrets.key").exists()  # the setting wins
        assert login(api, code=code_for(secret, clock)).status_code == 200


def test_plain_secrets_from_before_keep_working_and_are_sealed_at_the_next_start(
        api, server_settings, clock):  # noqa: F811
    secret = make_user(api.app)
    with api.app.state.services.sessions() as session:  # as a server before 0006 stored it
        session.execute(update(User).values(totp_secret=secret))
        session.commit()
    assert login(api, code=code_for(secret, clock)).status_code == 200
    assert stored_secret(api.app) == secret  # a login does not rewrite it: the next start does

    assert cli(server_settings, "migrate") == 0
    assert stored_secret(api.app).startswith("gAAAAA")
    clock.advance(seconds=30)  # the next code: the last one was spent
    assert login(api, code=code_for(secret, clock)).status_code == 200


def test_a_lost_or_replaced_key_file_refuses_rather_than_locking_everyone_out(
        api, server_settings, clock, capsys):  # noqa: F811
    secret = make_user(api.app)
    key_file = server_settings.totp_key_path
    original = key_file.read_bytes()

    key_file.unlink()
    with pytest.raises(KeyFileMissing, match="restore the file"):
        build_services(server_settings)
    assert not key_file.exists()  # no new key was made over the sealed secrets
    assert cli(server_settings, "migrate") == 2
    assert "totp-secrets.key is missing" in capsys.readouterr().err

    key_file.write_bytes(os.urandom(32))  # someone "fixed" it with a new key
    with TestClient(create_app(server_settings), base_url="https://testserver") as other:
        refused = login(other, code=code_for(secret, clock))
        assert refused.status_code == 503 and "administrator" in refused.json()["detail"]
        assert audit_rows(other, "auth.login")[-1].justification == (
            "second factor unreadable (key file)")

    key_file.write_bytes(original)
    with TestClient(create_app(server_settings), base_url="https://testserver") as restored:
        assert login(restored, code=code_for(secret, clock)).status_code == 200
