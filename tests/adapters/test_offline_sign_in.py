"""Offline sign-in: only for an analyst who signed in online here, with the same password, lately."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher

from rtcc_desk.adapters.server_link.offline_sign_in import OfflineSignIn

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def test_a_remembered_analyst_signs_in_offline_with_the_same_password_and_roles(tmp_path):
    offline = OfflineSignIn(tmp_path, CHEAP)
    offline.remember("Ana.Lyst", "correct horse", ("analyst",), now=NOW)
    session = offline.check("ana.lyst", "correct horse", now=NOW + timedelta(hours=3))
    assert session is not None and session.roles == ("analyst",) and session.offline
    assert offline.check("ana.lyst", "wrong horse", now=NOW) is None
    assert offline.check("someone.else", "correct horse", now=NOW) is None
    assert stat.S_IMODE(offline.path.stat().st_mode) == 0o600
    assert "correct horse" not in offline.path.read_text()


def test_an_old_online_sign_in_no_longer_opens_the_desk_offline(tmp_path):
    offline = OfflineSignIn(tmp_path, CHEAP, valid_for=timedelta(days=7))
    offline.remember("ana", "pw", ("analyst",), now=NOW)
    assert offline.check("ana", "pw", now=NOW + timedelta(days=8)) is None


def test_a_damaged_file_means_no_offline_sign_in_rather_than_a_crash(tmp_path):
    offline = OfflineSignIn(tmp_path, CHEAP)
    offline.path.write_text("{broken")
    assert offline.check("ana", "pw", now=NOW) is None
    offline.remember("ana", "pw", ("analyst",), now=NOW)  # and it recovers on the next sign-in
    assert offline.check("ana", "pw", now=NOW) is not None
