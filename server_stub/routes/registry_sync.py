"""Registry sync for desks: every camera change since a cursor, withdrawals included."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server_stub.auth import DeskUser
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.registry import CameraRegistration

router = APIRouter(prefix="/api/registry", tags=["registry"])


class CameraChange(BaseModel):
    """A camera as the desk's map shows it; ``present`` False means remove it from the desk."""

    id: str
    present: bool
    sync_version: int
    kind: str | None = None  # business | residential
    label: str | None = None
    lat: float | None = None
    lon: float | None = None
    bearing: float | None = None
    fov: float | None = None
    range_m: float | None = None
    recorder_type: str | None = None
    retention_days: float | None = None
    updated_at: datetime


class ChangesOut(BaseModel):
    cursor: int
    more: bool
    changes: list[CameraChange]


def camera_change(camera: CameraRegistration) -> CameraChange:
    # Only verified, active registrations are on the analysts' map; anything else is a removal,
    # and a removal carries no location (a withdrawn owner's data leaves every desk).
    if camera.status != "active":
        return CameraChange(id=camera.id, present=False, sync_version=camera.sync_version,
                            updated_at=camera.updated_at)
    return CameraChange(
        id=camera.id, present=True, sync_version=camera.sync_version,
        kind="business" if camera.owner.is_business else "residential", label=camera.label,
        lat=camera.lat, lon=camera.lon, bearing=camera.bearing, fov=camera.fov,
        range_m=camera.range_m, recorder_type=camera.recorder_type,
        retention_days=camera.retention_days, updated_at=camera.updated_at,
    )


@router.get("/changes", response_model=ChangesOut)
def changes(
    user: DeskUser, session: SessionDep,
    since: Annotated[int, Query(ge=0, description="The cursor of the last sync (0: everything)")] = 0,
    limit: Annotated[int, Query(ge=1, le=10000)] = 5000,
) -> ChangesOut:
    rows = list(session.scalars(
        select(CameraRegistration).where(CameraRegistration.sync_version > since)
        .options(selectinload(CameraRegistration.owner))  # one query for owners, not one per camera
        .order_by(CameraRegistration.sync_version).limit(limit + 1)
    ))
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].sync_version if rows else since
    return ChangesOut(cursor=cursor, more=more, changes=[camera_change(c) for c in rows])


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
