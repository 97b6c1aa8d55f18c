"""Server secrets kept in files beside the database, never in it: created once, owner-only (0600)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("rtcc.server.keyfiles")

SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """32 random bytes from ``path``, written there first (mode 0600) when the file is new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create(path)
    secret = path.read_bytes()
    if len(secret) < SECRET_BYTES:
        raise RuntimeError(f"{path}: the secret in this file is truncated")
    if os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning("%s can be read by other users: chmod 600 it", path)
    return secret


def _create(path: Path) -> None:
    # Written whole under a private name, then linked into place: a worker starting at the same
    # moment sees either no file or the complete one, and only the first link wins.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        _sync_folder(path.parent)  # what the key seals must not outlive the key after a crash
    finally:
        temporary.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
