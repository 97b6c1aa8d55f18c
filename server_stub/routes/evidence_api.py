"""Analyst API for uploads: metadata, byte-range download of originals, review verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server_stub import auth, evidence, ranges
from server_stub.auth import AnalystUser
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.reviews import MAX_NOTES, Review
from server_stub.models.uploads import Upload
from server_stub.models.users import User

router = APIRouter(prefix="/api/uploads", tags=["uploads"])

# ffprobe's format_name → what a browser's <video> expects; anything else is sent as bytes.
_MEDIA_TYPES = (("mp4", "video/mp4"), ("webm", "video/webm"), ("matroska", "video/x-matroska"),
                ("avi", "video/x-msvideo"), ("mpegts", "video/mp2t"))


class ReviewIn(BaseModel):
    verdict: Literal["valuable", "not_valuable"]
    notes: str = Field("", max_length=MAX_NOTES)


class ReviewOut(BaseModel):
    verdict: str
    notes: str
    reviewer: str
    at: datetime


class UploadOut(BaseModel):
    id: str
    request_id: str
    case_ref: str
    filename: str
    declared_type: str
    length: int
    offset: int
    sha256: str | None
    state: str
    classification: str | None
    note: str
    probe: dict | None
    created_at: datetime
    completed_at: datetime | None
    review: ReviewOut | None

    @classmethod
    def of(cls, upload: Upload, review: Review | None) -> UploadOut:
        return cls(
            id=upload.id, request_id=upload.request_id, case_ref=upload.request.case_ref,
            filename=upload.filename, declared_type=upload.declared_type, length=upload.length,
            offset=upload.offset, sha256=upload.sha256, state=upload.state,
            classification=upload.classification, note=upload.note, probe=upload.probe,
            created_at=upload.created_at, completed_at=upload.completed_at,
            review=ReviewOut.model_validate(review, from_attributes=True) if review else None,
        )


def latest_review(session: Session, upload_id: str) -> Review | None:
    """The verdict in force: the newest review of the upload (older ones are history)."""
    return session.scalars(select(Review).where(Review.upload_id == upload_id)
                           .order_by(Review.at.desc(), Review.id.desc()).limit(1)).first()


def find_upload(session: Session, upload_id: str) -> Upload:
    upload = session.get(Upload, upload_id) if evidence.is_generated_id(upload_id) else None
    if upload is None:
        raise HTTPException(404, detail="no such upload")
    return upload


def has_original(upload: Upload) -> bool:
    # Refused files' bytes were deleted on completion; unfinished ones are not evidence yet.
    return upload.state == "complete" and upload.classification in ("playable", "native")


def media_type(upload: Upload) -> str:
    container = str((upload.probe or {}).get("container", ""))
    if upload.classification == "playable":
        for marker, kind in _MEDIA_TYPES:
            if marker in container.split(","):
                return kind
    return "application/octet-stream"


def download_name(upload: Upload) -> str:
    return upload.filename or f"upload-{upload.id}.bin"


def _audit(services, session, user: User, upload: Upload, action: str, what: str, source: str,
           justification: str = "", outcome: str = "success") -> None:
    services.audit(session, actor=f"analyst:{user.username}", action=action,
                   object=f"upload:{upload.id}{what} request:{upload.request_id}",
                   outcome=outcome, source=source, case_ref=upload.request.case_ref,
                   justification=justification)


@router.get("", response_model=list[UploadOut])
def list_uploads(
    user: AnalystUser, session: SessionDep, services: ServicesDep, source: SourceDep,
    request_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[UploadOut]:
    query = select(Upload).order_by(Upload.created_at.desc()).limit(limit)
    if request_id:
        query = query.where(Upload.request_id == request_id)
    rows = list(session.scalars(query))
    services.audit(session, actor=f"analyst:{user.username}", action="upload.list",
                   object=f"uploads request={request_id or '*'}", source=source)
    session.commit()
    return [UploadOut.of(u, latest_review(session, u.id)) for u in rows]


@router.get("/{upload_id}", response_model=UploadOut)
def detail(upload_id: str, user: AnalystUser, session: SessionDep, services: ServicesDep,
           source: SourceDep) -> UploadOut:
    upload = find_upload(session, upload_id)
    _audit(services, session, user, upload, "upload.view", "", source)
    session.commit()
    return UploadOut.of(upload, latest_review(session, upload.id))


@router.get("/{upload_id}/original", response_class=FileResponse,
            responses={206: {"description": "The requested byte range"},
                       416: {"description": "Range not satisfiable"}})
def original(upload_id: str, user: AnalystUser, session: SessionDep, services: ServicesDep,
             source: SourceDep, range_: Annotated[str | None, Header(alias="range")] = None):
    """The original bytes exactly as received; honours Range, so players and resumers seek."""
    upload = find_upload(session, upload_id)
    path = evidence.original_path(services.settings, upload.id)
    if not has_original(upload) or not path.is_file():
        raise HTTPException(404, detail="this upload has no stored original")
    if ranges.starts_at_zero(range_):  # each read once, not each chunk of it
        _audit(services, session, user, upload, "upload.download", f" sha256:{upload.sha256}",
               source)
        session.commit()
    return ranges.serve(path, media_type="application/octet-stream",
                        download_name=download_name(upload))


@router.post("/{upload_id}/review", response_model=UploadOut)
def review(upload_id: str, body: ReviewIn, user: AnalystUser, session: SessionDep,
           services: ServicesDep, source: SourceDep) -> UploadOut:
    upload = find_upload(session, upload_id)
    if not has_original(upload):
        _audit(services, session, user, upload, "upload.review", f" verdict:{body.verdict}",
               source, justification="not a stored original", outcome="failure")
        session.commit()
        raise HTTPException(409, detail="only a received, accepted upload can be reviewed")
    resent = _same_verdict_again(session, upload, user, body)
    if resent is not None:
        return UploadOut.of(upload, resent)
    verdict = Review(upload_id=upload.id, verdict=body.verdict, notes=body.notes,
                     reviewer=user.username, at=auth.utcnow())
    session.add(verdict)
    _audit(services, session, user, upload, "upload.review", f" verdict:{body.verdict}", source,
           justification=body.notes)
    session.commit()
    return UploadOut.of(upload, verdict)


def _same_verdict_again(session: Session, upload: Upload, user: User, body: ReviewIn
                        ) -> Review | None:
    """The verdict in force when it is this analyst's, with these words: a resend (the desk
    queues verdicts and may send one again after a crash) is answered, not added again.

    Only the verdict in force counts: after someone else's later verdict, the same words
    again are a deliberate "I still say so", recorded as a new review. Asked under a lock on
    the upload's row (a no-op write), so two copies in flight add at most one row.
    """
    session.execute(update(Upload).where(Upload.id == upload.id).values(state=Upload.state)
                    .execution_options(synchronize_session=False))
    current = latest_review(session, upload.id)
    if current is not None and (current.reviewer, current.verdict, current.notes) == (
            user.username, body.verdict, body.notes):
        session.commit()  # ends the transaction the lock opened; nothing was written
        return current
    return None
