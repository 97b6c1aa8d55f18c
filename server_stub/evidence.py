"""Where uploaded bytes live: partial files while receiving, write-once originals, derived files."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from server_stub.models.types import new_id
from server_stub.settings import ServerSettings

# Every name on disk is generated (new_id: 32 hex digits); the owner's filename never
# reaches the filesystem, so no name can climb out of these folders or collide.
_ID = re.compile(r"[0-9a-f]{32}")
#: Originals can be read by the service's user and group, written by nobody.
READ_ONLY = 0o440
_BLOCK = 1024 * 1024


class EvidenceError(Exception):
    """An original would be overwritten, or a name is not one this server generated."""


def is_generated_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None


def check_id(upload_id: str) -> str:
    if not is_generated_id(upload_id):
        raise EvidenceError(f"not a generated upload id: {upload_id!r}")
    return upload_id


def incoming_dir(settings: ServerSettings) -> Path:
    return settings.data_dir / "incoming"


def partial_path(settings: ServerSettings, upload_id: str) -> Path:
    return incoming_dir(settings) / f"{check_id(upload_id)}.part"


def scratch_path(settings: ServerSettings, upload_id: str) -> Path:
    """Where a checksummed chunk waits until it is verified (see ``tus.receive``)."""
    return incoming_dir(settings) / f"{check_id(upload_id)}.chunk"


def original_path(settings: ServerSettings, upload_id: str) -> Path:
    # Two-character fan-out keeps any one folder small after years of uploads.
    check_id(upload_id)
    return settings.evidence_dir / upload_id[:2] / f"{upload_id}.bin"


def derived_dir(settings: ServerSettings) -> Path:
    return settings.data_dir / "derived"


def fsync_dir(path: Path) -> None:
    """Make a creation, rename or removal in ``path`` survive a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _private_dir(path: Path, mode: int = 0o700) -> Path:
    path.mkdir(mode=mode, parents=True, exist_ok=True)
    return path


def create_partial(settings: ServerSettings, upload_id: str) -> Path:
    """An empty partial file for a new upload (O_EXCL: an id is never reused)."""
    folder = _private_dir(incoming_dir(settings))
    path = partial_path(settings, upload_id)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fsync(fd)
    os.close(fd)
    fsync_dir(folder)
    return path


def discard_partial(settings: ServerSettings, upload_id: str) -> None:
    """Forget the bytes of an upload that will not complete (terminated, expired, refused)."""
    for path in (partial_path(settings, upload_id), scratch_path(settings, upload_id)):
        path.unlink(missing_ok=True)
    if incoming_dir(settings).exists():
        fsync_dir(incoming_dir(settings))


def store_original(settings: ServerSettings, upload_id: str) -> Path:
    """Move a complete partial file into the evidence folder, read-only; never overwrite.

    ``os.link`` fails if the target exists, which makes the write-once rule atomic. Re-running
    after a crash between the link and the unlink finds the same inode and just finishes.
    """
    source = partial_path(settings, upload_id)
    target = original_path(settings, upload_id)
    folder = _private_dir(target.parent, 0o750)  # the service's group may read (0o440) originals
    if target.exists():
        if source.exists() and os.path.samefile(source, target):
            source.unlink()
            fsync_dir(source.parent)
            return target
        raise EvidenceError(f"refusing to overwrite the original {target.name}")
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # the evidence folder is on another filesystem
            raise
        _copy_into_place(source, target)
    os.chmod(target, READ_ONLY)
    fsync_dir(folder)
    source.unlink()
    fsync_dir(source.parent)
    return target


def _copy_into_place(source: Path, target: Path) -> None:
    # Copy beside the target, fsync, then link: a crash never leaves a short "original".
    temporary = target.with_suffix(".copying")
    temporary.unlink(missing_ok=True)
    with open(source, "rb") as reader, open(temporary, "xb") as writer:
        shutil.copyfileobj(reader, writer, _BLOCK)
        writer.flush()
        os.fsync(writer.fileno())
    try:
        os.link(temporary, target)
    finally:
        temporary.unlink()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Derived:
    """A file made from an original (e.g. a remux for playback); the original is never touched."""

    path: Path
    sidecar: Path

    def seal(self, *, parent_id: str, parent_sha256: str, how: str) -> dict:
        """Record the parent's hash (and the copy's own) next to the finished derived file."""
        record = {
            "parent_upload": check_id(parent_id),
            "parent_sha256": parent_sha256,
            "sha256": sha256_of(self.path),
            "how": how,
            "created_at": datetime.now(UTC).isoformat(),
        }
        os.chmod(self.path, READ_ONLY)
        temporary = self.sidecar.with_suffix(".tmp")
        with open(temporary, "x", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, self.sidecar)  # write-once, like originals
        temporary.unlink()
        fsync_dir(self.path.parent)
        return record


def new_derived(settings: ServerSettings, suffix: str) -> Derived:
    """A fresh generated name under data_dir/derived for the caller to write, then ``seal``."""
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        raise EvidenceError(f"unexpected suffix {suffix!r}")
    folder = _private_dir(derived_dir(settings))
    name = new_id()
    return Derived(path=folder / f"{name}{suffix}", sidecar=folder / f"{name}.json")
