"""Signing in while the server is unreachable, for analysts who signed in here before.

After every successful online sign-in the desk keeps an argon2 hash of the password and the
roles the server granted (a 0600 file in the desk's folder). When the server cannot be
reached, the same password opens the desk in offline mode: the cached registry and local
cameras work, audit records queue, and nothing private is fetched. The server's own rules
(lockout, second factor) apply again at the next online sign-in. Remembered sign-ins expire.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

FILE_NAME = "offline-sign-in.json"
#: How long after the last online sign-in an analyst may still sign in offline.
VALID_FOR = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class OfflineSession:
    """A sign-in checked on this desk only: no token, nothing fetched from the server."""

    username: str
    roles: tuple[str, ...]
    signed_in_online_at: datetime
    offline: bool = True

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class OfflineSignIn:
    def __init__(self, folder: Path, hasher: PasswordHasher | None = None,
                 valid_for: timedelta = VALID_FOR) -> None:
        self.path = Path(folder) / FILE_NAME
        self.hasher = hasher or PasswordHasher()
        self.valid_for = valid_for

    def remember(self, username: str, password: str, roles: tuple[str, ...], now: datetime | None = None) -> None:
        """Called after a successful online sign-in."""
        entries = self._read()
        entries[username.strip().lower()] = {
            "hash": self.hasher.hash(password), "roles": list(roles),
            "at": (now or datetime.now(UTC)).isoformat(),
        }
        self._write(entries)

    def check(self, username: str, password: str, now: datetime | None = None) -> OfflineSession | None:
        """The offline session, or None (unknown here, wrong password, or too long ago)."""
        entry = self._read().get(username.strip().lower())
        if entry is None:
            return None
        at = datetime.fromisoformat(entry["at"])
        if (now or datetime.now(UTC)) - at > self.valid_for:
            return None
        try:
            self.hasher.verify(entry["hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        return OfflineSession(username.strip().lower(), tuple(entry["roles"]), at)

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write(self, entries: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entries, handle)
        os.replace(partial, self.path)
