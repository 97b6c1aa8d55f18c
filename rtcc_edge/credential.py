"""The box's enrollment: server URL, box id and its bearer credential, in a file only its user reads."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILE_NAME = "credential.json"


class CredentialError(Exception):
    """The credential file is missing, unreadable or readable by others."""


@dataclass(frozen=True)
class Enrollment:
    server: str
    box_id: str
    credential: str
    enrolled_at: str

    def __repr__(self) -> str:  # never print the credential itself
        return f"Enrollment(server={self.server!r}, box_id={self.box_id!r}, credential='***')"


def credential_path(state_dir: Path) -> Path:
    return state_dir / FILE_NAME


def save(state_dir: Path, enrollment: Enrollment) -> Path:
    """Write atomically with mode 0600 from the first byte (never briefly world-readable)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = credential_path(state_dir)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(enrollment), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return path


def load(state_dir: Path) -> Enrollment | None:
    """The enrollment, or None before `rtcc-edge enroll` has run."""
    path = credential_path(state_dir)
    if not path.exists():
        return None
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise CredentialError(f"{path} is readable by other users (mode {mode:o}); "
                              f"run: chmod 600 {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Enrollment(**{key: str(data[key]) for key in ("server", "box_id", "credential", "enrolled_at")})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CredentialError(f"{path} cannot be read ({exc}); enroll the box again") from None
