"""Registry sync for desks: every camera change since a cursor, withdrawals included."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import select

from server_stub.auth import DeskUser
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.edge import EdgeChannel
from server_stub.models.registry import CameraRegistration, Owner

router = APIRouter(prefix="/api/registry", tags=["registry"])


class CameraChange(BaseModel):
    """A camera as the desk's map shows it; ``present`` False means remove it from the desk."""

    id: str
    present: bool
    sync_version: int
    kind: str | None = None  # business | residential | edge_channel
    label: str | None = None
    lat: float | None = None
    lon: float | None = None
    bearing: float | None = None
    fov: float | None = None
    range_m: float | None = None
    recorder_type: str | None = None
    retention_days: float | None = None
    # Only for kind edge_channel: which enrolled box, and its channel 1..4 (docs/edge-server.md).
    edge_box_id: str | None = None
    channel: int | None = None
    updated_at: datetime


class ChangesOut(BaseModel):
    cursor: int
    more: bool
    changes: list[CameraChange]


def camera_change(camera: CameraRegistration) -> CameraChange:
    """One registration as a desk sees it (used by the event stream)."""
    return CameraChange(**_change_fields(
        id=camera.id, status=camera.status, sync_version=camera.sync_version,
        is_business=camera.owner.is_business, label=camera.label, lat=camera.lat, lon=camera.lon,
        bearing=camera.bearing, fov=camera.fov, range_m=camera.range_m,
        recorder_type=camera.recorder_type, retention_days=camera.retention_days,
        updated_at=camera.updated_at,
    ))


def _change_fields(*, status: str, is_business: bool, edge_box_id: str | None = None,
                   channel: int | None = None, **row) -> dict:
    # Only verified, active registrations are on the analysts' map; anything else is a removal,
    # and a removal carries no location (a withdrawn owner's data leaves every desk).
    if status != "active":
        return {"id": row["id"], "present": False, "sync_version": row["sync_version"],
                "updated_at": row["updated_at"]}
    if edge_box_id is not None:
        # A business's edge recorder: the analyst can ask it for footage or live view at once.
        return {**row, "present": True, "kind": "edge_channel", "edge_box_id": edge_box_id,
                "channel": channel}
    return {**row, "present": True, "kind": "business" if is_business else "residential"}


_CHANGE_COLUMNS = (
    CameraRegistration.id, CameraRegistration.status, CameraRegistration.sync_version,
    Owner.is_business, CameraRegistration.label, CameraRegistration.lat, CameraRegistration.lon,
    CameraRegistration.bearing, CameraRegistration.fov, CameraRegistration.range_m,
    CameraRegistration.recorder_type, CameraRegistration.retention_days,
    CameraRegistration.updated_at, EdgeChannel.box_id.label("edge_box_id"), EdgeChannel.channel,
)
_CHANGES_JSON = TypeAdapter(ChangesOut)


@router.get("/changes", response_model=ChangesOut)
def changes(
    user: DeskUser, session: SessionDep,
    since: Annotated[int, Query(ge=0, description="The cursor of the last sync (0: everything)")] = 0,
    limit: Annotated[int, Query(ge=1, le=10000)] = 5000,
) -> Response:
    # Plain rows (one joined query, no ORM objects) serialised in one pass: a first sync of
    # 100k cameras is 20 pages, so per-camera overhead is what the desk waits for.
    rows = session.execute(
        select(*_CHANGE_COLUMNS).join(Owner, Owner.id == CameraRegistration.owner_id)
        .outerjoin(EdgeChannel, EdgeChannel.camera_id == CameraRegistration.id)
        .where(CameraRegistration.sync_version > since)
        .order_by(CameraRegistration.sync_version).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].sync_version if rows else since
    page = {"cursor": cursor, "more": more, "changes": [_change_fields(**r._mapping) for r in rows]}
    return Response(_CHANGES_JSON.dump_json(_CHANGES_JSON.validate_python(page)),
                    media_type="application/json")


class OwnerContact(BaseModel):
    camera_id: str
    name: str
    email: str
    phone: str
    preferred_channel: str
    address: str
    is_business: bool


@router.get("/cameras/{camera_id}/owner", response_model=OwnerContact)
def owner_contact(camera_id: str, user: DeskUser, session: SessionDep, services: ServicesDep,
                  source: SourceDep,
                  justification: Annotated[str, Query(min_length=3, max_length=500)]) -> OwnerContact:
    """The owner's contact details: private data, so a justification is required and audited."""
    camera = session.get(CameraRegistration, camera_id)
    if camera is None or camera.status != "active":
        raise HTTPException(404, detail="no such active camera")
    owner = camera.owner
    services.audit(session, actor=f"analyst:{user.username}", action="registry.owner_contact",
                   object=f"camera:{camera.id} owner:{owner.id}", source=source,
                   justification=justification)
    session.commit()
    return OwnerContact(camera_id=camera.id, name=owner.name, email=owner.email, phone=owner.phone,
                        preferred_channel=owner.preferred_channel, address=owner.address,
                        is_business=owner.is_business)
