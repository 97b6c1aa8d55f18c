"""The tus 1.0 protocol core: headers, per-upload locks, durable chunk writes, a running SHA-256.

Why not the PyPI package ``tuspyserver`` (4.4.3, read in full before deciding): it has no
checksum extension (no Upload-Checksum, no 460), keeps no running hash, buffers each PATCH
body in memory before its single write (``LocalStorage.append`` extends a bytearray), reads
whole files into memory, and keeps upload state in JSON sidecars next to the data rather than
in our database. Each of those is a requirement here, so the protocol is implemented below,
framework-light: routes turn ``TusError`` into responses and feed request bodies in.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ctypes
import ctypes.util
import fcntl
import hashlib
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from anyio import to_thread

if TYPE_CHECKING:
    from hashlib import _Hash as Hasher

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,checksum,expiration,termination"
CHECKSUM_ALGORITHMS = "sha256"
OCTET_STREAM = "application/offset+octet-stream"
CHECKSUM_MISMATCH = 460
#: Bytes gathered from the request before one write; memory per PATCH is two of these.
WRITE_BATCH = 4 * 1024 * 1024


class TusError(Exception):
    """A protocol answer other than success: status, a sentence for people, extra headers."""

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.headers = {"Tus-Resumable": TUS_VERSION, **(headers or {})}


class BodyInterrupted(Exception):
    """The client went away mid-body; raised by the caller's body iterator."""


def require_version(headers: Mapping[str, str]) -> None:
    if headers.get("tus-resumable") != TUS_VERSION:
        raise TusError(412, f"this server speaks tus {TUS_VERSION} (Tus-Resumable header)",
                       {"Tus-Version": TUS_VERSION})


def options_headers(max_size: int) -> dict[str, str]:
    return {
        "Tus-Resumable": TUS_VERSION, "Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
        "Tus-Checksum-Algorithm": CHECKSUM_ALGORITHMS, "Tus-Max-Size": str(max_size),
    }


def _whole_number(value: str | None, name: str) -> int:
    if value is None or not value.isascii() or not value.isdigit():
        raise TusError(400, f"{name} must be a whole number of bytes")
    return int(value)


def parse_length(headers: Mapping[str, str]) -> int:
    """Upload-Length of a new upload (deferred lengths are not offered)."""
    if "upload-length" not in headers and "upload-defer-length" in headers:
        raise TusError(400, "the file's size must be given when the upload is created")
    return _whole_number(headers.get("upload-length"), "Upload-Length")


def parse_offset(headers: Mapping[str, str]) -> int:
    return _whole_number(headers.get("upload-offset"), "Upload-Offset")


def parse_metadata(value: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated "key base64value" pairs; the value may be absent."""
    result: dict[str, str] = {}
    for pair in (value or "").split(","):
        parts = pair.strip().split(" ")
        if parts == [""]:
            continue
        if len(parts) > 2 or not parts[0].isascii() or parts[0] in result:
            raise TusError(400, "Upload-Metadata is malformed")
        try:
            decoded = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
        except (binascii.Error, ValueError):
            raise TusError(400, f"Upload-Metadata value of {parts[0]!r} is not base64") from None
        result[parts[0]] = decoded.decode("utf-8", "replace")
    return result


def parse_checksum(headers: Mapping[str, str]) -> bytes | None:
    """The expected SHA-256 of this PATCH's body, or None when the client sent no checksum."""
    value = headers.get("upload-checksum")
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm.lower() != "sha256":
        raise TusError(400, f"checksum algorithm not supported; use {CHECKSUM_ALGORITHMS}")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != hashlib.sha256().digest_size:
        raise TusError(400, "Upload-Checksum is not a base64 SHA-256 digest")
    return digest


def check_patch(headers: Mapping[str, str], *, stored_offset: int, length: int) -> int:
    """Content type, offset and room of a PATCH, before any byte is read; returns the offset."""
    if headers.get("content-type", "").split(";")[0].strip().lower() != OCTET_STREAM:
        raise TusError(415, f"PATCH bodies must be {OCTET_STREAM}")
    offset = parse_offset(headers)
    if offset != stored_offset:
        raise TusError(409, f"Upload-Offset {offset} does not match the server's {stored_offset}")
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and offset + int(declared) > length:
        raise TusError(400, "this chunk goes past the declared Upload-Length")
    return offset


def http_date(when: datetime) -> str:
    """Upload-Expires is an RFC 9110 (RFC 7231) HTTP date."""
    return format_datetime(when.astimezone(UTC), usegmt=True)


@contextmanager
def exclusive(path: Path) -> Iterator[int]:
    """Lock an upload's partial file for one writer; yields its descriptor.

    flock is held per open file description, so it excludes both other threads of this
    process and other worker processes. A second PATCH or DELETE meanwhile gets 423, which
    tus clients retry after a pause.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        raise TusError(404, "no data for this upload") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TusError(423, "another request is writing this upload; retry shortly") from None
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


class RunningHashes:
    """SHA-256 state of each partial file, by upload id, kept in memory only.

    A hash object cannot be serialised, so nothing is persisted: after a restart (or when
    another worker wrote the last chunk) the state is rebuilt by reading the partial file once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, Hasher]] = {}

    def take(self, upload_id: str, fd: int, offset: int) -> Hasher:
        """The hash of the first ``offset`` bytes (blocking: may read the file)."""
        with self._lock:
            cached = self._entries.get(upload_id)
        if cached is not None and cached[0] == offset:
            return cached[1].copy()
        digest, position = hashlib.sha256(), 0
        while position < offset:
            block = os.pread(fd, min(WRITE_BATCH, offset - position), position)
            if not block:
                raise OSError(f"partial file of {upload_id} is shorter than its offset {offset}")
            digest.update(block)
            position += len(block)
        return digest

    def put(self, upload_id: str, offset: int, digest: Hasher) -> None:
        with self._lock:
            self._entries[upload_id] = (offset, digest.copy())

    def drop(self, upload_id: str) -> None:
        with self._lock:
            self._entries.pop(upload_id, None)


def _sync_file_range():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    return function


_SYNC_FILE_RANGE = _sync_file_range() if sys.platform.startswith("linux") else None
_SYNC_FILE_RANGE_WRITE = 2


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing these bytes to disk now, without waiting for them.

    The fsync that must precede each acknowledgement then finds most bytes already on disk,
    so the disk works while the network delivers the next ones (Linux only; a no-op elsewhere,
    where the fsync simply takes longer).
    """
    if _SYNC_FILE_RANGE is not None:
        _SYNC_FILE_RANGE(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


@dataclass(frozen=True)
class Received:
    offset: int  # durable, and safe to acknowledge
    digest: Hasher  # SHA-256 of bytes [0, offset)
    interrupted: bool = False


async def receive(body: AsyncIterator[bytes], *, fd: int, scratch: Path, offset: int, length: int,
                  digest: Hasher, expected: bytes | None) -> Received:
    """Append one PATCH body at ``offset``; fsync before returning the new offset.

    Whatever lies past ``offset`` (bytes written but never acknowledged before a crash) is cut
    first. Without a checksum, the bytes go straight to the partial file and a dropped
    connection keeps what arrived. With one, the body goes to ``scratch``, is verified, and only
    then appended: a mismatch raises 460 with nothing appended.
    """
    if os.fstat(fd).st_size < offset:
        # Acknowledged bytes are missing: never paper over that by extending with zeros.
        raise OSError(f"partial file is shorter than its acknowledged offset {offset}")
    await to_thread.run_sync(os.ftruncate, fd, offset)
    running = digest.copy()
    if expected is None:
        return await _direct(body, fd, offset, length, running)
    return await _checked(body, fd, scratch, offset, length, running, expected)


def _write_all(fd: int, pieces: list[bytes], position: int, *digests: Hasher) -> None:
    """Write ``pieces`` contiguously at ``position``, then add them to the hashes.

    Joined first so that the write and each hash are one call apiece: every call releases
    the GIL and must win it back from the event loop, which costs up to a switch interval.
    """
    data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    start, view = position, memoryview(data)
    while view:
        written = os.pwrite(fd, view, position)
        view, position = view[written:], position + written
    start_writeback(fd, start, len(data))
    for d in digests:
        d.update(data)


async def _gather(body: AsyncIterator[bytes], room: int, flush) -> bool:
    """Feed ``flush`` batches of the body; True if the client went away. Raises past ``room``.

    One batch is written (in a worker thread) while the next one is read from the socket, so
    the disk and the network overlap; ``flush`` calls still run one at a time and in order,
    which keeps positions and the running hash right. At most two batches are in memory.
    """
    batch: list[bytes] = []
    batched, total, writing = 0, 0, None
    try:
        try:
            async for piece in body:
                total += len(piece)
                if total > room:
                    raise TusError(400, "this chunk goes past the declared Upload-Length")
                batch.append(piece)
                batched += len(piece)
                if batched >= WRITE_BATCH:
                    if writing is not None:
                        previous, writing = writing, None
                        await previous
                    writing = asyncio.ensure_future(flush(batch, batched))
                    batch, batched = [], 0
            interrupted = False
        except BodyInterrupted:
            interrupted = True
    finally:
        if writing is not None:
            await writing  # never leave a write running behind a failure
    if batch:
        await flush(batch, batched)
    return interrupted


async def _direct(body, fd: int, offset: int, length: int, running) -> Received:
    position = offset

    async def flush(pieces: list[bytes], size: int) -> None:
        nonlocal position
        await to_thread.run_sync(_write_all, fd, pieces, position, running)
        position += size

    try:
        interrupted = await _gather(body, length - offset, flush)
        await to_thread.run_sync(os.fsync, fd)
    except BaseException:
        # Nothing of a failed chunk stays: the offset on disk is the acknowledged one.
        await to_thread.run_sync(os.ftruncate, fd, offset)
        raise
    return Received(position, running, interrupted)


async def _checked(body, fd: int, scratch: Path, offset: int, length: int, running,
                   expected: bytes) -> Received:
    chunk_digest, size = hashlib.sha256(), 0
    sfd = os.open(scratch, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)

    async def flush(pieces: list[bytes], batched: int) -> None:
        nonlocal size
        await to_thread.run_sync(_write_all, sfd, pieces, size, chunk_digest, running)
        size += batched

    try:
        if await _gather(body, length - offset, flush):
            return Received(offset, running, interrupted=True)  # incomplete: nothing appended
        if chunk_digest.digest() != expected:
            raise TusError(CHECKSUM_MISMATCH, "checksum mismatch: the chunk was discarded")
        try:
            await to_thread.run_sync(_append_file, sfd, size, fd, offset)
        except BaseException:
            await to_thread.run_sync(os.ftruncate, fd, offset)
            raise
    finally:
        os.close(sfd)
        scratch.unlink(missing_ok=True)
    return Received(offset + size, running)


def _append_file(source: int, size: int, target: int, position: int) -> None:
    copied = 0
    while copied < size:
        block = os.pread(source, min(WRITE_BATCH, size - copied), copied)
        if not block:
            raise OSError("scratch chunk shrank while being appended")
        _write_all(target, [block], position + copied)
        copied += len(block)
    os.fsync(target)
