"""Evidence packages against a real `rtcc-server` process: a case built through its API (a tus
upload, a review, a share), exported as a folder and as a zip, then checked offline — and
the check names the one changed byte, the deleted file, the altered audit record."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyotp
import pytest

from rtcc_desk.adapters.evidence_package import (
    HashMismatch,
    PackageError,
    PackageUnusable,
    export_case_package,
    verify_package,
)
from rtcc_desk.adapters.server_link import ServerClient
from server_stub import evidence
from tests.adapters.test_server_link import PASSWORD, RegistryServer
from tests.server.helpers import add_camera
from tests.server.test_evidence_api import make_clip
from tests.server.test_tus import DATA, create, patch

CASE = "SPD-26-4711"
NOW = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)


@dataclass
class BuiltCase:
    case_ref: str
    request_id: str
    clip_id: str  # playable H.264, reviewed valuable and shared
    native_id: str  # a proprietary recorder export
    refused_id: str  # an executable: hash kept, bytes deleted
    clip: bytes


def owner_token(server: RegistryServer, known: set[Path]) -> str:
    """The owner's link from the text message the server just wrote to its SMS outbox."""
    outbox = server.data_dir / "sms-outbox"
    (new,) = set(outbox.glob("*.json")) - known
    body = json.loads(new.read_text())["body"]
    return body.split("/r/", 1)[1].split()[0].rstrip(".")


def upload(web: httpx.Client, token: str, data: bytes, name: str) -> str:
    url = create(web, token, len(data), name=name)
    response = patch(web, url, 0, data, checksum=hashlib.sha256(data).digest())
    assert response.status_code == 204, response.text
    return url.rsplit("/", 1)[1]


def build_case(server: RegistryServer, client: ServerClient, case_ref: str, clip: bytes) -> BuiltCase:
    """Camera (verified owner, texts), request, three uploads over tus, review, share."""
    camera = add_camera(server.services, channel="sms", phone="+13185550100",
                        email=f"{uuid.uuid4().hex[:8]}@example.test")
    known = set((server.data_dir / "sms-outbox").glob("*.json"))
    start = datetime.now(UTC) - timedelta(hours=3)
    [made] = client.api("POST", "/api/requests", json={
        "client_id": uuid.uuid4().hex, "camera_ids": [camera], "case_ref": case_ref,
        "window_start": start.isoformat(), "window_end": (start + timedelta(minutes=30)).isoformat(),
        "call_ref": "SPT-2026-000777", "justification": "Shots fired; camera faces the street."})
    token = owner_token(server, known)
    with httpx.Client(base_url=server.base_url) as web:
        clip_id = upload(web, token, clip, "porch 2026-11-25.mp4")
        native_id = upload(web, token, DATA, "CH01_recorder.dav")
        refused_id = upload(web, token, b"MZ" + bytes(5000), "setup.exe")
    client.api("POST", f"/api/uploads/{clip_id}/review",
               json={"verdict": "valuable", "notes": "Suspect visible at 0:01"})
    client.api("POST", f"/api/uploads/{native_id}/review", json={"verdict": "not_valuable"})
    client.api("POST", f"/api/uploads/{clip_id}/shares", json={
        "officer_name": "Ofc. Jamie Ruiz", "officer_contact": "+13185550142", "case_ref": case_ref})
    return BuiltCase(case_ref, made["id"], clip_id, native_id, refused_id, clip)


@pytest.fixture(scope="module")
def case_server(tmp_path_factory):
    with RegistryServer(tmp_path_factory.mktemp("package") / "server") as running:
        yield running


@pytest.fixture(scope="module")
def analyst(case_server):
    secret = case_server.add_user("dana", "analyst")
    with ServerClient(case_server.base_url) as client:
        client.login("dana", PASSWORD, pyotp.TOTP(secret).now())
        yield client


@pytest.fixture(scope="module")
def built(case_server, analyst, tmp_path_factory) -> BuiltCase:
    return build_case(case_server, analyst, CASE, make_clip(tmp_path_factory))


def problems(path: Path) -> list[str]:
    return [str(p) for p in verify_package(path).problems]


def test_folder_package_holds_originals_metadata_audit_and_summary(analyst, built, tmp_path):
    out = tmp_path / "case-4711"
    export = export_case_package(analyst, CASE, out, now=NOW)
    assert export.path == out and not export.as_zip and export.exported_by == "dana"
    assert export.request_ids == (built.request_id,)
    assert set(export.upload_ids) == {built.clip_id, built.native_id, built.refused_id}
    by_upload = {f.upload_id: f for f in export.files}
    assert set(by_upload) == {built.clip_id, built.native_id}  # the refused one has no bytes
    clip_file = out / by_upload[built.clip_id].path
    assert clip_file.read_bytes() == built.clip  # byte for byte
    assert clip_file.name == f"{built.clip_id}-porch_2026-11-25.mp4"
    assert (out / by_upload[built.native_id].path).read_bytes() == DATA

    manifest = (out / "manifest-sha256.txt").read_text().splitlines()
    listed = {line.split("  ", 1)[1] for line in manifest}
    everything = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert listed == everything - {"manifest-sha256.txt"}
    assert f"{hashlib.sha256(built.clip).hexdigest()}  {by_upload[built.clip_id].path}" in manifest
    assert export.manifest_sha256 == hashlib.sha256((out / "manifest-sha256.txt").read_bytes()).hexdigest()

    requests = json.loads((out / "requests.json").read_text())["requests"]
    assert [r["id"] for r in requests] == [built.request_id] and requests[0]["case_ref"] == CASE
    uploads = {u["id"]: u for u in json.loads((out / "uploads.json").read_text())["uploads"]}
    assert uploads[built.clip_id]["review"]["verdict"] == "valuable"
    assert uploads[built.clip_id]["shares"][0]["officer_name"] == "Ofc. Jamie Ruiz"
    assert uploads[built.refused_id]["classification"] == "refused"
    assert uploads[built.refused_id]["package_file"] is None

    audit = json.loads((out / "audit.json").read_text())
    actions = {r["action"] for r in audit["records"]}
    assert {"request.create", "upload.review", "share.create", "upload.download"} <= actions
    objects = " ".join(r["object"] for r in audit["records"])
    assert built.clip_id in objects and built.refused_id in objects
    assert export.audit_records == len(audit["records"])
    assert audit["chain_head"]["seq"] >= audit["records"][-1]["seq"]

    summary = (out / "SUMMARY.txt").read_text()
    assert f"case {CASE}" in summary and "Exported by dana" in summary
    assert "2026-11-25 16:30:00 UTC" in summary
    assert f"{len(built.clip):,} bytes  sha256 {hashlib.sha256(built.clip).hexdigest()}" in summary
    assert "review: valuable by dana" in summary and "shared with Ofc. Jamie Ruiz" in summary
    assert "setup.exe" in summary and "refused" in summary
    assert f"Audit: {export.audit_records} records" in summary
    assert audit["chain_head"]["hash"] in summary
    assert CASE in export.describe() and export.audit_object == f"case:{CASE}"

    result = verify_package(out)
    assert result.ok, result.problems
    assert result.files_checked == len(listed) and result.audit_records_checked == export.audit_records


def test_zip_package_stores_originals_uncompressed_and_verifies(analyst, built, tmp_path):
    out = tmp_path / "case-4711.zip"
    export = export_case_package(analyst, CASE, out, now=NOW)
    assert export.as_zip and zipfile.is_zipfile(out)
    assert not list(tmp_path.glob(".case-4711*")) and not out.with_name(out.name + ".part").exists()
    with zipfile.ZipFile(out) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        clip_name = next(f.path for f in export.files if f.upload_id == built.clip_id)
        assert infos[clip_name].compress_type == zipfile.ZIP_STORED
        assert infos["audit.json"].compress_type == zipfile.ZIP_DEFLATED
        assert archive.read(clip_name) == built.clip
    assert verify_package(out).ok


def test_one_changed_byte_is_named(analyst, built, tmp_path):
    folder = tmp_path / "folder"
    export = export_case_package(analyst, CASE, folder, now=NOW)
    clip_name = next(f.path for f in export.files if f.upload_id == built.clip_id)
    target = folder / clip_name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    found = verify_package(folder).problems
    assert [(p.kind, p.subject) for p in found] == [("differs", clip_name)]
    assert "differs from the manifest's" in str(found[0])

    packed = tmp_path / "packed.zip"
    export_case_package(analyst, CASE, packed, now=NOW)
    with zipfile.ZipFile(packed) as archive:
        info = archive.getinfo(clip_name)
    raw = bytearray(packed.read_bytes())
    name_len, extra_len = (int.from_bytes(raw[info.header_offset + k:info.header_offset + k + 2],
                                          "little") for k in (26, 28))
    raw[info.header_offset + 30 + name_len + extra_len + 1000] ^= 0x01  # inside the clip's bytes
    packed.write_bytes(bytes(raw))
    found = verify_package(packed).problems
    assert [(p.kind, p.subject) for p in found] == [("differs", clip_name)]


def test_deleted_file_is_missing_and_an_added_file_is_unlisted(analyst, built, tmp_path):
    out = tmp_path / "pkg"
    export = export_case_package(analyst, CASE, out, now=NOW)
    native = next(f.path for f in export.files if f.upload_id == built.native_id)
    (out / native).unlink()
    (out / "originals" / "planted.mp4").write_bytes(b"not evidence")
    assert problems(out) == [
        f"{native}: listed in the manifest but missing",
        "originals/planted.mp4: present but not in the manifest",
    ]


def test_altered_audit_record_is_named(analyst, built, tmp_path):
    out = tmp_path / "pkg"
    export_case_package(analyst, CASE, out, now=NOW)
    audit_file = out / "audit.json"
    audit = json.loads(audit_file.read_text())
    victim = audit["records"][1]
    victim["actor"] = "analyst:somebody-else"
    audit_file.write_text(json.dumps(audit, indent=2))
    found = verify_package(out).problems
    assert ("differs", "audit.json") in [(p.kind, p.subject) for p in found]
    assert f"audit record {victim['seq']}: its contents do not match its hash (altered)" in \
        [str(p) for p in found]
    assert len([p for p in found if p.kind == "audit"]) == 1

    # A record slipped out of a run shows as a broken link at the next one.
    audit = json.loads(audit_file.read_text())
    runs = [(a, b) for a, b in zip(audit["records"], audit["records"][1:], strict=False)
            if b["seq"] == a["seq"] + 1]
    first, second = runs[0]
    second_seq = second["seq"]
    second["prev_hash"] = "f" * 64
    audit_file.write_text(json.dumps(audit, indent=2))
    assert any(s.startswith(f"audit record {second_seq}:") for s in problems(out))


def test_unknown_case_unusable_paths_and_existing_output(analyst, built, tmp_path):
    with pytest.raises(PackageError, match="no footage request with case reference"):
        export_case_package(analyst, "SPD-00-0000", tmp_path / "none", now=NOW)
    assert not (tmp_path / "none").exists() and not list(tmp_path.iterdir())
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    with pytest.raises(PackageError, match="already exists"):
        export_case_package(analyst, CASE, tmp_path / "taken", now=NOW)
    with pytest.raises(PackageUnusable):
        verify_package(tmp_path / "nothing-here")
    (tmp_path / "not.zip").write_bytes(b"plain text")
    with pytest.raises(PackageUnusable):
        verify_package(tmp_path / "not.zip")
    with pytest.raises(PackageUnusable, match="manifest"):
        verify_package(tmp_path / "taken")


def test_an_original_that_differs_from_the_servers_hash_is_refused(case_server, analyst, built,
                                                                   tmp_path):
    other = build_case(case_server, analyst, "SPD-26-4712", built.clip)
    stored = evidence.original_path(case_server.services.settings, other.clip_id)
    os.chmod(stored, stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(stored.read_bytes())
    data[10] ^= 0xFF
    stored.write_bytes(bytes(data))
    out = tmp_path / "tampered.zip"
    with pytest.raises(HashMismatch) as raised:
        export_case_package(analyst, "SPD-26-4712", out, now=NOW)
    assert raised.value.name == f"originals/{other.clip_id}-porch_2026-11-25.mp4"
    assert raised.value.name in str(raised.value)
    assert not out.exists() and not list(tmp_path.iterdir())
