"""City pole cameras with their privacy review, and supervisors' audited unmasked views."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server_stub.models.base import Base
from server_stub.models.types import UtcDateTime, new_id


class CityCamera(Base):
    """One camera on a city pole, as the inventory import gave it and the privacy reviewer left it.

    ``sync_version`` takes the registry's next change number on every change, so desks pull
    only what changed (``GET /api/city-cameras?since=``).
    """

    __tablename__ = "city_cameras"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pole_id: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1..3 on the pole
    name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    bearing: Mapped[float | None] = mapped_column(Float)
    fov: Mapped[float] = mapped_column(Float)
    range_m: Mapped[float] = mapped_column(Float)
    retention_days: Mapped[float | None] = mapped_column(Float)
    # May carry the camera's credentials: sent to signed-in desks only, never audited or logged.
    main_stream_url: Mapped[str] = mapped_column(Text, default="")
    sub_stream_url: Mapped[str] = mapped_column(Text, default="")
    review_state: Mapped[str] = mapped_column(String(10), index=True)  # pending | approved | rejected
    # [[[x, y], ...], ...]: polygons in fractions of the frame (rtcc_desk.core.privacy_review).
    masks: Mapped[list] = mapped_column(JSON, default=list)
    review_note: Mapped[str] = mapped_column(Text, default="")
    # Why it is pending again after an edit ("bearing 120° → 135°; masks changed"); "" otherwise.
    pending_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    sync_version: Mapped[int] = mapped_column(Integer, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UnmaskedView(Base):
    """A supervisor looking at a camera without its masks: who, why, from when until when.

    ``end_reason``: ``ended`` (the viewer closed it), ``time_limit`` (left open past the limit:
    ended at start + limit by housekeeping or the viewer's next start), ``restarted`` (the same
    viewer started the same camera again).
    """

    __tablename__ = "unmasked_views"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    camera_id: Mapped[str] = mapped_column(ForeignKey("city_cameras.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    justification: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    end_reason: Mapped[str | None] = mapped_column(String(20))
