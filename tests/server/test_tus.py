"""Resumable uploads over tus 1.0: protocol answers, durable offsets, hashes, evidence storage."""

from __future__ import annotations

import base64
import hashlib
import os
import random
import stat
from datetime import UTC, datetime, timedelta

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server_stub import evidence, tus, upload_lifecycle
from server_stub.main import create_app
from server_stub.models.audit import AuditRecord
from server_stub.models.registry import CameraRegistration, Owner
from server_stub.models.requests import FootageRequest
from server_stub.models.uploads import Upload
from server_stub.registry import next_sync_version
from server_stub.tokens import new_token

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}
# "DHAV" like a Dahua export: random bytes that no magic-number rule could mistake for a program.
DATA = b"DHAV" + random.Random(7).randbytes(300_000)


def open_client(settings) -> TestClient:
    return TestClient(create_app(settings), base_url="https://testserver")


@pytest.fixture
def tus_client(server_settings):
    with open_client(server_settings) as client:
        yield client


def make_request(services, *, status="uploading", expires_in=timedelta(days=3)) -> tuple[str, str]:
    """An owner, a camera and a footage request straight into the database; (token, request id)."""
    now = datetime.now(UTC)
    token, token_hash = new_token()
    with services.sessions() as session:
        owner = Owner(name="Dana Owner", email="dana@example.test", phone="",
                      address="712 Texas St", is_business=False, consent_at=now,
                      verified_at=now, created_at=now)
        session.add(owner)
        session.flush()
        camera = CameraRegistration(owner_id=owner.id, label="Front door", lat=32.5, lon=-93.7,
                                    bearing=180.0, fov=90.0, range_m=30.0, recorder_type="dvr_nvr",
                                    retention_days=14.0, status="active",
                                    sync_version=next_sync_version(session), updated_at=now)
        session.add(camera)
        session.flush()
        request = FootageRequest(
            client_id=os.urandom(8).hex(), camera_id=camera.id, case_ref="SPD-26-1001",
            analyst="analyst1", justification="Shots fired", window_start=now - timedelta(hours=2),
            window_end=now - timedelta(hours=1), overwrite_deadline=None, status=status,
            channel="email", token_hash=token_hash, link_expires_at=now + expires_in,
            created_at=now,
        )
        session.add(request)
        session.commit()
        return token, request.id


def b64(value: bytes | str) -> str:
    return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()


def create(client, token: str, length: int, name: str = "clip.dav") -> str:
    response = client.post(f"/r/{token}/files", headers={
        **TUS, "Upload-Length": str(length),
        "Upload-Metadata": f"filename {b64(name)},filetype {b64('video/x-dav')}",
    })
    assert response.status_code == 201, response.text
    assert response.headers["Tus-Resumable"] == "1.0.0"
    return response.headers["Location"]


def patch(client, url: str, offset: int, chunk: bytes, *, checksum: bytes | None = None):
    headers = {**PATCH, "Upload-Offset": str(offset)}
    if checksum is not None:
        headers["Upload-Checksum"] = f"sha256 {b64(checksum)}"
    return client.patch(url, content=chunk, headers=headers)


def row(services, url: str) -> Upload:
    with services.sessions() as session:
        return session.get(Upload, url.rsplit("/", 1)[1])


def actions(services) -> list[tuple[str, str, str]]:
    with services.sessions() as session:
        return [(r.action, r.outcome, r.object) for r in session.scalars(select(AuditRecord))]


def test_options_advertise_version_extensions_checksum_and_limit(tus_client):
    response = tus_client.options("/r/anything/files")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) >= {
        "creation", "checksum", "expiration", "termination"}
    assert response.headers["Tus-Checksum-Algorithm"] == "sha256"
    assert int(response.headers["Tus-Max-Size"]) == 20 * 1024**3


def test_three_checksummed_chunks_make_a_write_once_original_with_the_source_hash(tus_client):
    services = tus_client.app.state.services
    token, request_id = make_request(services)
    url = create(tus_client, token, len(DATA), name="../../etc/passwd clip.dav")
    head = tus_client.head(url, headers=TUS)
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0" and head.headers["Upload-Length"] == str(len(DATA))
    assert head.headers["Cache-Control"] == "no-store" and "GMT" in head.headers["Upload-Expires"]
    cuts = [0, 100_000, 200_000, len(DATA)]
    for start, end in zip(cuts, cuts[1:]):
        chunk = DATA[start:end]
        response = patch(tus_client, url, start, chunk, checksum=hashlib.sha256(chunk).digest())
        assert response.status_code == 204, response.text
        assert response.headers["Upload-Offset"] == str(end)
    upload = row(services, url)
    assert upload.state == "complete" and upload.offset == len(DATA)
    assert upload.sha256 == hashlib.sha256(DATA).hexdigest()
    assert upload.classification == "native" and upload.filename == "../../etc/passwd clip.dav"
    original = evidence.original_path(services.settings, upload.id)
    assert original.read_bytes() == DATA
    assert stat.S_IMODE(original.stat().st_mode) == 0o440
    assert original.is_relative_to(services.settings.evidence_dir)
    assert list(evidence.incoming_dir(services.settings).iterdir()) == []
    with services.sessions() as session:
        assert session.get(FootageRequest, request_id).status == "uploaded"
    done = [a for a in actions(services) if a[0] == "upload.complete"]
    what = f"upload:{upload.id} sha256:{upload.sha256} class:native request:{request_id}"
    assert done == [("upload.complete", "success", what)]
    assert tus_client.delete(url, headers=TUS).status_code == 403  # evidence is not deletable


def test_wrong_offset_is_409_and_audited(tus_client):
    services = tus_client.app.state.services
    token, _ = make_request(services)
    url = create(tus_client, token, len(DATA))
    assert patch(tus_client, url, 0, DATA[:1000]).status_code == 204
    response = patch(tus_client, url, 500, DATA[500:1500])
    assert response.status_code == 409
    assert tus_client.head(url, headers=TUS).headers["Upload-Offset"] == "1000"
    assert ("upload.offset_conflict", "failure") in [a[:2] for a in actions(services)]


def test_bad_checksum_is_460_and_nothing_is_appended(tus_client):
    services = tus_client.app.state.services
    token, _ = make_request(services)
    url = create(tus_client, token, len(DATA))
    assert patch(tus_client, url, 0, DATA[:1000]).status_code == 204
    response = patch(tus_client, url, 1000, DATA[1000:2000], checksum=hashlib.sha256(b"x").digest())
    assert response.status_code == 460
    assert tus_client.head(url, headers=TUS).headers["Upload-Offset"] == "1000"
    upload = row(services, url)
    assert evidence.partial_path(services.settings, upload.id).stat().st_size == 1000
    assert not evidence.scratch_path(services.settings, upload.id).exists()
    assert ("upload.checksum_mismatch", "failure") in [a[:2] for a in actions(services)]
    bad_algorithm = {**PATCH, "Upload-Offset": "1000", "Upload-Checksum": f"md5 {b64(b'x' * 16)}"}
    assert tus_client.patch(url, content=b"abc", headers=bad_algorithm).status_code == 400
    rest = DATA[1000:]
    response = patch(tus_client, url, 1000, rest, checksum=hashlib.sha256(rest).digest())
    assert response.status_code == 204
    assert row(services, url).sha256 == hashlib.sha256(DATA).hexdigest()


def test_protocol_version_content_type_and_length_are_checked(tus_client):
    token, _ = make_request(tus_client.app.state.services)
    missing = tus_client.post(f"/r/{token}/files", headers={"Upload-Length": "10"})
    assert missing.status_code == 412 and missing.headers["Tus-Version"] == "1.0.0"
    old = {"Tus-Resumable": "0.2.2", "Upload-Length": "10"}
    wrong = tus_client.post(f"/r/{token}/files", headers=old)
    assert wrong.status_code == 412
    assert tus_client.post(f"/r/{token}/files", headers=TUS).status_code == 400
    url = create(tus_client, token, 100)
    assert tus_client.head(url).status_code == 412
    text = {**TUS, "Upload-Offset": "0", "Content-Type": "text/plain"}
    assert tus_client.patch(url, content=b"x", headers=text).status_code == 415
    assert patch(tus_client, url, 0, b"y" * 101).status_code == 400  # past Upload-Length
    assert tus_client.head(url, headers=TUS).headers["Upload-Offset"] == "0"


def test_over_the_size_limit_is_413_with_a_readable_page(tus_client):
    token, _ = make_request(tus_client.app.state.services)
    headers = {**TUS, "Upload-Length": str(20 * 1024**3 + 1)}
    response = tus_client.post(f"/r/{token}/files", headers=headers)
    assert response.status_code == 413 and "20.0 GB" in response.json()["detail"]
    page = tus_client.post(f"/r/{token}/files", headers={**headers, "Accept": "text/html"})
    assert page.status_code == 413 and "File too large" in page.text and "20.0 GB" in page.text


@pytest.mark.parametrize("status, expires_in", [
    ("uploading", timedelta(seconds=-1)), ("declined", timedelta(days=3)),
    ("no_relevant_footage", timedelta(days=3)),
])
def test_an_expired_or_used_link_is_410(tus_client, status, expires_in):
    services = tus_client.app.state.services
    token, request_id = make_request(services)
    url = create(tus_client, token, len(DATA))
    with services.sessions() as session:
        footage = session.get(FootageRequest, request_id)
        footage.status, footage.link_expires_at = status, datetime.now(UTC) + expires_in
        session.commit()
    again = tus_client.post(f"/r/{token}/files", headers={**TUS, "Upload-Length": "5"})
    assert again.status_code == 410
    assert tus_client.head(url, headers=TUS).status_code == 410
    assert patch(tus_client, url, 0, DATA).status_code == 410
    page = tus_client.get(f"/r/{token}/upload", headers={"Accept": "text/html"})
    assert page.status_code == 410 and "no longer valid" in page.text


def test_an_expired_upload_is_410_and_the_sweep_deletes_its_data(tus_client):
    services = tus_client.app.state.services
    token, _ = make_request(services)
    url = create(tus_client, token, len(DATA))
    assert patch(tus_client, url, 0, DATA[:10]).status_code == 204
    with services.sessions() as session:
        upload = session.get(Upload, url.rsplit("/", 1)[1])
        upload.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.commit()
        assert tus_client.head(url, headers=TUS).status_code == 410
        assert upload_lifecycle.expire_uploads(session, services) == 1
        assert not evidence.partial_path(services.settings, upload.id).exists()
        session.refresh(upload)
        assert upload.state == "expired"


def test_termination_is_204_then_404_and_removes_the_partial_data(tus_client):
    services = tus_client.app.state.services
    token, _ = make_request(services)
    url = create(tus_client, token, len(DATA))
    assert patch(tus_client, url, 0, DATA[:5000]).status_code == 204
    upload = row(services, url)
    assert tus_client.delete(url, headers=TUS).status_code == 204
    assert tus_client.head(url, headers=TUS).status_code == 404
    assert not evidence.partial_path(services.settings, upload.id).exists()
    assert ("upload.terminate", "success") in [a[:2] for a in actions(services)]


def test_a_second_writer_at_the_same_time_is_refused_with_423(tus_client):
    services = tus_client.app.state.services
    token, _ = make_request(services)
    url = create(tus_client, token, len(DATA))
    with tus.exclusive(evidence.partial_path(services.settings, row(services, url).id)):
        assert patch(tus_client, url, 0, DATA[:100]).status_code == 423
        assert tus_client.delete(url, headers=TUS).status_code == 423
    assert patch(tus_client, url, 0, DATA[:100]).status_code == 204


def test_resume_after_a_restart_continues_and_the_final_hash_is_right(server_settings):
    with open_client(server_settings) as first:
        token, _ = make_request(first.app.state.services)
        url = create(first, token, len(DATA))
        assert patch(first, url, 0, DATA[:123_457]).status_code == 204
        assert first.head(url, headers=TUS).headers["Upload-Offset"] == "123457"
    # A crash after a write but before its acknowledgement leaves an unacknowledged tail.
    with open(evidence.partial_path(server_settings, url.rsplit("/", 1)[1]), "ab") as tail:
        tail.write(b"never acknowledged")
    with open_client(server_settings) as second:  # a new process: no hash state in memory
        assert second.head(url, headers=TUS).headers["Upload-Offset"] == "123457"
        assert patch(second, url, 123_457, DATA[123_457:]).status_code == 204
        assert row(second.app.state.services, url).sha256 == hashlib.sha256(DATA).hexdigest()


def test_a_dropped_connection_keeps_the_bytes_that_arrived(tmp_path):
    partial, scratch = tmp_path / "x.part", tmp_path / "x.chunk"
    partial.write_bytes(DATA[:10])

    async def dropping():
        yield DATA[10:5000]
        raise tus.BodyInterrupted

    async def run(expected):
        fd = os.open(partial, os.O_RDWR)
        try:
            start = hashlib.sha256(DATA[:10])
            return await tus.receive(dropping(), fd=fd, scratch=scratch, offset=10,
                                     length=len(DATA), digest=start, expected=expected)
        finally:
            os.close(fd)

    checked = anyio.run(run, hashlib.sha256(DATA[10:6000]).digest())
    assert checked.interrupted and checked.offset == 10 and partial.stat().st_size == 10
    got = anyio.run(run, None)
    assert got.interrupted and got.offset == 5000
    assert partial.read_bytes() == DATA[:5000]
    assert got.digest.hexdigest() == hashlib.sha256(DATA[:5000]).hexdigest()


def test_a_completion_cut_short_by_a_crash_is_finished_by_the_next_head(tus_client):
    services = tus_client.app.state.services
    token, _ = make_request(services)
    url = create(tus_client, token, len(DATA))
    upload = row(services, url)
    evidence.partial_path(services.settings, upload.id).write_bytes(DATA)
    with services.sessions() as session:  # the offset was committed, then the server died
        session.get(Upload, upload.id).offset = len(DATA)
        session.commit()
    assert tus_client.head(url, headers=TUS).headers["Upload-Offset"] == str(len(DATA))
    finished = row(services, url)
    assert finished.state == "complete" and finished.sha256 == hashlib.sha256(DATA).hexdigest()


def test_a_refused_file_is_not_kept_but_its_hash_and_reason_are(tus_client):
    services = tus_client.app.state.services
    token, request_id = make_request(services)
    program = b"MZ\x90\x00" + bytes(2000)
    url = create(tus_client, token, len(program), name="player.exe")
    assert patch(tus_client, url, 0, program).status_code == 204
    upload = row(services, url)
    assert upload.classification == "refused" and "executable" in upload.note
    assert upload.sha256 == hashlib.sha256(program).hexdigest()
    assert not evidence.original_path(services.settings, upload.id).exists()
    assert not evidence.partial_path(services.settings, upload.id).exists()
    with services.sessions() as session:
        assert session.get(FootageRequest, request_id).status == "uploading"
    assert ("upload.complete", "failure") in [a[:2] for a in actions(services)]


def test_the_upload_page_is_script_free_inline_and_lists_files(tus_client):
    services = tus_client.app.state.services
    token, _ = make_request(services)
    url = create(tus_client, token, len(DATA), name="<b>night</b>.dav")
    patch(tus_client, url, 0, DATA[:len(DATA) // 2])
    page = tus_client.get(f"/r/{token}/upload")
    assert page.status_code == 200
    assert f'data-endpoint="/r/{token}/files"' in page.text
    assert "<script>" not in page.text and "&lt;b&gt;night&lt;/b&gt;.dav" in page.text
    assert "unfinished (50%)" in page.text
    for asset in ("vendor/tus.min.js", "upload.js", "upload.css"):
        assert tus_client.get(f"/static/app/{asset}").status_code == 200
