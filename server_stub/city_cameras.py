"""City cameras on the server: inventory upserts, review decisions, unmasked views, their audit.

The rules themselves (what sends a camera back to pending, what a decision needs) are the
desk's core ``rtcc_desk.core.privacy_review``; this module applies them to the database, audits
each step in the same transaction and queues a ``city_camera.change`` event for the desks.
Stream URLs may carry passwords: they are compared by target (``stream_target``, no user or
password) and never written whole to the audit trail, an event or a log line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rtcc_desk.core.cameras import PoleCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.privacy_review import (
    UNMASKED_VIEW_LIMIT,
    PrivacyReview,
    ReviewDecision,
    after_inventory_edit,
    check_justification,
    check_masks,
    masks_as_lists,
    unmasked_view_ends_by,
)
from server_stub import events
from server_stub.models.city_cameras import CityCamera, UnmaskedView
from server_stub.models.registry import SyncCounter
from server_stub.registry import next_sync_version
from server_stub.services import Services

EVENT_KIND = "city_camera.change"
#: ``end_reason`` of an unmasked view.
ENDED, TIME_LIMIT, RESTARTED = "ended", "time_limit", "restarted"


class CityCameraRefused(Exception):
    """An action on a city camera the rules do not allow; ``status`` is the HTTP answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class InventoryEntry:
    """One camera of an inventory upload; ``masks_given`` False keeps the masks on the server."""

    camera: PoleCamera
    masks_given: bool = False


@dataclass
class InventoryReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: camera id → why it went back to pending (new cameras are in ``created`` only)
    sent_to_review: dict[str, tuple[str, ...]] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (f"{len(self.created)} new (pending review), {len(self.updated)} changed, "
                f"{len(self.sent_to_review)} sent back to review, {len(self.withdrawn)} withdrawn, "
                f"{len(self.unchanged)} unchanged")


def camera_of(row: CityCamera) -> PoleCamera:
    """The row as the desk's core record."""
    return PoleCamera(
        camera_id=row.id, name=row.name, location=LatLon(row.lat, row.lon),
        view=View(row.bearing, row.fov, row.range_m), retention_days=row.retention_days,
        withdrawn=row.withdrawn, pole_id=row.pole_id, position_on_pole=row.position,
        main_stream_url=row.main_stream_url, sub_stream_url=row.sub_stream_url,
        privacy_review=PrivacyReview(row.review_state), privacy_masks=check_masks(row.masks),
    )


def take_sync_versions(session: Session, count: int) -> int:
    """The first of ``count`` consecutive registry change numbers (one lock of the counter)."""
    first = next_sync_version(session)
    if count > 1:
        session.get(SyncCounter, 1).value = first + count - 1  # still locked until commit
        session.flush()
    return first


def _write(row: CityCamera, camera: PoleCamera) -> None:
    assert camera.location is not None
    row.pole_id, row.position, row.name = camera.pole_id, camera.position_on_pole, camera.name
    row.lat, row.lon = camera.location.lat, camera.location.lon
    row.bearing, row.fov, row.range_m = camera.view.bearing, camera.view.fov, camera.view.range_m
    row.retention_days, row.withdrawn = camera.retention_days, camera.withdrawn
    row.main_stream_url, row.sub_stream_url = camera.main_stream_url, camera.sub_stream_url
    row.review_state = camera.privacy_review.value
    row.masks = masks_as_lists(camera.privacy_masks)


def publish_change(session: Session, row: CityCamera) -> None:
    """Tell the desks: a wall drops a camera that is no longer in service at once."""
    events.publish(session, EVENT_KIND, row.id, {
        "camera_id": row.id, "sync_version": row.sync_version, "review_state": row.review_state,
        "in_service": row.review_state == PrivacyReview.APPROVED and not row.withdrawn,
        "withdrawn": row.withdrawn, "masks": row.masks, "pending_reason": row.pending_reason,
    })


def upsert_inventory(session: Session, services: Services, entries: list[InventoryEntry], *,
                     actor: str, source: str, now: datetime) -> InventoryReport:
    """Create or update each camera; an import never approves. Cameras not listed are left
    as they are (withdraw one by sending it with ``withdrawn: true``)."""
    ids = [e.camera.camera_id for e in entries]
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        raise CityCameraRefused(422, f"camera ids listed twice: {', '.join(duplicates[:10])}")
    rows = _rows_by_id(session, ids)
    report = InventoryReport()
    planned: list[tuple[CityCamera | None, PoleCamera, tuple[str, ...]]] = []
    for entry in entries:
        row = rows.get(entry.camera.camera_id)
        before = camera_of(row) if row is not None else None
        incoming = entry.camera
        if before is not None and not entry.masks_given:
            incoming = replace(incoming, privacy_masks=before.privacy_masks)
        after, reasons = after_inventory_edit(before, incoming)
        if before is not None and before == after:
            report.unchanged.append(after.camera_id)
            continue
        planned.append((row, after, reasons))
    if not planned:
        return report
    version = take_sync_versions(session, len(planned))
    for offset, (row, after, reasons) in enumerate(planned):
        if row is None:
            row = CityCamera(id=after.camera_id, review_note="", reviewed_by=None)
            session.add(row)
            report.created.append(after.camera_id)
            row.pending_reason = "new camera"
        else:
            report.updated.append(after.camera_id)
            if after.withdrawn and not row.withdrawn:
                report.withdrawn.append(after.camera_id)
            if reasons:
                report.sent_to_review[after.camera_id] = reasons
                row.pending_reason = "; ".join(reasons)
                services.audit(session, actor=actor, action="city_camera.review_reset",
                               object=f"city_camera:{after.camera_id}", source=source,
                               justification=f"back to pending review: {row.pending_reason}")
        _write(row, after)
        row.sync_version, row.updated_at = version + offset, now
        publish_change(session, row)
    services.audit(session, actor=actor, action="city_camera.import", object="city_cameras",
                   source=source, justification=report.summary)
    session.flush()
    return report


def _rows_by_id(session: Session, ids: list[str], chunk: int = 500) -> dict[str, CityCamera]:
    found: dict[str, CityCamera] = {}
    for start in range(0, len(ids), chunk):
        for row in session.scalars(select(CityCamera).where(CityCamera.id.in_(ids[start:start + chunk]))):
            found[row.id] = row
    return found


def record_decision(session: Session, services: Services, decision: ReviewDecision, *,
                    seen_version: int, source: str, now: datetime) -> CityCamera:
    """Approve or reject what the reviewer saw. ``seen_version`` is the camera's sync version
    when the reviewer opened it: a camera re-aimed meanwhile shows something the reviewer never
    saw, so the decision is refused (409) and the reviewer opens it again."""
    row = session.get(CityCamera, decision.camera_id)
    actor = f"privacy_reviewer:{decision.reviewer}"
    if row is None:
        raise CityCameraRefused(404, f"no city camera {decision.camera_id}")
    refusal = None
    if row.withdrawn:
        refusal = (409, f"camera {row.id} is withdrawn from service; there is nothing to review")
    elif row.sync_version != seen_version:
        why = f" ({row.pending_reason})" if row.pending_reason else ""
        refusal = (409, f"camera {row.id} changed since you opened it{why}; open it again and "
                        "review what it shows now")
    if refusal is not None:
        services.audit(session, actor=actor, action="city_camera.review",
                       object=f"city_camera:{row.id}", outcome="failure", source=source,
                       justification=f"refused: {refusal[1]}")
        session.commit()
        raise CityCameraRefused(*refusal)
    row.review_state = decision.state.value
    row.masks = masks_as_lists(decision.masks)
    row.review_note, row.pending_reason = decision.note, ""
    row.reviewed_by, row.reviewed_at = decision.reviewer, now
    row.sync_version, row.updated_at = next_sync_version(session), now
    services.audit(session, actor=actor, action="city_camera.review",
                   object=f"city_camera:{row.id}", source=source, justification=decision.summary)
    publish_change(session, row)
    session.flush()
    return row


# ----- unmasked views ---------------------------------------------------------------------


def start_unmasked_view(session: Session, services: Services, camera_id: str, *, username: str,
                        justification: str, source: str, now: datetime) -> UnmaskedView:
    """Open an unmasked view for a supervisor. Their views left open past the limit are ended
    first (at start + limit), and an open view of the same camera is ended now (restarted)."""
    words = check_justification(justification)
    row = session.get(CityCamera, camera_id)
    if row is None:
        raise CityCameraRefused(404, f"no city camera {camera_id}")
    if row.withdrawn or row.review_state != PrivacyReview.APPROVED:
        state = "withdrawn" if row.withdrawn else f"{row.review_state} review"
        raise CityCameraRefused(409, f"camera {row.id} is not in service ({state}): no one may "
                                     "view it, masked or not")
    for view in _open_views(session, username=username):
        if unmasked_view_ends_by(view.started_at) <= now:
            _end(session, services, view, at=unmasked_view_ends_by(view.started_at),
                 reason=TIME_LIMIT, actor="system", source="")
        elif view.camera_id == camera_id:
            _end(session, services, view, at=now, reason=RESTARTED, actor=f"supervisor:{username}",
                 source=source)
    view = UnmaskedView(camera_id=row.id, username=username, justification=words,
                        source=source[:100], started_at=now)
    session.add(view)
    session.flush()
    services.audit(session, actor=f"supervisor:{username}", action="city_camera.unmasked_start",
                   object=f"city_camera:{row.id} view:{view.id}", source=source,
                   justification=words)
    return view


def end_unmasked_view(session: Session, services: Services, view_id: str, *, username: str,
                      source: str, now: datetime) -> UnmaskedView:
    """End a view (idempotent). One already past its limit ends at the limit, as housekeeping
    would have ended it."""
    view = session.get(UnmaskedView, view_id)
    if view is None:
        raise CityCameraRefused(404, f"no unmasked view {view_id}")
    if view.ended_at is None:
        limit = unmasked_view_ends_by(view.started_at)
        if limit <= now:
            _end(session, services, view, at=limit, reason=TIME_LIMIT, actor="system", source="")
        else:
            _end(session, services, view, at=now, reason=ENDED, actor=f"supervisor:{username}",
                 source=source)
    return view


def close_stale_unmasked_views(session: Session, services: Services, now: datetime) -> int:
    """Housekeeping: end every view left open past the limit, at start + limit."""
    stale = [v for v in _open_views(session) if unmasked_view_ends_by(v.started_at) <= now]
    for view in stale:
        _end(session, services, view, at=unmasked_view_ends_by(view.started_at), reason=TIME_LIMIT,
             actor="system", source="")
    return len(stale)


def _open_views(session: Session, username: str | None = None) -> list[UnmaskedView]:
    query = select(UnmaskedView).where(UnmaskedView.ended_at.is_(None))
    if username is not None:
        query = query.where(UnmaskedView.username == username)
    return list(session.scalars(query.order_by(UnmaskedView.started_at)))


def _end(session: Session, services: Services, view: UnmaskedView, *, at: datetime, reason: str,
         actor: str, source: str) -> None:
    view.ended_at, view.end_reason = at, reason
    minutes = (at - view.started_at).total_seconds() / 60
    why = {ENDED: "ended by the viewer", RESTARTED: "ended: the viewer opened it again",
           TIME_LIMIT: f"left open: ended at the {UNMASKED_VIEW_LIMIT.total_seconds() / 60:g}-minute "
                       "limit"}[reason]
    services.audit(session, actor=actor, action="city_camera.unmasked_end",
                   object=f"city_camera:{view.camera_id} view:{view.id}", source=source,
                   justification=f"{why}; viewer {view.username}; started "
                                 f"{view.started_at.isoformat()}, ended {at.isoformat()} "
                                 f"({minutes:.1f} min)")
    session.flush()
