"""An upload's life after its bytes are durable: offsets, completion, recovery, expiry, audit."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server_stub import classify, evidence, events, tus
from server_stub.models.requests import FootageRequest
from server_stub.models.uploads import Upload
from server_stub.services import Services

#: Request states that uploads may move between "uploading" and "uploaded".
OPEN_REQUEST_STATES = ("sent", "opened", "uploading", "uploaded")


def now() -> datetime:
    return datetime.now(UTC)


def max_upload_bytes(services: Services) -> int:
    # Until ServerSettings has the field, the default applies.
    return services.settings.max_upload_bytes


def hashes(services: Services) -> tus.RunningHashes:
    return services.extra.setdefault("tus_hashes", tus.RunningHashes())


def uploader(footage: FootageRequest) -> str:
    """Who sends a request's files: its owner, or the owner's edge box (whose id is the owner's)."""
    return f"{'edge' if footage.channel == 'edge' else 'owner'}:{footage.camera.owner_id}"


def audit(services: Services, session: Session, footage: FootageRequest, action: str, what: str, *,
          source: str, outcome: str = "success") -> None:
    services.audit(session, actor=uploader(footage), action=action,
                   object=f"{what} request:{footage.id}", outcome=outcome, source=source,
                   case_ref=footage.case_ref)


def settle(session: Session, footage: FootageRequest) -> None:
    """Request status follows its files: uploading while any arrives, uploaded once all have.

    A request whose only files were refused stays "uploading": nothing usable came yet.
    """
    if footage.status not in OPEN_REQUEST_STATES:
        return
    rows = session.execute(select(Upload.state, Upload.classification)
                           .where(Upload.request_id == footage.id)).all()
    if any(state == "receiving" for state, _ in rows):
        footage.status = "uploading"
    elif any(state == "complete" and kind != "refused" for state, kind in rows):
        footage.status = "uploaded"
    events.request_status(session, footage)


def fresh(session: Session, upload: Upload) -> None:
    """Re-read the row as of now; call under the upload's lock, before trusting its offset."""
    session.commit()  # ends the read transaction (sessions here do not expire on commit)
    session.refresh(upload)
    if upload.state != "receiving":
        status = 404 if upload.state == "terminated" else 410
        raise tus.TusError(status, "this upload is no longer open")


def record_failure(session: Session, services: Services, footage: FootageRequest, upload: Upload,
                   action: str, source: str) -> None:
    audit(services, session, footage, action, f"upload:{upload.id} offset:{upload.offset}",
          source=source, outcome="failure")
    session.commit()


def advance(session: Session, services: Services, footage: FootageRequest, upload: Upload,
            got: tus.Received, source: str) -> None:
    """Record the durable offset in its own commit, then finish the file if it is all here.

    Two commits on purpose: if the server dies while finishing, the row already says every
    byte arrived, and ``recover`` completes the job from the partial file or the original.
    """
    hashes(services).put(upload.id, got.offset, got.digest)
    events.upload_progress(session, upload, got.offset)
    upload.offset = got.offset
    session.commit()
    if got.offset == upload.length:
        finish(session, services, footage, upload, got.digest.hexdigest(), source)


def finish(session: Session, services: Services, footage: FootageRequest, upload: Upload,
           sha256: str, source: str) -> None:
    """Classify, move into evidence (or refuse), record; safe to re-run after a crash."""
    settings = services.settings
    partial = evidence.partial_path(settings, upload.id)
    received = partial if partial.exists() else evidence.original_path(settings, upload.id)
    result = classify.classify(received)
    if result.kind != "refused" and received == partial:
        evidence.store_original(settings, upload.id)
    upload.sha256, upload.classification = sha256, result.kind
    upload.note, upload.probe = result.note, result.summary
    upload.state, upload.completed_at = "complete", now()
    events.upload(session, "upload.complete", upload)
    settle(session, footage)
    audit(services, session, footage, "upload.complete",
          f"upload:{upload.id} sha256:{sha256} class:{result.kind}", source=source,
          outcome="failure" if result.kind == "refused" else "success")
    session.commit()
    if result.kind == "refused":  # only after the commit: the row keeps the reason and the hash
        evidence.discard_partial(settings, upload.id)
    hashes(services).drop(upload.id)


def recover(session: Session, services: Services, footage: FootageRequest, upload: Upload,
            source: str) -> None:
    """Finish an upload whose last chunk was acknowledged but whose completion was cut short."""
    partial = evidence.partial_path(services.settings, upload.id)
    if not partial.exists():
        original = evidence.original_path(services.settings, upload.id)
        if original.exists():
            finish(session, services, footage, upload, evidence.sha256_of(original), source)
        return
    try:
        with tus.exclusive(partial) as fd:
            fresh(session, upload)
            digest = hashes(services).take(upload.id, fd, upload.length)
            finish(session, services, footage, upload, digest.hexdigest(), source)
    except tus.TusError as exc:
        if exc.status not in (404, 410, 423):  # gone, finished by another request, or finishing now
            raise


def expire_uploads(session: Session, services: Services, at: datetime | None = None) -> int:
    """For the periodic job: expire abandoned uploads and delete partial data nobody will finish."""
    at = at or now()
    expired = 0
    stale = select(Upload).where(Upload.state == "receiving", Upload.expires_at <= at)
    for upload in session.scalars(stale).all():
        try:
            with tus.exclusive(evidence.partial_path(services.settings, upload.id)):
                upload.state = "expired"
                events.upload(session, "upload.expired", upload)
                services.audit(session, actor="system", action="upload.expire",
                               object=f"upload:{upload.id} request:{upload.request_id}",
                               case_ref=upload.request.case_ref)
                session.commit()
                evidence.discard_partial(services.settings, upload.id)
                expired += 1
        except tus.TusError:
            continue  # being written right now, or no data: the next run looks again
    folder = evidence.incoming_dir(services.settings)
    for path in sorted(folder.glob("*.part")) if folder.exists() else ():
        row = session.get(Upload, path.stem)
        # A file without a row may belong to a creation still in flight: give it an hour.
        orphan = row is None and time.time() - path.stat().st_mtime > 3600
        if orphan or (row is not None and row.state != "receiving"):
            evidence.discard_partial(services.settings, path.stem)
    return expired
