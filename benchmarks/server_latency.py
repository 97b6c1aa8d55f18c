"""Registry sync and request creation at 100k registered cameras, through a real server process."""

from __future__ import annotations

import random
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, update

from benchmarks.common import Figure, median, p99, print_section
from benchmarks.server_common import Server, SmtpSink
from server_stub.auth import create_user
from server_stub.db import open_database
from server_stub.models.registry import CameraRegistration, Owner, SyncCounter

PASSWORD = "correct horse battery staple"
PAGE = 5000


def run(cameras: int = 100_000, incremental: int = 100, requests: int = 200, pings: int = 200) -> list[Figure]:
    root = Path(tempfile.mkdtemp(prefix="rtcc-bench-latency-"))
    try:
        figures = _measure(root, cameras, incremental, requests, pings)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print_section(f"Server registry sync and requests ({cameras:,} registered cameras)", figures)
    return figures


def _seed(url: str, count: int) -> tuple[list[str], float]:
    """Owners and active cameras with Core bulk inserts; (camera ids, seconds)."""
    sessions = open_database(url)
    engine = sessions.kw["bind"]
    rng = random.Random(11)
    now = datetime.now(UTC)
    start = time.perf_counter()
    owners, cameras = [], []
    for i in range(count):
        owner_id, camera_id = uuid.uuid4().hex, uuid.uuid4().hex
        owners.append({"id": owner_id, "name": f"Owner {i}", "email": f"owner{i}@example.test", "phone": "",
                       "preferred_channel": "email", "address": f"{i} Texas St", "is_business": i % 10 == 0,
                       "consent_at": now, "verified_at": now, "reconfirm_due": None, "created_at": now})
        cameras.append({"id": camera_id, "owner_id": owner_id, "label": "Front door",
                         "lat": 32.45 + rng.random() * 0.15, "lon": -93.85 + rng.random() * 0.2,
                         "bearing": rng.uniform(0, 359), "fov": 90.0, "range_m": 30.0, "sees": "",
                         "recorder_type": "dvr_nvr", "retention_days": 14.0, "status": "active",
                         "sync_version": i + 1, "updated_at": now})
    with engine.begin() as connection:
        for lo in range(0, count, 10_000):
            connection.execute(insert(Owner.__table__), owners[lo:lo + 10_000])
            connection.execute(insert(CameraRegistration.__table__), cameras[lo:lo + 10_000])
        connection.execute(SyncCounter.__table__.delete())
        connection.execute(insert(SyncCounter.__table__), [{"id": 1, "value": count}])
    with sessions() as session:
        create_user(session, username="benchanalyst", password=PASSWORD, roles=["analyst"], totp=False)
        session.commit()
    engine.dispose()
    return [c["id"] for c in cameras], time.perf_counter() - start


def _changes(client: httpx.Client, since: int, max_pages: int) -> tuple[list[float], int, int]:
    """Pull pages until ``more`` is false; (seconds per page, cursor, changes seen)."""
    times, seen = [], 0
    for _ in range(max_pages):
        start = time.perf_counter()
        response = client.get("/api/registry/changes", params={"since": since, "limit": PAGE})
        times.append(time.perf_counter() - start)
        response.raise_for_status()
        body = response.json()
        seen += len(body["changes"])
        since = body["cursor"]
        if not body["more"]:
            break
    return times, since, seen


def _measure(root: Path, count: int, incremental: int, requests: int, pings: int) -> list[Figure]:
    data_dir = root / "server"
    data_dir.mkdir(parents=True)
    url = f"sqlite:///{data_dir / 'server.sqlite3'}"
    camera_ids, seed_s = _seed(url, count)
    with SmtpSink() as smtp, Server(data_dir, smtp_port=smtp.port, demo_mode=True) as server, \
            httpx.Client(base_url=server.base_url, timeout=120.0) as client:
        login = client.post("/api/auth/login", json={"username": "benchanalyst", "password": PASSWORD})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

        ping_s = []
        for _ in range(pings):
            start = time.perf_counter()
            client.get("/health").raise_for_status()
            ping_s.append(time.perf_counter() - start)

        full_start = time.perf_counter()
        page_s, cursor, seen = _changes(client, 0, count // PAGE + 5)
        full_s = time.perf_counter() - full_start
        assert seen == count, f"full sync saw {seen} of {count} cameras"

        # an incremental sync after ``incremental`` changes (a re-aim each), repeated for a spread
        sessions = open_database(url)
        with sessions.kw["bind"].begin() as connection:
            for n, camera_id in enumerate(camera_ids[:incremental], start=1):
                connection.execute(update(CameraRegistration.__table__)
                                   .where(CameraRegistration.__table__.c.id == camera_id)
                                   .values(bearing=float(n), sync_version=count + n))
            connection.execute(update(SyncCounter.__table__).values(value=count + incremental))
        sessions.kw["bind"].dispose()
        incremental_s = []
        for _ in range(50):
            times, _, seen = _changes(client, cursor, 3)
            assert seen == incremental, f"incremental sync saw {seen}, expected {incremental}"
            incremental_s.append(sum(times))

        window_start = datetime.now(UTC) - timedelta(hours=3)
        request_s = []
        for camera_id in camera_ids[incremental:incremental + requests]:
            body = {
                "client_id": uuid.uuid4().hex, "camera_ids": [camera_id],
                "window_start": window_start.isoformat(),
                "window_end": (window_start + timedelta(minutes=30)).isoformat(),
                "case_ref": "SPD-26-2044", "justification": "Benchmark: shots fired nearby.",
            }
            start = time.perf_counter()
            response = client.post("/api/requests", json=body)
            request_s.append(time.perf_counter() - start)
            if response.status_code != 201:
                raise RuntimeError(f"POST /api/requests: {response.status_code} {response.text[:300]}")
        deadline = time.monotonic() + 10
        while smtp.count < requests and time.monotonic() < deadline:
            time.sleep(0.05)
        emails = smtp.count

    ms = 1e3
    return [
        Figure(f"seed {count:,} owners + cameras (Core bulk insert)", seed_s, "s"),
        Figure("GET /health round trip, median (baseline)", median(ping_s) * ms, "ms"),
        Figure("GET /health round trip, p99 (baseline)", p99(ping_s) * ms, "ms"),
        Figure(f"full sync: {len(page_s)} pages of {PAGE}, total", full_s, "s"),
        Figure("full sync: per page, median", median(page_s) * ms, "ms"),
        Figure("full sync: per page, p99", p99(page_s) * ms, "ms"),
        Figure("full sync: cameras per second", count / full_s, "/s"),
        Figure(f"incremental sync of {incremental} changes, median", median(incremental_s) * ms, "ms"),
        Figure(f"incremental sync of {incremental} changes, p99", p99(incremental_s) * ms, "ms"),
        Figure("POST /api/requests (one camera, email), median", median(request_s) * ms, "ms"),
        Figure("POST /api/requests (one camera, email), p99", p99(request_s) * ms, "ms"),
        Figure(f"emails received by the SMTP sink (of {requests})", emails, ""),
    ]
