"""POST /api/audit/desk: analysts' desks deliver the audit records they queued, in order, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from server_stub import desk_audit
from server_stub.auth import StaffUser
from server_stub.deps import ServicesDep, SourceDep

#: Records per request; a desk with a longer queue sends several batches, oldest first.
MAX_BATCH = 500
#: A desk's clock may run this far ahead of the server's before its records are refused.
CLOCK_SKEW = timedelta(minutes=5)

router = APIRouter(prefix="/api/audit", tags=["audit"])


class DeskRecordIn(BaseModel):
    """One analyst action as the desk recorded it, the moment it happened."""

    model_config = ConfigDict(extra="forbid")

    client_id: UUID = Field(description="Made by the desk when it recorded the action; "
                                         "a replay reuses it")
    occurred_at: AwareDatetime = Field(description="When the analyst acted (with its time zone)")
    action: str = Field(max_length=60, description="One of the desk actions (see the docs)")
    object: str = Field(min_length=1, max_length=300,
                        description="What was touched, e.g. camera:REG-000123")
    case_ref: str = Field("", max_length=120)
    justification: str = Field("", max_length=2000)
    outcome: Literal["success", "failure"] = "success"

    @field_validator("action")
    @classmethod
    def _known_action(cls, value: str) -> str:
        if value not in desk_audit.DESK_ACTIONS:
            raise PydanticCustomError(
                "unknown_action", "unknown action {action}; a desk may report: {allowed}",
                {"action": repr(value), "allowed": ", ".join(desk_audit.DESK_ACTIONS)},
            )
        return value

    @field_validator("occurred_at")
    @classmethod
    def _not_in_future(cls, value: datetime) -> datetime:
        if value > datetime.now(UTC) + CLOCK_SKEW:
            raise PydanticCustomError(
                "in_future", "lies in the future: check the workstation's clock", {}
            )
        return value


class DeskBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[DeskRecordIn] = Field(min_length=1, max_length=MAX_BATCH)

    @field_validator("records")
    @classmethod
    def _distinct_ids(cls, value: list[DeskRecordIn]) -> list[DeskRecordIn]:
        if len({r.client_id for r in value}) != len(value):
            raise PydanticCustomError(
                "repeated_id", "the same client_id appears twice in one batch", {})
        return value


class ReceiptOut(BaseModel):
    client_id: UUID
    seq: Annotated[int, Field(description="The record's number in the audit trail")]
    duplicate: Annotated[bool, Field(description="Already appended by an earlier delivery")]


class DeskBatchOut(BaseModel):
    receipts: list[ReceiptOut]


@router.post(
    "/desk", response_model=DeskBatchOut,
    responses={409: {"description": "a record id belongs to another account's record"},
               422: {"description": "a record is malformed or names an unknown action"}},
)
def append_desk_records(
    body: DeskBatchIn, user: StaffUser, services: ServicesDep, source: SourceDep
) -> DeskBatchOut:
    """Append each record to the audit trail as ``analyst:<you>``, in the order given.

    Idempotent by ``client_id``: a record already appended is not appended again, and its
    receipt carries the sequence number it got the first time (``duplicate`` true).
    """
    records = [
        desk_audit.DeskRecord(
            client_id=str(r.client_id), occurred_at=r.occurred_at.astimezone(UTC), action=r.action,
            object=r.object, case_ref=r.case_ref, justification=r.justification, outcome=r.outcome,
        )
        for r in body.records
    ]
    try:
        receipts = desk_audit.append_batch(services.sessions, services, username=user.username,
                                           records=records, source=source)
    except desk_audit.ClientIdTaken as exc:
        raise HTTPException(409, detail=str(exc)) from None
    return DeskBatchOut(receipts=[ReceiptOut(client_id=UUID(r.client_id), seq=r.seq,
                                             duplicate=r.duplicate) for r in receipts])
