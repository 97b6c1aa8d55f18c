"""Analyst-side accounts: argon2 + TOTP login, replay, lockout, tokens, roles, audit, console."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from server_stub import auth, auth_cli, ratelimit
from server_stub.main import create_app
from server_stub.models.audit import AuditRecord
from server_stub.models.users import User
from server_stub.routes import auth as auth_routes

PASSWORD = "correct horse battery"


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 14, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Moves the accounts' wall clock and the rate limiter's monotonic clock together."""
    fake = Clock()
    monkeypatch.setattr(auth, "utcnow", fake)
    monkeypatch.setattr(ratelimit, "monotonic", lambda: fake.now.timestamp())
    return fake


@pytest.fixture
def api(server_settings, clock):
    with TestClient(create_app(server_settings), base_url="https://testserver") as client:
        yield client


def make_user(app, name="dana", roles=("analyst",), totp=True) -> str | None:
    with app.state.services.sessions() as session:
        _, secret = auth.create_user(session, username=name, password=PASSWORD, roles=roles,
                                     totp=totp)
        session.commit()
    return secret


def login(api, name="dana", password=PASSWORD, code=None):
    body = {"username": name, "password": password}
    if code is not None:
        body["totp"] = code
    return api.post("/api/auth/login", json=body)


def code_for(secret, clock, **shift) -> str:
    return pyotp.TOTP(secret).at(clock.now + timedelta(**shift))


def sign_in(api, clock, name="dana", roles=("analyst",)) -> dict:
    secret = make_user(api.app, name, roles)
    token = login(api, name, code=code_for(secret, clock)).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def audit_rows(api, action=None) -> list[AuditRecord]:
    with api.app.state.services.sessions() as session:
        query = select(AuditRecord).order_by(AuditRecord.seq)
        if action:
            query = query.where(AuditRecord.action == action)
        return list(session.scalars(query))


def test_login_with_password_and_totp_gives_a_short_lived_token(api, clock):
    secret = make_user(api.app, roles=("analyst", "supervisor"))
    response = login(api, "Dana", code=code_for(secret, clock))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    assert body["roles"] == ["analyst", "supervisor"]
    me = api.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "dana"
    assert me.json()["second_factor"] is True and me.json()["demo_mode"] is False
    [record] = audit_rows(api, "auth.login")
    assert (record.actor, record.object, record.outcome, record.source) == (
        "dana", "user:dana", "success", "testclient")


def test_code_from_the_previous_step_is_accepted_but_not_two_steps_back(api, clock):
    secret = make_user(api.app)
    assert login(api, code=code_for(secret, clock, seconds=-30)).status_code == 200
    clock.advance(minutes=5)
    assert login(api, code=code_for(secret, clock, seconds=-60)).status_code == 401


def test_wrong_password_wrong_code_and_unknown_user_look_the_same(api, clock):
    secret = make_user(api.app)
    wrong_password = login(api, password="not the password", code=code_for(secret, clock))
    wrong_code = login(api, code="000000" if code_for(secret, clock) != "000000" else "111111")
    missing_code = login(api)
    unknown = login(api, "nobody", code=code_for(secret, clock))
    for response in (wrong_password, wrong_code, missing_code, unknown):
        assert response.status_code == 401
        assert response.json() == wrong_password.json()
    failures = audit_rows(api, "auth.login")
    assert [r.outcome for r in failures] == ["failure"] * 4
    assert [r.justification for r in failures] == [
        "wrong password", "wrong or missing code", "wrong or missing code", "unknown user"]
    assert failures[-1].object == "user:nobody"


def test_a_code_works_only_once(api, clock):
    secret = make_user(api.app)
    code = code_for(secret, clock)
    assert login(api, code=code).status_code == 200
    clock.advance(seconds=10)
    replay = login(api, code=code)
    assert replay.status_code == 401 and "only once" in replay.json()["detail"]
    assert audit_rows(api, "auth.login")[-1].justification == "code already used"
    clock.advance(seconds=30)
    assert login(api, code=code_for(secret, clock)).status_code == 200


def test_five_failures_lock_until_an_admin_unlocks(api, clock):
    secret = make_user(api.app)
    for attempt in range(4):
        assert login(api, password=f"guess {attempt}").status_code == 401
        clock.advance(minutes=2)
    fifth = login(api, password="guess 5")
    assert fifth.status_code == 423 and "locked" in fifth.json()["detail"]
    clock.advance(minutes=30)  # a lock does not lapse: only an admin releases it
    assert login(api, code=code_for(secret, clock)).status_code == 423
    [lockout] = audit_rows(api, "auth.lockout")
    assert (lockout.object, lockout.outcome) == ("user:dana", "success")

    admin = sign_in(api, clock, "root", ("admin",))
    response = api.post("/api/users/dana/unlock", headers=admin)
    assert response.status_code == 200 and response.json()["locked"] is False
    [unlock] = audit_rows(api, "auth.unlock")
    assert (unlock.actor, unlock.object, unlock.outcome) == ("root", "user:dana", "success")
    assert login(api, code=code_for(secret, clock)).status_code == 200


def test_failures_spread_beyond_the_window_do_not_lock(api, clock):
    secret = make_user(api.app)
    for _ in range(8):
        assert login(api, password="a wrong one").status_code == 401
        clock.advance(minutes=4)
    assert login(api, code=code_for(secret, clock)).status_code == 200


def test_a_success_clears_the_failure_count(api, clock):
    secret = make_user(api.app)
    for _ in range(4):
        login(api, password="a wrong one")
    assert login(api, code=code_for(secret, clock)).status_code == 200
    clock.advance(seconds=30)
    for _ in range(4):
        assert login(api, password="a wrong one").status_code == 401


def test_unknown_names_lock_too_so_a_lockout_reveals_nothing(api, clock):
    for _ in range(4):
        assert login(api, "ghost", password="a wrong one").status_code == 401
    assert login(api, "ghost", password="a wrong one").status_code == 423
    assert login(api, "ghost", password="a wrong one").json()["detail"] == auth.LOCKED
    assert audit_rows(api, "auth.lockout") == []  # there is no account to lock
    assert "no such account" in audit_rows(api, "auth.login")[-1].justification


def test_tokens_expire_refresh_rotates_and_sessions_end(api, clock):
    headers = sign_in(api, clock)
    clock.advance(minutes=14)
    refreshed = api.post("/api/auth/refresh", headers=headers)
    assert refreshed.status_code == 200
    new = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    old = api.get("/api/auth/me", headers=headers)
    assert old.status_code == 401 and "invalid_token" in old.headers["www-authenticate"]
    clock.advance(minutes=16)
    expired = api.get("/api/auth/me", headers=new)
    assert expired.status_code == 401 and expired.headers["www-authenticate"].startswith("Bearer")

    headers, signed_in = sign_in(api, clock, "erin"), clock.now
    for _ in range(100):  # refreshing every 14 minutes cannot outlast the 12-hour session
        clock.advance(minutes=14)
        response = api.post("/api/auth/refresh", headers=headers)
        if response.status_code != 200:
            break
        assert response.json()["expires_in"] <= 15 * 60
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert response.status_code == 401
    assert timedelta(hours=12) <= clock.now - signed_in < timedelta(hours=12, minutes=15)


def test_logout_revokes_the_token(api, clock):
    headers = sign_in(api, clock)
    assert api.post("/api/auth/logout", headers=headers).status_code == 204
    assert api.get("/api/auth/me", headers=headers).status_code == 401
    assert [r.outcome for r in audit_rows(api, "auth.logout")] == ["success"]


def test_no_token_or_a_bad_one_is_401_with_a_challenge(api, clock):
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic eDp5"},
                    {"Authorization": "Bearer " + "x" * 5000}):
        response = api.get("/api/auth/me", headers=headers)
        assert response.status_code == 401 and "Bearer" in response.headers["www-authenticate"]


def test_roles_are_checked(api, clock):
    analyst = sign_in(api, clock)
    assert api.get("/api/users", headers=analyst).status_code == 403
    assert api.post("/api/users/dana/unlock", headers=analyst).status_code == 403
    assert api.get("/api/users").status_code == 401
    with pytest.raises(ValueError):
        auth.require_role("superuser")


def test_admin_creates_users_changes_roles_and_keeps_an_admin(api, clock):
    admin = sign_in(api, clock, "root", ("admin",))
    created = api.post("/api/users", headers=admin, json={
        "username": "Fay", "password": PASSWORD, "roles": ["analyst"]})
    assert created.status_code == 201
    uri = created.json()["totp_uri"]
    assert uri.startswith("otpauth://totp/") and "fay" in uri
    assert login(api, "fay", code=pyotp.parse_uri(uri).at(clock.now)).status_code == 200
    duplicate = api.post("/api/users", headers=admin, json={
        "username": "fay", "password": PASSWORD, "roles": ["analyst"]})
    assert duplicate.status_code == 409
    no_factor = api.post("/api/users", headers=admin, json={
        "username": "gil", "password": PASSWORD, "roles": ["analyst"], "totp": False})
    assert no_factor.status_code == 400

    changed = api.put("/api/users/fay/roles", headers=admin,
                      json={"roles": ["supervisor", "analyst"]})
    assert changed.json()["roles"] == ["supervisor", "analyst"]
    [record] = audit_rows(api, "user.roles")
    assert (record.actor, record.justification) == ("root", "roles: analyst -> supervisor analyst")
    assert [r.object for r in audit_rows(api, "user.create")] == ["user:fay"]
    just_analyst = {"roles": ["analyst"]}
    assert api.put("/api/users/root/roles", headers=admin, json=just_analyst).status_code == 409
    assert api.post("/api/users/root/deactivate", headers=admin).status_code == 409
    assert api.put("/api/users/nobody/roles", headers=admin, json=just_analyst).status_code == 404
    assert [u["username"] for u in api.get("/api/users", headers=admin).json()] == ["fay", "root"]


def test_deactivation_ends_current_sign_ins(api, clock):
    admin = sign_in(api, clock, "root", ("admin",))
    analyst = sign_in(api, clock)
    assert api.post("/api/users/dana/deactivate", headers=admin).status_code == 200
    assert api.get("/api/auth/me", headers=analyst).status_code == 401
    assert login(api, code="123456").status_code == 401


def test_field_limits(api, clock):
    for body in ({"username": "a" * 65, "password": "x"},
                 {"username": "dana", "password": "x" * 257},
                 {"username": "dana", "password": "x", "totp": "12345"},
                 {"username": "da na", "password": "x"},
                 {"username": "dana", "password": "x", "extra": 1}):
        response = api.post("/api/auth/login", json=body)
        assert response.status_code == 422 and "Traceback" not in response.text


def test_login_is_rate_limited_per_address(api, clock):
    for i in range(auth_routes.LOGIN_PER_MINUTE):
        assert login(api, f"user{i}", password="wrong").status_code == 401
    limited = login(api, "someone", password="wrong")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) == 60
    clock.advance(seconds=61)
    assert login(api, "someone", password="wrong").status_code == 401


def test_demo_mode_allows_login_without_a_code_only_for_demo_users(server_settings, clock):
    for demo in (False, True):
        settings = server_settings.model_copy(update={"demo_mode": demo})
        with TestClient(create_app(settings), base_url="https://testserver") as api:
            make_user(api.app, f"demo{int(demo)}", totp=False)
            response = login(api, f"demo{int(demo)}")
            if demo:
                assert response.status_code == 200
                headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
                assert api.get("/api/auth/me", headers=headers).json()["demo_mode"] is True
                secret = make_user(api.app, "real")  # accounts with a code still need it
                assert login(api, "real").status_code == 401
                assert login(api, "real", code=code_for(secret, clock)).status_code == 200
            else:
                assert response.status_code == 403 and "second factor" in response.json()["detail"]
                assert audit_rows(api, "auth.login")[-1].justification == "no second factor set up"


def test_old_hashes_are_upgraded_on_login(api, clock):
    secret = make_user(api.app)
    before = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with api.app.state.services.sessions() as session:
        session.scalars(select(User)).one().password_hash = before
        session.commit()
    assert login(api, code=code_for(secret, clock)).status_code == 200
    with api.app.state.services.sessions() as session:
        after = session.scalars(select(User)).one().password_hash
    assert after != before and auth.hasher.verify(after, PASSWORD)


def test_console_creates_and_unlocks_users(server_settings, clock, monkeypatch, capsys):
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    auth_cli.add_create_user_command(commands)
    auth_cli.add_unlock_user_command(commands)

    def run(*argv, stdin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        args = parser.parse_args(argv)
        return args.handler(args, server_settings)

    assert run("create-user", "hal", "--role", "admin", "--password-stdin",
               stdin=PASSWORD + "\n") == 0
    uri = capsys.readouterr().out.splitlines()[-1]
    assert uri.startswith("otpauth://totp/") and "secret=" in uri
    assert run("create-user", "ida", "--role", "analyst", "--no-totp", "--password-stdin",
               stdin=PASSWORD) == 2
    assert run("create-user", "hal", "--role", "analyst", "--password-stdin", stdin=PASSWORD) == 2
    assert run("unlock-user", "hal") == 0 and run("unlock-user", "nobody") == 1
    with TestClient(create_app(server_settings), base_url="https://testserver") as api:
        assert [r.action for r in audit_rows(api)] == ["user.create", "auth.unlock"]
        assert login(api, "hal", code=pyotp.parse_uri(uri).at(clock.now)).status_code == 200
