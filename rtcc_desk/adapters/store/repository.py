"""Saving and loading cameras and calls: the only place that maps domain records to rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rtcc_desk.adapters.store.models import CallHistoryRow, CallRow, CameraRow
from rtcc_desk.core.calls import Call, CallType, Priority, merge_update
from rtcc_desk.core.cameras import (
    Camera,
    CameraKind,
    EdgeChannel,
    PoleCamera,
    PrivacyReview,
    RecorderType,
    RegisteredCamera,
    View,
)
from rtcc_desk.core.geo import LatLon


def save_cameras(session: Session, cameras: Iterable[Camera]) -> int:
    """Insert or replace cameras by id in one batched upsert; returns how many were written."""
    now = datetime.now(UTC)
    rows = [_camera_values(camera, now) for camera in cameras]
    _upsert(session, CameraRow, rows)
    session.commit()
    return len(rows)


def load_cameras(session: Session, *, include_withdrawn: bool = False) -> list[Camera]:
    query = select(CameraRow)
    if not include_withdrawn:
        query = query.where(CameraRow.withdrawn.is_(False))
    return [_camera_from_row(row) for row in session.scalars(query)]


def save_calls(session: Session, calls: Iterable[Call]) -> int:
    """Store calls; one already stored absorbs the new versions, so no import loses history.

    A status-only update imported after the original call keeps the call's address, type and
    location (``merge_update``); versions already stored are not added twice.
    """
    count = 0
    for call in calls:
        stored = _load_call(session, call.call_id)
        _write_call(session, call if stored is None else _absorb(stored, call))
        count += 1
    session.commit()
    return count


def _absorb(stored: Call, incoming: Call) -> Call:
    for version in (*incoming.history, dataclasses.replace(incoming, history=())):
        merged = merge_update(stored, version)
        seen_at = {stored.updated_at, *(h.updated_at for h in stored.history)}
        # A version with a time already stored that changes nothing is a re-import: skip it.
        # (Call equality leaves history out, so this compares the call's current state.)
        if version.updated_at in seen_at and merged == stored:
            continue
        stored = merged
    return stored


def _load_call(session: Session, call_id: str) -> Call | None:
    row = session.get(CallRow, call_id)
    if row is None:
        return None
    history = session.scalars(
        select(CallHistoryRow).where(CallHistoryRow.call_id == call_id).order_by(CallHistoryRow.id)
    )
    return dataclasses.replace(
        _call_from_row(row), history=tuple(_call_from_snapshot(h.snapshot) for h in history)
    )


def _write_call(session: Session, call: Call) -> None:
    session.execute(delete(CallHistoryRow).where(CallHistoryRow.call_id == call.call_id))
    session.merge(_call_row(call))
    session.flush()  # the call row must exist before its history rows point at it
    for earlier in call.history:
        session.add(
            CallHistoryRow(
                call_id=call.call_id, updated_at=earlier.updated_at, snapshot=_snapshot(earlier)
            )
        )


def load_calls(session: Session) -> list[Call]:
    history: dict[str, list[Call]] = {}
    for row in session.scalars(select(CallHistoryRow).order_by(CallHistoryRow.id)):
        history.setdefault(row.call_id, []).append(_call_from_snapshot(row.snapshot))
    return [
        dataclasses.replace(_call_from_row(row), history=tuple(history.get(row.call_id, ())))
        for row in session.scalars(select(CallRow).order_by(CallRow.received_at))
    ]


def _row_values(row) -> dict:
    return {c.name: getattr(row, c.name) for c in row.__table__.columns}


def _upsert(session: Session, model, rows: list[dict], chunk: int = 2000) -> None:
    """INSERT … ON CONFLICT DO UPDATE where the database has it (SQLite, PostgreSQL), else merge."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        for values in rows:
            session.merge(model(**values))
        return
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    statement = insert(table)  # Core, not ORM: one executemany per chunk, no per-row objects
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={c.name: statement.excluded[c.name] for c in table.columns}
    )
    connection = session.connection()
    for start in range(0, len(rows), chunk):
        connection.execute(statement, rows[start : start + chunk])


# ----- cameras ----------------------------------------------------------------------------------


#: Kind-specific columns; a camera of another kind leaves them empty.
_KIND_COLUMNS = (
    "owner_ref", "address", "recorder_type", "pole_id", "position_on_pole", "main_stream_url",
    "sub_stream_url", "privacy_review", "edge_device_id", "channel",
)


def _camera_values(camera: Camera, now: datetime) -> dict:
    """Column values for one camera (a plain dict: the batched insert needs no ORM objects)."""
    values = dict.fromkeys(_KIND_COLUMNS)
    values.update(
        camera_id=camera.camera_id,
        kind=camera.kind.value,
        name=camera.name,
        lat=camera.location.lat if camera.location else None,
        lon=camera.location.lon if camera.location else None,
        bearing=camera.view.bearing,
        fov=camera.view.fov,
        range_m=camera.view.range_m,
        retention_days=camera.retention_days,
        withdrawn=camera.withdrawn,
        updated_at=now,
    )
    if isinstance(camera, PoleCamera):
        values.update(
            pole_id=camera.pole_id,
            position_on_pole=camera.position_on_pole,
            main_stream_url=camera.main_stream_url,
            sub_stream_url=camera.sub_stream_url,
            privacy_review=camera.privacy_review.value,
        )
    elif isinstance(camera, RegisteredCamera):
        values.update(
            owner_ref=camera.owner_ref,
            address=camera.address,
            recorder_type=camera.recorder_type.value,
        )
    elif isinstance(camera, EdgeChannel):
        values.update(edge_device_id=camera.edge_device_id, channel=camera.channel)
    return values


def _camera_from_row(row: CameraRow) -> Camera:
    common = dict(
        camera_id=row.camera_id,
        name=row.name,
        location=LatLon(row.lat, row.lon) if row.lat is not None and row.lon is not None else None,
        view=View(row.bearing, row.fov, row.range_m),
        retention_days=row.retention_days,
        withdrawn=row.withdrawn,
    )
    kind = CameraKind(row.kind)
    if kind is CameraKind.CITY_POLE:
        return PoleCamera(
            **common,
            pole_id=row.pole_id or "",
            position_on_pole=row.position_on_pole or 0,
            main_stream_url=row.main_stream_url or "",
            sub_stream_url=row.sub_stream_url or "",
            privacy_review=PrivacyReview(row.privacy_review or PrivacyReview.PENDING),
        )
    if kind is CameraKind.EDGE_CHANNEL:
        return EdgeChannel(**common, edge_device_id=row.edge_device_id or "", channel=row.channel or 0)
    return RegisteredCamera(
        **common,
        owner_ref=row.owner_ref or "",
        address=row.address or "",
        recorder_type=RecorderType(row.recorder_type or RecorderType.UNKNOWN),
        is_business=kind is CameraKind.BUSINESS,
    )


# ----- calls ------------------------------------------------------------------------------------


def _call_row(call: Call) -> CallRow:
    return CallRow(
        call_id=call.call_id,
        received_at=call.received_at,
        updated_at=call.updated_at,
        type_code=call.call_type.local_code,
        type_text=call.call_type.local_text,
        common_code=call.call_type.common_code,
        priority_text=call.priority.local_text,
        priority_common=call.priority.common,
        status=call.status,
        address=call.address,
        lat=call.location.lat if call.location else None,
        lon=call.location.lon if call.location else None,
        district=call.district,
        beat=call.beat,
        notes=call.notes,
        source=call.source,
    )


def _call_from_row(row: CallRow) -> Call:
    return Call(
        call_id=row.call_id,
        received_at=row.received_at,
        updated_at=row.updated_at,
        call_type=CallType(row.type_code, row.type_text, row.common_code),
        priority=Priority(row.priority_text, row.priority_common),
        status=row.status,
        address=row.address,
        location=LatLon(row.lat, row.lon) if row.lat is not None and row.lon is not None else None,
        district=row.district,
        beat=row.beat,
        notes=row.notes,
        source=row.source,
    )


def _snapshot(call: Call) -> dict:
    """A JSON-safe copy of one earlier version of a call."""
    data = _row_values(_call_row(call))
    data["received_at"] = call.received_at.isoformat()
    data["updated_at"] = call.updated_at.isoformat()
    return data


def _call_from_snapshot(data: dict) -> Call:
    values = dict(data)
    values["received_at"] = datetime.fromisoformat(values["received_at"])
    values["updated_at"] = datetime.fromisoformat(values["updated_at"])
    return _call_from_row(CallRow(**values))
