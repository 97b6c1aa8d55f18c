"""The box's own small SQLite: owner password hash, owner's choices, sign-in sessions and the access log.

Plain ``sqlite3`` rather than SQLAlchemy and Alembic: three tables on one small computer,
migrated by ``PRAGMA user_version``, and nothing else on the box needs an ORM.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = [
    # version 1
    """
    CREATE TABLE choices (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, expires_at TEXT NOT NULL);
    CREATE TABLE access_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        command_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        channel INTEGER,
        camera TEXT NOT NULL DEFAULT '',
        window_start TEXT,
        window_end TEXT,
        received_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        call_ref TEXT NOT NULL DEFAULT '',
        analyst TEXT NOT NULL DEFAULT '',
        justification TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        bytes INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX access_log_command ON access_log (command_id);
    """,
]


@dataclass(frozen=True)
class AccessEntry:
    """One request from the RTCC as the owner sees it."""

    id: int
    command_id: str
    kind: str
    channel: int | None
    camera: str
    window_start: datetime | None
    window_end: datetime | None
    received_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    call_ref: str
    analyst: str
    justification: str
    outcome: str
    reason: str
    bytes: int
    sha256: str


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _text(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


class BoxStore:
    """The state folder's box.sqlite3."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(SCHEMA[version:], start=version + 1):
                db.executescript(script)
                db.execute(f"PRAGMA user_version = {number}")
        path.chmod(0o600)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db

    # --- the owner's choices -------------------------------------------------------------

    def choice(self, key: str, default: str | None = None) -> str | None:
        with self._db() as db:
            row = db.execute("SELECT value FROM choices WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_choice(self, key: str, value: str) -> None:
        with self._db() as db:
            db.execute("INSERT INTO choices (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def retention_days(self, default: int) -> int:
        return int(self.choice("retention_days", str(default)))

    def paused(self) -> bool:
        return self.choice("paused", "0") == "1"

    def owner_password_hash(self) -> str | None:
        return self.choice("owner_password_hash")

    # --- owner page sessions -------------------------------------------------------------

    def add_session(self, token: str, csrf: str, expires_at: datetime) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (_text(datetime.now(UTC)),))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (_hash(token), csrf, _text(expires_at)))

    def session_csrf(self, token: str, now: datetime) -> str | None:
        """The session's CSRF token if the sign-in is known and current, else None."""
        with self._db() as db:
            row = db.execute("SELECT csrf, expires_at FROM sessions WHERE token_hash = ?",
                             (_hash(token),)).fetchone()
        if row is None or datetime.fromisoformat(row[1]) <= now:
            return None
        return row[0]

    def end_session(self, token: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash(token),))

    def end_all_sessions(self) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions")

    # --- the access log ------------------------------------------------------------------

    def log_request(self, command: dict, *, camera: str, outcome: str, reason: str = "",
                    received_at: datetime) -> int:
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO access_log (command_id, kind, channel, camera, window_start, window_end,"
                " received_at, call_ref, analyst, justification, outcome, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (str(command.get("id", "")), str(command.get("kind", "")), command.get("channel"),
                 camera, command.get("start"), command.get("end"), _text(received_at),
                 str(command.get("call_ref") or ""), str(command.get("analyst") or ""),
                 str(command.get("justification") or ""), outcome, reason))
            return int(cursor.lastrowid)

    def update_entry(self, entry_id: int, **values) -> None:
        allowed = {"started_at", "ended_at", "outcome", "reason", "bytes", "sha256"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"access log has no column(s) {sorted(unknown)}")
        values = {k: _text(v) if isinstance(v, datetime) else v for k, v in values.items()}
        assignments = ", ".join(f"{key} = ?" for key in values)
        with self._db() as db:
            db.execute(f"UPDATE access_log SET {assignments} WHERE id = ?", (*values.values(), entry_id))

    _COLUMNS = ("id, command_id, kind, channel, camera, window_start, window_end, received_at,"
                " started_at, ended_at, call_ref, analyst, justification, outcome, reason, bytes, sha256")

    def access_log(self, limit: int = 200) -> list[AccessEntry]:
        with self._db() as db:
            rows = db.execute(f"SELECT {self._COLUMNS} FROM access_log ORDER BY id DESC LIMIT ?",
                              (limit,)).fetchall()
        return [_entry(row) for row in rows]

    def entry_for(self, command_id: str) -> AccessEntry | None:
        """The log entry of a command this box already took, if any (the latest)."""
        with self._db() as db:
            row = db.execute(f"SELECT {self._COLUMNS} FROM access_log WHERE command_id = ?"
                             " ORDER BY id DESC LIMIT 1", (command_id,)).fetchone()
        return _entry(row) if row else None


def _entry(r: tuple) -> AccessEntry:
    return AccessEntry(r[0], r[1], r[2], r[3], r[4], _time(r[5]), _time(r[6]), _time(r[7]),
                       _time(r[8]), _time(r[9]), *r[10:])


def _hash(token: str) -> str:
    # Sessions are stored hashed: a copied database file signs nobody in.
    return hashlib.sha256(token.encode()).hexdigest()
