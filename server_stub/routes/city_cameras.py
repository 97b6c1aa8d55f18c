"""City pole cameras: inventory upserts (admin), sync for desks, privacy review decisions
(privacy reviewer) and audited unmasked views (supervisor)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select

from rtcc_desk.core.cameras import PoleCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.privacy_review import (
    MAX_JUSTIFICATION_CHARS,
    MAX_NOTE_CHARS,
    PrivacyReview,
    ReviewDecision,
    ReviewRefused,
    unmasked_view_ends_by,
)
from rtcc_desk.core.wall.stream_urls import check_stream_url, redact_url
from server_stub import city_cameras as logic
from server_stub.auth import require_role
from server_stub.deps import ServicesDep, SessionDep, SourceDep
from server_stub.models.city_cameras import CityCamera, UnmaskedView
from server_stub.models.users import User

router = APIRouter(tags=["city cameras"])

AdminUser = Annotated[User, Depends(require_role("admin"))]
#: Desks show every city camera (pending ones greyed out); reviewers work from the same list.
ListUser = Annotated[User, Depends(require_role("analyst", "supervisor", "admin", "privacy_reviewer"))]
ReviewerUser = Annotated[User, Depends(require_role("privacy_reviewer"))]
SupervisorUser = Annotated[User, Depends(require_role("supervisor"))]
OversightUser = Annotated[User, Depends(require_role("supervisor", "admin", "privacy_reviewer"))]

_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Corner = tuple[float, float]


def _now() -> datetime:
    return datetime.now(UTC)


class CityCameraIn(BaseModel):
    """One camera of the pole inventory, as the desk's import reads it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID, description="The camera's id on every desk, e.g. SPT-P001-1")
    pole_id: str = Field(pattern=_ID)
    position: int = Field(ge=1, le=3, description="Place on the pole, 1..3")
    name: str = Field("", max_length=200)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    bearing: float | None = None
    fov: float = 90.0
    range_m: float = 150.0
    retention_days: float | None = None
    main_stream_url: str = Field("", max_length=2000)
    sub_stream_url: str = Field("", max_length=2000)
    masks: list[list[Corner]] | None = Field(
        None, description="Polygons in fractions of the frame; null keeps the server's masks")
    withdrawn: bool = False

    @field_validator("main_stream_url", "sub_stream_url")
    @classmethod
    def _stream_url(cls, url: str) -> str:
        """An address a wall can play (the wall's own check), or empty (not known yet)."""
        url = url.strip()
        if not url:
            return url
        try:
            return check_stream_url(url)
        except ValueError as exc:
            # The answer never repeats the address, not even redacted: the user name stays in.
            reason = str(exc).replace(repr(redact_url(url)), "").strip(" :")
            if "@" in reason or not reason:
                reason = "is not an address a wall can play"
            joiner = " " if reason.split(" ", 1)[0] in ("is", "has", "contains", "names") else ": "
            raise ValueError(f"the address{joiner}{reason}") from None

    @model_validator(mode="after")
    def _valid_camera(self) -> CityCameraIn:
        self.camera()  # the desk's own rules: view, position, masks
        return self

    def camera(self) -> PoleCamera:
        return PoleCamera(
            camera_id=self.id, name=self.name, location=LatLon(self.lat, self.lon),
            view=View(self.bearing, self.fov, self.range_m), retention_days=self.retention_days,
            withdrawn=self.withdrawn, pole_id=self.pole_id, position_on_pole=self.position,
            main_stream_url=self.main_stream_url, sub_stream_url=self.sub_stream_url,
            privacy_masks=self.masks or (),
        )


class InventoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cameras: list[CityCameraIn] = Field(min_length=1, max_length=5000)


class SentToReview(BaseModel):
    camera_id: str
    reasons: list[str]


class InventoryOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    withdrawn: int
    sent_to_review: list[SentToReview]


class CityCameraOut(BaseModel):
    """A camera as desks and reviewers see it; ``in_service`` says it may appear on a wall."""

    id: str
    present: bool  # False: withdrawn, drop it from the desk
    in_service: bool
    sync_version: int
    pole_id: str
    position: int
    name: str
    lat: float
    lon: float
    bearing: float | None
    fov: float
    range_m: float
    retention_days: float | None
    main_stream_url: str
    sub_stream_url: str
    review_state: str
    masks: list[list[Corner]]
    review_note: str
    pending_reason: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, row: CityCamera) -> CityCameraOut:
        present = not row.withdrawn
        return cls(
            id=row.id, present=present, sync_version=row.sync_version,
            in_service=present and row.review_state == PrivacyReview.APPROVED,
            pole_id=row.pole_id, position=row.position, name=row.name, lat=row.lat, lon=row.lon,
            bearing=row.bearing, fov=row.fov, range_m=row.range_m,
            retention_days=row.retention_days,
            # A withdrawn camera's credentials stay on the server.
            main_stream_url=row.main_stream_url if present else "",
            sub_stream_url=row.sub_stream_url if present else "",
            review_state=row.review_state, masks=row.masks or [], review_note=row.review_note,
            pending_reason=row.pending_reason, reviewed_by=row.reviewed_by,
            reviewed_at=row.reviewed_at, updated_at=row.updated_at,
        )


class CityCamerasPage(BaseModel):
    cursor: int
    more: bool
    cameras: list[CityCameraOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=MAX_NOTE_CHARS, description="Required to reject")
    masks: list[list[Corner]] | None = Field(
        None, description="The masks the camera goes live with; null keeps the current ones")
    seen_version: int = Field(ge=0, description="The camera's sync_version the reviewer looked at")


class UnmaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    justification: str = Field(max_length=MAX_JUSTIFICATION_CHARS)


class UnmaskedViewOut(BaseModel):
    id: str
    camera_id: str
    username: str
    justification: str
    started_at: datetime
    ends_by: datetime  # the desk shows the camera masked again from then on
    ended_at: datetime | None
    end_reason: str | None

    @classmethod
    def of(cls, view: UnmaskedView) -> UnmaskedViewOut:
        return cls(id=view.id, camera_id=view.camera_id, username=view.username,
                   justification=view.justification, started_at=view.started_at,
                   ends_by=unmasked_view_ends_by(view.started_at), ended_at=view.ended_at,
                   end_reason=view.end_reason)


def _refused(exc: logic.CityCameraRefused) -> HTTPException:
    return HTTPException(exc.status, detail=exc.detail)


@router.post("/api/city-cameras/inventory", response_model=InventoryOut)
def upsert_inventory(body: InventoryIn, user: AdminUser, session: SessionDep,
                     services: ServicesDep, source: SourceDep) -> InventoryOut:
    """Create or update the listed cameras (others are left alone). New cameras, and edits that
    change what a camera shows, are pending review until a privacy reviewer decides."""
    entries = [logic.InventoryEntry(item.camera(), masks_given=item.masks is not None)
               for item in body.cameras]
    try:
        report = logic.upsert_inventory(session, services, entries, actor=f"admin:{user.username}",
                                        source=source, now=_now())
    except logic.CityCameraRefused as exc:
        raise _refused(exc) from None
    session.commit()
    return InventoryOut(
        created=len(report.created), updated=len(report.updated), unchanged=len(report.unchanged),
        withdrawn=len(report.withdrawn),
        sent_to_review=[SentToReview(camera_id=k, reasons=list(v))
                        for k, v in report.sent_to_review.items()],
    )


@router.get("/api/city-cameras", response_model=CityCamerasPage)
def list_city_cameras(
    user: ListUser, session: SessionDep,
    since: Annotated[int, Query(ge=0, description="The cursor of the last sync (0: everything)")] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    review_state: Annotated[PrivacyReview | None, Query(description="Only cameras in this state")] = None,
) -> CityCamerasPage:
    query = select(CityCamera).where(CityCamera.sync_version > since)
    if review_state is not None:
        query = query.where(CityCamera.review_state == review_state.value)
    rows = list(session.scalars(query.order_by(CityCamera.sync_version).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return CityCamerasPage(cursor=rows[-1].sync_version if rows else since, more=more,
                           cameras=[CityCameraOut.of(r) for r in rows])


@router.get("/api/city-cameras/{camera_id}", response_model=CityCameraOut)
def get_city_camera(camera_id: str, user: ListUser, session: SessionDep) -> CityCameraOut:
    row = session.get(CityCamera, camera_id)
    if row is None:
        raise HTTPException(404, detail=f"no city camera {camera_id}")
    return CityCameraOut.of(row)


@router.post("/api/city-cameras/{camera_id}/review", response_model=CityCameraOut)
def review(camera_id: str, body: DecisionIn, user: ReviewerUser, session: SessionDep,
           services: ServicesDep, source: SourceDep) -> CityCameraOut:
    """Approve (with the masks it goes live with) or reject (with a note) what the camera shows."""
    row = session.get(CityCamera, camera_id)
    masks = body.masks if body.masks is not None else (row.masks if row is not None else [])
    try:
        decision = ReviewDecision(camera_id=camera_id, approve=body.decision == "approve",
                                  reviewer=user.username, note=body.note, masks=masks)
    except ReviewRefused as exc:  # a MaskError is one too
        raise HTTPException(422, detail=str(exc)) from None
    try:
        row = logic.record_decision(session, services, decision, seen_version=body.seen_version,
                                    source=source, now=_now())
    except logic.CityCameraRefused as exc:
        raise _refused(exc) from None
    session.commit()
    return CityCameraOut.of(row)


@router.post("/api/city-cameras/{camera_id}/unmasked-views", status_code=201,
             response_model=UnmaskedViewOut)
def start_unmasked_view(camera_id: str, body: UnmaskIn, user: SupervisorUser, session: SessionDep,
                        services: ServicesDep, source: SourceDep) -> UnmaskedViewOut:
    """Start viewing a camera without its masks: supervisors only, with a justification; the
    start and the end are audited, and the view ends by itself after the limit."""
    try:
        view = logic.start_unmasked_view(session, services, camera_id, username=user.username,
                                         justification=body.justification, source=source,
                                         now=_now())
    except ReviewRefused as exc:
        raise HTTPException(422, detail=str(exc)) from None
    except logic.CityCameraRefused as exc:
        raise _refused(exc) from None
    session.commit()
    return UnmaskedViewOut.of(view)


@router.post("/api/unmasked-views/{view_id}/end", response_model=UnmaskedViewOut)
def end_unmasked_view(view_id: str, user: SupervisorUser, session: SessionDep,
                      services: ServicesDep, source: SourceDep) -> UnmaskedViewOut:
    try:
        view = logic.end_unmasked_view(session, services, view_id, username=user.username,
                                       source=source, now=_now())
    except logic.CityCameraRefused as exc:
        raise _refused(exc) from None
    session.commit()
    return UnmaskedViewOut.of(view)


@router.get("/api/unmasked-views", response_model=list[UnmaskedViewOut])
def list_unmasked_views(
    user: OversightUser, session: SessionDep,
    open_only: Annotated[bool, Query(description="Only views not yet ended")] = False,
    camera_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[UnmaskedViewOut]:
    """Unmasked views, newest first: for supervisors, admins and privacy reviewers to oversee."""
    query = select(UnmaskedView).order_by(UnmaskedView.started_at.desc()).limit(limit)
    if open_only:
        query = query.where(UnmaskedView.ended_at.is_(None))
    if camera_id:
        query = query.where(UnmaskedView.camera_id == camera_id)
    return [UnmaskedViewOut.of(v) for v in session.scalars(query)]
