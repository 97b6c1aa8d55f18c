"""What the server benchmarks share: a real `rtcc-server serve` subprocess on loopback, an SMTP
sink, footage requests straight into the database, RSS sampling."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from rtcc_desk.adapters.local_server import LocalServer, free_port  # noqa: F401 (re-exported)
from server_stub.db import open_database
from server_stub.models.registry import CameraRegistration, Owner
from server_stub.models.requests import FootageRequest
from server_stub.registry import next_sync_version
from server_stub.tokens import new_token

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}
MiB = 1024 * 1024
GiB = 1024 * MiB


Server = LocalServer  # the benchmarks' name for it


class SmtpSink:
    """aiosmtpd on a free loopback port that only counts messages."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
                sink.count += 1
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def make_upload_requests(database_url: str, count: int) -> list[str]:
    """``count`` owners, cameras and footage requests waiting for an upload; their link tokens."""
    sessions = open_database(database_url)
    now = datetime.now(UTC)
    tokens = []
    with sessions() as session:
        for i in range(count):
            token, token_hash = new_token()
            owner = Owner(name=f"Bench Owner {i}", email=f"owner{i}@example.test", phone="",
                          address="712 Texas St", is_business=False, consent_at=now,
                          verified_at=now, created_at=now)
            session.add(owner)
            session.flush()
            camera = CameraRegistration(
                owner_id=owner.id, label="Front door", lat=32.5, lon=-93.7, bearing=180.0,
                fov=90.0, range_m=30.0, recorder_type="dvr_nvr", retention_days=14.0,
                status="active", sync_version=next_sync_version(session), updated_at=now)
            session.add(camera)
            session.flush()
            session.add(FootageRequest(
                client_id=os.urandom(8).hex(), camera_id=camera.id, case_ref="SPD-26-1001",
                analyst="bench", justification="Benchmark", window_start=now - timedelta(hours=2),
                window_end=now - timedelta(hours=1), overwrite_deadline=None, status="uploading",
                channel="email", token_hash=token_hash, link_expires_at=now + timedelta(days=3),
                created_at=now,
            ))
            tokens.append(token)
        session.commit()
    sessions.kw["bind"].dispose()
    return tokens


def create_upload(client: httpx.Client, token: str, length: int) -> str:
    response = client.post(f"/r/{token}/files", headers={
        **TUS, "Upload-Length": str(length), "Upload-Metadata": "filename Y2xpcC5kYXY=",
    })
    if response.status_code != 201:
        raise RuntimeError(f"tus create: {response.status_code} {response.text[:300]}")
    return response.headers["Location"]


def head_offset(client: httpx.Client, path: str) -> int:
    response = client.head(path, headers=TUS)
    if response.status_code != 200:
        raise RuntimeError(f"tus HEAD: {response.status_code}")
    return int(response.headers["Upload-Offset"])


def patch(client: httpx.Client, path: str, offset: int, content) -> int:
    response = client.patch(path, content=content, headers={**PATCH, "Upload-Offset": str(offset)})
    if response.status_code != 204:
        raise RuntimeError(f"tus PATCH at {offset}: {response.status_code} {response.text[:300]}")
    return int(response.headers["Upload-Offset"])


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class RssSampler(threading.Thread):
    """VmRSS of one process every ``interval_s`` until stopped (bounded by ``max_samples``)."""

    def __init__(self, pid: int, interval_s: float = 0.2, max_samples: int = 100_000) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval_s, self.max_samples = pid, interval_s, max_samples
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set() and len(self.samples) < self.max_samples:
            try:
                self.samples.append((time.monotonic(), rss_bytes(self.pid)))
            except OSError:
                return
            self._stop_event.wait(self.interval_s)

    def stop(self) -> list[tuple[float, int]]:
        self._stop_event.set()
        self.join(timeout=5)
        return self.samples
