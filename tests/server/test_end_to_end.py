"""The whole loop through the server, with a real SMTP server: from a registration to an officer's phone."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import update

from server_stub.cli import main as server_main
from server_stub.models.audit import AuditRecord
from tests.server.helpers import login_as
from tests.server.registration_helpers import cameras, csrf, register_and_verify
from tests.server.test_evidence_api import clip  # noqa: F401  (session fixture: a real H.264 clip)
from tests.server.test_shares import OFFICER
from tests.server.test_tus import create, patch, row

OWNER_LINK = re.compile(r"https://rtcc\.example\.test(/r/[A-Za-z0-9_\-]+)")


def test_register_request_upload_review_share_and_audit(client, services, smtp_inbox, server_settings,
                                                         clip, capsys):  # noqa: F811
    inbox, _ = smtp_inbox

    # 1. A resident registers two cameras and confirms the email: they reach the analysts' map.
    register_and_verify(client, inbox)
    registered = [c for c in cameras(services) if c.status == "active"]
    assert registered
    analyst = login_as(client, services, "analyst")
    sync = client.get("/api/registry/changes", headers=analyst).json()
    assert {c["id"] for c in sync["changes"] if c["present"]} == {c.id for c in registered}

    # 2. After a shooting, the analyst asks for the first camera's footage.
    start = datetime.now(UTC) - timedelta(hours=3)
    made = client.post("/api/requests", headers=analyst, json={
        "client_id": uuid.uuid4().hex, "camera_ids": [registered[0].id],
        "window_start": start.isoformat(), "window_end": (start + timedelta(minutes=30)).isoformat(),
        "case_ref": "SPD-26-2044", "call_ref": "SPT-2026-000777",
        "justification": "Shots fired; the camera faces the street the shooter used.",
    })
    assert made.status_code == 201, made.text
    request_id = made.json()[0]["id"]

    # 3. The owner (who asked for text messages) follows the link and chooses to upload.
    assert made.json()[0]["channel"] == "sms"
    (text,) = server_settings.sms_outbox_dir.glob("*.json")
    owner_path = OWNER_LINK.search(text.read_text()).group(1)
    page = client.get(owner_path, headers={"accept": "text/html"})
    assert page.status_code == 200 and "SPD-26-2044" in page.text
    chosen = client.post(f"{owner_path}/answer", data={"choice": "upload", "csrf_token": csrf(page.text)},
                         follow_redirects=False)
    assert chosen.status_code == 303

    # 4. The upload is interrupted half-way, then resumed from the offset the server kept.
    token = owner_path.rsplit("/", 1)[1]
    url = create(client, token, len(clip), name="porch-2026-11-25.mp4")
    half = len(clip) // 2
    assert patch(client, url, 0, clip[:half]).status_code == 204
    offset = int(client.head(url, headers={"Tus-Resumable": "1.0.0"}).headers["Upload-Offset"])
    assert offset == half
    rest = clip[offset:]
    assert patch(client, url, offset, rest, checksum=hashlib.sha256(rest).digest()).status_code == 204
    upload = row(services, url)
    assert upload.sha256 == hashlib.sha256(clip).hexdigest()
    assert upload.classification == "playable"
    status = client.get(f"/api/requests/{request_id}", headers=analyst).json()["status"]
    assert status == "uploaded"

    # 5. The analyst reviews it as valuable and shares it with the detective.
    review = client.post(f"/api/uploads/{upload.id}/review", headers=analyst,
                         json={"verdict": "valuable", "notes": "Shooter visible at 02:17"})
    assert review.status_code == 200, review.text
    shared = client.post(f"/api/uploads/{upload.id}/shares", headers=analyst, json=OFFICER)
    assert shared.status_code == 201, shared.text
    assert "<svg" in shared.json()["qr_svg"]
    officer_path = urlsplit(shared.json()["url"]).path

    # 6. The officer's phone page plays the clip with range requests.
    officer_page = client.get(officer_path, headers={"accept": "text/html"})
    assert officer_page.status_code == 200 and OFFICER["officer_name"] in officer_page.text
    first = client.get(f"{officer_path}/video", headers={"Range": "bytes=0-99"})
    assert first.status_code == 206 and first.content == clip[:100]
    assert first.headers["content-range"] == f"bytes 0-99/{len(clip)}"

    # 7. The audit trail holds together, and names the record someone alters.
    cli = ["--data-dir", str(server_settings.data_dir), "--database", server_settings.database_url]
    assert server_main([*cli, "verify-audit"]) == 0
    with services.sessions() as session:
        session.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(actor="nobody"))
        session.commit()
    assert server_main([*cli, "verify-audit"]) == 1
    assert "record 3" in capsys.readouterr().err
