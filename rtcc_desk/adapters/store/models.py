"""Database tables for cameras and calls (SQLAlchemy 2 declarative models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rtcc_db.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class CameraRow(Base):
    """One camera of any kind; kind-specific columns are empty for the other kinds."""

    __tablename__ = "cameras"

    camera_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    bearing: Mapped[float | None] = mapped_column(Float)
    fov: Mapped[float] = mapped_column(Float)
    range_m: Mapped[float] = mapped_column(Float)
    retention_days: Mapped[float | None] = mapped_column(Float)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_ref: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    recorder_type: Mapped[str | None] = mapped_column(String(30))
    pole_id: Mapped[str | None] = mapped_column(String(60), index=True)
    position_on_pole: Mapped[int | None] = mapped_column(Integer)
    main_stream_url: Mapped[str | None] = mapped_column(Text)
    sub_stream_url: Mapped[str | None] = mapped_column(Text)
    privacy_review: Mapped[str | None] = mapped_column(String(20))
    edge_device_id: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CallRow(Base):
    """A call's latest merged state."""

    __tablename__ = "calls"

    call_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    type_code: Mapped[str] = mapped_column(String(60), default="")
    type_text: Mapped[str] = mapped_column(String(200), default="")
    common_code: Mapped[str | None] = mapped_column(String(30), index=True)
    priority_text: Mapped[str] = mapped_column(String(60), default="")
    priority_common: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    district: Mapped[str] = mapped_column(String(60), default="")
    beat: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")


class CallHistoryRow(Base):
    """An earlier version of a call, kept when an update merged into it."""

    __tablename__ = "call_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.call_id", ondelete="CASCADE"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    snapshot: Mapped[dict] = mapped_column(JSON)
