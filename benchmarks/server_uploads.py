"""Uploads through a real `rtcc-server serve` on loopback: tus throughput against a file copy,
server memory while a large file streams, and SIGKILL at random points followed by a resume."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import Figure, print_section
from benchmarks.server_common import (
    GiB, MiB, RssSampler, Server, create_upload, head_offset, make_upload_requests, patch,
)
from server_stub import evidence
from server_stub.db import open_database
from server_stub.models.uploads import Upload
from server_stub.settings import ServerSettings

CHUNK = 16 * MiB
TIMEOUT = httpx.Timeout(300.0, connect=10.0)


def run(throughput_bytes: int = 1 * GiB, rss_bytes: int = 4 * 10**9, kills: int = 20,
        kill_size: int = 64 * MiB) -> list[Figure]:
    root = Path(tempfile.mkdtemp(prefix="rtcc-bench-uploads-"))
    figures: list[Figure] = []
    try:
        figures += _throughput(root / "throughput", throughput_bytes)
        shutil.rmtree(root / "throughput", ignore_errors=True)
        figures += _memory(root / "memory", rss_bytes)
        shutil.rmtree(root / "memory", ignore_errors=True)
        figures += _kills(root / "kills", kills, kill_size)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print_section("Server uploads (tus over loopback, real server process)", figures)
    return figures


def _stream(seed: int, length: int):
    """A repeatable pseudo-random byte stream in CHUNK pieces (never all in memory)."""
    rng = random.Random(seed)
    sent = 0
    while sent < length:
        piece = rng.randbytes(min(CHUNK, length - sent))
        sent += len(piece)
        yield piece


def _stored(data_dir: Path, upload_id: str) -> tuple[str | None, str]:
    """(sha256 the server recorded, sha256 of the evidence file on disk)."""
    url = f"sqlite:///{data_dir / 'server.sqlite3'}"
    sessions = open_database(url)
    with sessions() as session:
        upload = session.get(Upload, upload_id)
        recorded = upload.sha256 if upload is not None else None
    sessions.kw["bind"].dispose()
    path = evidence.original_path(ServerSettings(data_dir=data_dir, database_url=url), upload_id)
    digest = hashlib.sha256()
    if path.exists():
        with open(path, "rb") as f:
            while block := f.read(CHUNK):
                digest.update(block)
    return recorded, digest.hexdigest()


def _throughput(folder: Path, size: int) -> list[Figure]:
    data_dir = folder / "server"
    data_dir.mkdir(parents=True)
    source, copy = folder / "source.bin", folder / "copy.bin"
    want = hashlib.sha256()
    with open(source, "wb") as f:
        for piece in _stream(1, size):
            want.update(piece)
            f.write(piece)
        f.flush()
        os.fsync(f.fileno())

    start = time.perf_counter()
    shutil.copyfile(source, copy)
    with open(copy, "rb") as f:
        os.fsync(f.fileno())
    copy_s = time.perf_counter() - start
    copy.unlink()

    (token,) = make_upload_requests(f"sqlite:///{data_dir / 'server.sqlite3'}", 1)
    with Server(data_dir) as server, httpx.Client(base_url=server.base_url, timeout=TIMEOUT) as client:
        start = time.perf_counter()
        path = create_upload(client, token, size)
        offset = 0
        with open(source, "rb") as f:
            for _ in range(size // CHUNK + 2):
                if offset >= size:
                    break
                offset = patch(client, path, offset, f.read(CHUNK))
        upload_s = time.perf_counter() - start
    recorded, on_disk = _stored(data_dir, path.rsplit("/", 1)[1])
    assert recorded == on_disk == want.hexdigest(), "uploaded file differs from the source"
    mb = size / 1e6
    ratio = (mb / upload_s) / (mb / copy_s)
    label = f"{size / GiB:g} GiB" if size >= GiB else f"{size // MiB} MiB"
    return [
        Figure(f"{label}: tus upload, 16 MiB PATCHes", mb / upload_s, "MB/s"),
        Figure(f"{label}: shutil.copyfile + fsync, same disk (baseline)", mb / copy_s, "MB/s"),
        Figure(f"{label}: upload throughput / copy", ratio * 100, "%", ">= 80 %", ratio >= 0.8),
    ]


def _memory(folder: Path, size: int) -> list[Figure]:
    data_dir = folder / "server"
    data_dir.mkdir(parents=True)
    free = shutil.disk_usage(data_dir).free
    note = ""
    if size > GiB and free < 10 * 10**9:
        size, note = GiB, f" (only {free / 1e9:.0f} GB free, so 1 GiB)"
    (token,) = make_upload_requests(f"sqlite:///{data_dir / 'server.sqlite3'}", 1)
    want = hashlib.sha256()
    with Server(data_dir) as server, httpx.Client(base_url=server.base_url, timeout=TIMEOUT) as client:
        sampler = RssSampler(server.pid)
        sampler.start()
        try:
            time.sleep(1.0)
            began = time.monotonic()
            start = time.perf_counter()
            path = create_upload(client, token, size)
            offset = 0
            for piece in _stream(2, size):
                want.update(piece)
                offset = patch(client, path, offset, piece)
            upload_s = time.perf_counter() - start
            ended = time.monotonic()
        finally:
            samples = sampler.stop()
    recorded, _ = _stored(data_dir, path.rsplit("/", 1)[1])
    assert recorded == want.hexdigest(), "uploaded file differs from the source"
    idle = [rss for t, rss in samples if t < began] or [samples[0][1]]
    during = [(t, rss) for t, rss in samples if began <= t <= ended]
    half = began + (ended - began) / 2
    first = max((rss for t, rss in during if t < half), default=idle[-1])
    second = max((rss for t, rss in during if t >= half), default=first)
    peak = max(rss for _, rss in during) if during else idle[-1]
    label = (f"{size / 1e9:.1f} GB" if size >= GiB else f"{size // MiB} MiB") + f" upload{note}"
    return [
        Figure("server RSS idle before upload (baseline)", idle[-1] / 1e6, "MB"),
        Figure(f"{label}: server RSS peak", peak / 1e6, "MB", "< 200 MB", peak < 200e6),
        Figure(f"{label}: RSS growth, idle to peak", (peak - idle[-1]) / 1e6, "MB"),
        Figure(f"{label}: RSS growth, 1st half peak to 2nd half", (second - first) / 1e6, "MB",
               "flat (< 16 MB)", second - first < 16e6),
        Figure(f"{label}: throughput while sampled", size / 1e6 / upload_s, "MB/s"),
    ]


class _Killed(Exception):
    """The server was killed while this PATCH body was going out."""


def _killing_body(chunk: bytes, kill_at: int, server: Server):
    """Yield ``chunk`` in 1 MiB pieces; SIGKILL the server once ``kill_at`` bytes have gone out."""
    sent = 0
    while sent < len(chunk):
        if sent >= kill_at:
            server.kill()
            raise _Killed
        piece = chunk[sent:sent + MiB]
        sent += len(piece)
        yield piece


def _kills(folder: Path, count: int, size: int) -> list[Figure]:
    data_dir = folder / "server"
    data_dir.mkdir(parents=True)
    tokens = make_upload_requests(f"sqlite:///{data_dir / 'server.sqlite3'}", count)
    rng = random.Random(2026)
    server = Server(data_dir)
    good, restarts_s, resumed_from = 0, [], []
    started = time.perf_counter()
    try:
        server.start()
        for i, token in enumerate(tokens):
            data = random.Random(100 + i).randbytes(size)
            want = hashlib.sha256(data).hexdigest()
            kill_at = rng.randrange(MiB, size - MiB)
            with httpx.Client(base_url=server.base_url, timeout=TIMEOUT) as client:
                path = create_upload(client, token, size)
                offset = 0
                try:
                    for _ in range(size // CHUNK + 2):
                        if offset >= size:
                            break
                        end = min(offset + CHUNK, size)
                        if offset <= kill_at < end:
                            body = _killing_body(data[offset:end], kill_at - offset, server)
                            client.patch(path, content=body, headers={
                                "Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream",
                                "Upload-Offset": str(offset), "Content-Length": str(end - offset)})
                        offset = patch(client, path, offset, data[offset:end])
                except (httpx.HTTPError, RuntimeError, _Killed):
                    pass
            server.kill()  # no-op when the body already killed it
            t0 = time.perf_counter()
            server.start()
            restarts_s.append(time.perf_counter() - t0)
            with httpx.Client(base_url=server.base_url, timeout=TIMEOUT) as client:
                offset = head_offset(client, path)
                resumed_from.append(offset / max(kill_at, 1))
                for _ in range(size // CHUNK + 2):
                    if offset >= size:
                        break
                    offset = patch(client, path, offset, data[offset:offset + CHUNK])
            recorded, on_disk = _stored(data_dir, path.rsplit("/", 1)[1])  # SQLite WAL: safe while it runs
            good += recorded == on_disk == want
    finally:
        server.stop()
    total_s = time.perf_counter() - started
    print(f"  SIGKILL + resume: {good}/{count} final SHA-256 equal to the source")
    return [
        Figure(f"SIGKILL mid-upload x{count} ({size // MiB} MiB each): SHA-256 intact",
               good, f"/{count}", f"{count}/{count}", good == count),
        Figure("  resumed offset / bytes sent before the kill, mean", sum(resumed_from) / len(resumed_from), ""),
        Figure("  server restart to /health, mean", sum(restarts_s) / len(restarts_s), "s"),
        Figure("  whole kill-and-resume run", total_s, "s"),
    ]
