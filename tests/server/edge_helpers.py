"""For edge tests: a small box speaking the server's protocol over httpx (the real box is
rtcc_edge, joined with this server in the lead's end-to-end test), a real MPEG-TS clip, and
the server's audit trail read back."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from server_stub.models.audit import AuditRecord

CAMERAS = [
    {"channel": 1, "name": "Register", "lat": 32.5093, "lon": -93.7501, "bearing": 90.0,
     "fov": 80.0, "range_m": 25.0},
    {"channel": 2, "name": "Parking lot", "lat": 32.5095, "lon": -93.7499, "bearing": None,
     "fov": 360.0, "range_m": 40.0},
]
PAUSED = "sharing paused by the business"


def make_ts_clip(folder, seconds: int = 2) -> bytes:
    """A real H.264 MPEG-TS, as a box cuts from its segments (one keyframe a second)."""
    path = folder / f"clip-{seconds}s.ts"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", f"testsrc=duration={seconds}:size=320x240:rate=15", "-c:v", "libx264", "-g", "15",
         "-pix_fmt", "yuv420p", "-f", "mpegts", str(path)], check=True, timeout=60)
    return path.read_bytes()


def probe_codec(data: bytes, folder) -> str:
    """The first video stream's codec, as ffprobe reads ``data`` (proves it is a real stream)."""
    path = folder / "received.ts"
    path.write_bytes(data)
    answer = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name",
         "-of", "default=nw=1:nk=1", str(path)], capture_output=True, text=True, timeout=60)
    return (answer.stdout.split() or [""])[0]  # an MPEG-TS lists its program's stream too


def issue_code(base_url: str, admin: dict[str, str], **body) -> str:
    answer = httpx.post(f"{base_url}/api/edge/enrollment-codes", headers=admin, json=body or None)
    assert answer.status_code == 201, answer.text
    return answer.json()["code"]


class BoxClient:
    """The box's side of the protocol, only as much as the tests need."""

    def __init__(self, base_url: str, credential: str, box_id: str) -> None:
        self.base_url, self.credential, self.box_id = base_url, credential, box_id
        self.http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(30, read=90),
                                 headers={"Authorization": f"Bearer {credential}"})

    @classmethod
    def enroll(cls, base_url: str, code: str, name: str = "Corner Store",
               cameras: list[dict] | None = None) -> BoxClient:
        answer = httpx.post(f"{base_url}/api/edge/enroll", json={
            "code": code, "box_name": name, "cameras": CAMERAS if cameras is None else cameras})
        assert answer.status_code == 200, answer.text
        return cls(base_url, answer.json()["credential"], answer.json()["box_id"])

    def heartbeat(self, *, paused: bool = False, retention_days: int = 30,
                  cameras: list[dict] | None = None, failed: Iterable[int] = ()) -> httpx.Response:
        now = datetime.now(UTC).isoformat()
        channels = [{"channel": c["channel"], "name": c["name"],
                     "state": "failed" if c["channel"] in failed else "recording",
                     "error": "connection refused" if c["channel"] in failed else "",
                     "oldest": now, "newest": now} for c in (cameras or CAMERAS)]
        body = {"paused": paused, "retention_days": retention_days,
                "disk": {"used_bytes": 10**9, "free_bytes": 5 * 10**11}, "channels": channels}
        if cameras is not None:
            body["cameras"] = cameras
        return self.http.post("/api/edge/heartbeat", json=body)

    def commands(self, wait: float = 0) -> list[dict]:
        answer = self.http.get("/api/edge/commands", params={"wait": wait})
        assert answer.status_code == 200, answer.text
        return answer.json()["commands"]

    def result(self, command_id: str, state: str, **fields) -> httpx.Response:
        return self.http.post(f"/api/edge/commands/{command_id}/result",
                              json={"state": state, **fields})

    def upload(self, command: dict, data: bytes, *, declared: str | None = None,
               chunk: int = 64 * 1024) -> str:
        """tus: create with the command's metadata (plus filename and sha256), then PATCH
        chunks with their SHA-256; returns the upload's URL."""
        metadata = {**command["upload"]["metadata"], "filename": f"{command['id']}.ts",
                    "sha256": declared or hashlib.sha256(data).hexdigest()}
        encoded = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())
        tus = {"Tus-Resumable": "1.0.0"}
        created = self.http.post(command["upload"]["tus_endpoint"], headers={
            **tus, "Upload-Length": str(len(data)), "Upload-Metadata": encoded})
        assert created.status_code == 201, created.text
        url = httpx.URL(command["upload"]["tus_endpoint"]).join(created.headers["location"])
        for offset in range(0, len(data), chunk):
            piece = data[offset:offset + chunk]
            answer = self.http.patch(url, content=piece, headers={
                **tus, "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(offset),
                "Upload-Checksum": "sha256 " + base64.b64encode(hashlib.sha256(piece).digest()).decode()})
            assert answer.status_code == 204, answer.text
        return str(url)

    def stream(self, url: str, chunks: Iterable[bytes]) -> httpx.Response:
        """POST a chunked MPEG-TS body to a live ingest URL until the server answers."""
        return self.http.post(url, content=chunks, headers={"Content-Type": "video/mp2t"})

    def close(self) -> None:
        self.http.close()


def audit_records(services, prefix: str = "edge.") -> list[AuditRecord]:
    with services.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action.startswith(prefix))
                                    .order_by(AuditRecord.seq)))


def actions(services, prefix: str = "edge.") -> list[str]:
    return [r.action for r in audit_records(services, prefix)]
