"""GET /api/audit: the audit records that concern given evidence, for packages and reviewers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from rtcc_desk.core.audit_chain import GENESIS_HASH, format_time
from server_stub.auth import AnalystUser
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.audit import AuditHead, AuditRecord

#: Object prefixes one read may ask for (a case's requests, uploads and shares).
MAX_PREFIXES = 200

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditRecordOut(BaseModel):
    """One record exactly as hashed: enough to recompute its hash and its link offline."""

    seq: int
    time: str = Field(description="UTC, milliseconds, as the chain hashes it (…Z)")
    actor: str
    action: str
    object: str
    outcome: str
    source: str
    case_ref: str
    justification: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, row: AuditRecord) -> AuditRecordOut:
        return cls(seq=row.seq, time=format_time(row.at), actor=row.actor, action=row.action,
                   object=row.object, outcome=row.outcome, source=row.source,
                   case_ref=row.case_ref, justification=row.justification,
                   prev_hash=row.prev_hash, hash=row.hash)


class ChainHead(BaseModel):
    seq: int
    hash: str


class AuditPage(BaseModel):
    records: list[AuditRecordOut]
    more: bool = Field(description="More records match after the last one: ask again with "
                                   "after=<its seq>")
    head: ChainHead = Field(description="The whole chain's newest record when this was read")
    read_at: datetime


@router.get("", response_model=AuditPage,
            responses={422: {"description": "neither case_ref nor object given"}})
def read_audit(
    user: AnalystUser, session: SessionDep, services: ServicesDep, source: SourceDep,
    case_ref: Annotated[str | None, Query(max_length=120,
                                          description="Records of this case")] = None,
    object_: Annotated[list[str] | None, Query(
        alias="object", max_length=MAX_PREFIXES,
        description="Object prefixes, e.g. upload:<id>, request:<id>, share:<id> (repeatable)",
    )] = None,
    after: Annotated[int, Query(ge=0, description="Only records after this sequence number")] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> AuditPage:
    """Records whose case reference is ``case_ref`` or whose object starts with one of the
    ``object`` prefixes, oldest first. Reading the trail is itself audited (``audit.read``)."""
    prefixes = [p for p in (object_ or []) if p.strip()]
    if not case_ref and not prefixes:
        raise HTTPException(422, detail="give a case_ref or at least one object prefix")
    if any(len(p) > 300 for p in prefixes):
        raise HTTPException(422, detail="an object prefix is longer than any object (300)")
    wanted = [AuditRecord.object.startswith(p, autoescape=True) for p in prefixes]
    if case_ref:
        wanted.append(AuditRecord.case_ref == case_ref)
    rows = list(session.scalars(
        select(AuditRecord).where(AuditRecord.seq > after, or_(*wanted))
        .order_by(AuditRecord.seq).limit(limit + 1)))
    head = session.get(AuditHead, 1)
    head_out = (ChainHead(seq=head.seq, hash=head.hash) if head
                else ChainHead(seq=0, hash=GENESIS_HASH))
    asked = f"audit case={case_ref or '*'} objects={','.join(prefixes) or '*'} after={after}"
    services.audit(session, actor=f"analyst:{user.username}", action="audit.read",
                   object=asked[:300], source=source, case_ref=case_ref or "")
    session.commit()
    return AuditPage(records=[AuditRecordOut.of(r) for r in rows[:limit]], more=len(rows) > limit,
                     head=head_out, read_at=datetime.now(UTC))
