"""The owner's upload page and the tus endpoints behind it, bound to the request's secret link."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from server_stub import events, evidence, tus
from server_stub import footage_requests as requests_logic
from server_stub import upload_lifecycle as lifecycle
from server_stub.ratelimit import limit_by_ip
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.requests import FootageRequest
from server_stub.models.types import new_id
from server_stub.models.uploads import Upload
from server_stub.pages import render

router = APIRouter(tags=["owner uploads"], include_in_schema=False)

MAX_FILES_PER_REQUEST = 200
#: PATCH size the page uses: bounded requests pass proxies' body limits and fsync regularly.
CHUNK_BYTES = 16 * 1024 * 1024
#: Free space kept beyond a new upload's length, so one upload cannot fill the disk.
SPACE_MARGIN = 512 * 1024 * 1024
_AUDITED_FAILURES = {
    409: "upload.offset_conflict", tus.CHECKSUM_MISMATCH: "upload.checksum_mismatch",
}
GONE = ("This link has expired or has already been answered. If you still have footage to "
        "share, call the number in the email.")

#: Finds the footage request an upload belongs to, or raises ``tus.TusError``: the owner's link
#: here, an edge box's credential and command in routes/edge_uploads.py. The tus handling
#: below is the same for both, so a clip from a box becomes evidence exactly like an owner's.
FindFootage = Callable[[Session], FootageRequest]


@contextmanager
def _tus_errors() -> Iterator[None]:
    # The app's error handler renders these as a page for browsers and JSON for tus clients.
    try:
        yield
    except tus.TusError as exc:
        raise HTTPException(exc.status, detail=exc.detail, headers=exc.headers) from None


def _footage(session: Session, token: str) -> FootageRequest:
    footage = requests_logic.find_by_token(session, token)
    if not requests_logic.link_usable(footage, lifecycle.now()):
        raise tus.TusError(410, GONE)
    return footage


def _upload(session: Session, footage: FootageRequest, upload_id: str) -> Upload:
    upload = session.get(Upload, upload_id) if evidence.is_generated_id(upload_id) else None
    if upload is None or upload.request_id != footage.id or upload.state == "terminated":
        raise tus.TusError(404, "no such upload")
    ran_out = upload.state == "receiving" and upload.expires_at <= lifecycle.now()
    if upload.state == "expired" or ran_out:
        raise tus.TusError(410, "this upload has expired; please start it again")
    return upload


def _headers(upload: Upload) -> dict[str, str]:
    headers = {"Tus-Resumable": tus.TUS_VERSION, "Upload-Offset": str(upload.offset),
               "Upload-Length": str(upload.length), "Cache-Control": "no-store"}
    if upload.state == "receiving":
        headers["Upload-Expires"] = tus.http_date(upload.expires_at)
    return headers


def _printable(name: str) -> str:
    # Shown to analysts later: no control or bidi-override (format) characters to disguise it.
    return "".join(c for c in name if c.isprintable())


def _human(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


@router.options("/r/{token}/files")
@router.options("/r/{token}/files/{upload_id}")
def tus_options(services: ServicesDep) -> Response:
    limit = lifecycle.max_upload_bytes(services)
    return Response(status_code=204, headers=tus.options_headers(limit))


def _owner_link(token: str) -> FindFootage:
    return lambda session: _footage(session, token)


@router.post("/r/{token}/files", name="tus_create",
             dependencies=[Depends(limit_by_ip("upload.create", 60, 3600))])
def create_upload(token: str, request: Request, session: SessionDep, services: ServicesDep,
                  source: SourceDep) -> Response:
    def location(upload_id: str) -> str:
        return request.url_for("tus_upload", token=token, upload_id=upload_id).path

    return tus_create(_owner_link(token), location, request, session, services, source)


def tus_create(find: FindFootage, location: Callable[[str], str], request: Request,
               session: Session, services, source: str) -> Response:
    """tus creation for the request ``find`` names; ``location`` gives the new upload's path."""
    with _tus_errors():
        tus.require_version(request.headers)
        footage = find(session)
        length, limit = tus.parse_length(request.headers), lifecycle.max_upload_bytes(services)
        meta = tus.parse_metadata(request.headers.get("upload-metadata"))
        if length > limit:
            lifecycle.audit(services, session, footage, "upload.create", f"size:{length}",
                            source=source, outcome="failure")
            session.commit()
            raise tus.TusError(413, f"This file is {_human(length)}; each file may be at most "
                                    f"{_human(limit)}. Please call {services.settings.rtcc_phone}.")
        if length == 0:
            raise tus.TusError(400, "this file is empty")
        count = len(session.scalars(select(Upload.id).where(Upload.request_id == footage.id)).all())
        if count >= MAX_FILES_PER_REQUEST:
            raise tus.TusError(403, f"at most {MAX_FILES_PER_REQUEST} files per request; "
                                    "please call us")
        if shutil.disk_usage(services.settings.data_dir).free < length + SPACE_MARGIN:
            raise tus.TusError(507, "the server has no room for this file now; please call us")
        upload = Upload(
            id=new_id(), request_id=footage.id, filename=_printable(meta.get("filename", ""))[:255],
            declared_type=(meta.get("filetype") or "")[:100], length=length, offset=0,
            state="receiving", note="", created_at=lifecycle.now(),
            expires_at=footage.link_expires_at,  # resumable for as long as the link works
        )
        # The (empty) file first: a row is never committed without the file it describes.
        evidence.create_partial(services.settings, upload.id)
        session.add(upload)
        if footage.answered_at is None:  # the owner went straight to the upload page
            footage.answered_at = upload.created_at
        footage.status = "uploading"
        events.upload(session, "upload.created", upload)
        events.request_status(session, footage)
        lifecycle.audit(services, session, footage, "upload.create",
                        f"upload:{upload.id} size:{length}", source=source)
        session.commit()
        return Response(status_code=201,
                        headers={**_headers(upload), "Location": location(upload.id)})


@router.head("/r/{token}/files/{upload_id}", name="tus_upload")
def upload_status(token: str, upload_id: str, request: Request, session: SessionDep,
                  services: ServicesDep, source: SourceDep) -> Response:
    return tus_status(_owner_link(token), upload_id, request, session, services, source)


def tus_status(find: FindFootage, upload_id: str, request: Request, session: Session, services,
               source: str) -> Response:
    with _tus_errors():
        tus.require_version(request.headers)
        footage = find(session)
        upload = _upload(session, footage, upload_id)
        if upload.state == "receiving" and upload.offset == upload.length:
            lifecycle.recover(session, services, footage, upload, source)
        return Response(status_code=200, headers=_headers(upload))


@router.patch("/r/{token}/files/{upload_id}")
async def upload_chunk(token: str, upload_id: str, request: Request, session: SessionDep,
                       services: ServicesDep, source: SourceDep) -> Response:
    return await tus_patch(_owner_link(token), upload_id, request, session, services, source)


async def tus_patch(find: FindFootage, upload_id: str, request: Request, session: Session,
                    services, source: str) -> Response:
    with _tus_errors():
        tus.require_version(request.headers)
        expected = tus.parse_checksum(request.headers)
        footage, upload = await run_in_threadpool(_load, session, find, upload_id)
        if upload.state == "complete":  # a retry after the last answer was lost
            tus.check_patch(request.headers, stored_offset=upload.offset, length=upload.length)
            return Response(status_code=204, headers=_headers(upload))
        settings, running = services.settings, lifecycle.hashes(services)
        with tus.exclusive(evidence.partial_path(settings, upload.id)) as fd:
            await run_in_threadpool(lifecycle.fresh, session, upload)
            try:
                tus.check_patch(request.headers, stored_offset=upload.offset, length=upload.length)
                digest = await run_in_threadpool(running.take, upload.id, fd, upload.offset)
                got = await tus.receive(
                    _body(request), fd=fd, scratch=evidence.scratch_path(settings, upload.id),
                    offset=upload.offset, length=upload.length, digest=digest, expected=expected,
                )
            except tus.TusError as exc:
                if exc.status in _AUDITED_FAILURES:
                    await run_in_threadpool(lifecycle.record_failure, session, services, footage,
                                            upload, _AUDITED_FAILURES[exc.status], source)
                raise
            await run_in_threadpool(lifecycle.advance, session, services, footage, upload, got,
                                    source)
        return Response(status_code=204, headers=_headers(upload))


@router.delete("/r/{token}/files/{upload_id}")
def terminate_upload(token: str, upload_id: str, request: Request, session: SessionDep,
                     services: ServicesDep, source: SourceDep) -> Response:
    return tus_terminate(_owner_link(token), upload_id, request, session, services, source)


def tus_terminate(find: FindFootage, upload_id: str, request: Request, session: Session, services,
                  source: str) -> Response:
    with _tus_errors():
        tus.require_version(request.headers)
        footage = find(session)
        upload = _upload(session, footage, upload_id)
        if upload.state == "complete":
            raise tus.TusError(403, "A received file is kept as evidence and cannot be deleted "
                                    "here. Please call us if it was sent by mistake.")
        with tus.exclusive(evidence.partial_path(services.settings, upload.id)):
            lifecycle.fresh(session, upload)
            upload.state = "terminated"
            events.upload(session, "upload.terminated", upload)
            lifecycle.settle(session, footage)
            lifecycle.audit(services, session, footage, "upload.terminate", f"upload:{upload.id}",
                            source=source)
            session.commit()
            evidence.discard_partial(services.settings, upload.id)
        lifecycle.hashes(services).drop(upload.id)
        return Response(status_code=204, headers={"Tus-Resumable": tus.TUS_VERSION})


async def _body(request: Request):
    try:
        async for piece in request.stream():
            if piece:
                yield piece
    except ClientDisconnect:
        raise tus.BodyInterrupted from None


def _load(session: Session, find: FindFootage, upload_id: str) -> tuple[FootageRequest, Upload]:
    footage = find(session)
    return footage, _upload(session, footage, upload_id)


@router.get("/r/{token}/upload", response_class=HTMLResponse, name="owner_upload_page")
def upload_page(token: str, request: Request, session: SessionDep,
                services: ServicesDep) -> HTMLResponse:
    with _tus_errors():
        footage = _footage(session, token)
    shown = Upload.state.in_(("receiving", "complete"))
    uploads = session.scalars(
        select(Upload).where(Upload.request_id == footage.id, shown).order_by(Upload.created_at)
    ).all()
    limit = lifecycle.max_upload_bytes(services)
    return render(request, "owner_upload.html", {
        "title": "Upload the recording",
        "endpoint": request.url_for("tus_create", token=token).path,
        "max_size": limit, "max_size_text": _human(limit), "chunk_size": CHUNK_BYTES,
        "files": [_file_view(u) for u in uploads],
        "reference": footage.case_ref or footage.call_ref or footage.id[:8],
        "contact_phone": services.settings.rtcc_phone,
    })


_OUTCOMES = {
    "playable": "received",
    "native": "received (kept exactly as sent)",
    "refused": "not accepted",
}


def _file_view(upload: Upload) -> dict:
    if upload.state == "receiving":
        percent = upload.offset * 100 // upload.length if upload.length else 0
        outcome = f"unfinished ({percent}%): choose the same file again to continue"
    else:
        outcome = _OUTCOMES.get(upload.classification or "", "received")
        if upload.classification == "refused":
            outcome += f": {upload.note}"
    return {"name": upload.filename or "(no name)", "size": _human(upload.length),
            "outcome": outcome, "sha256": upload.sha256 or "", "done": upload.state == "complete"}
