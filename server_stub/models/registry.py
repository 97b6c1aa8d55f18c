"""Camera owners and their registered cameras (locations only: the RTCC never sees live video)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server_stub.models.base import Base
from server_stub.models.types import UtcDateTime, new_id


class Owner(Base):
    """A resident or business who registered cameras."""

    __tablename__ = "owners"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    # A new address the owner asked for: used only once its emailed link is confirmed.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_channel: Mapped[str] = mapped_column(String(10), default="email")  # email | sms
    address: Mapped[str] = mapped_column(String(300))
    is_business: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reconfirm_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cameras: Mapped[list[CameraRegistration]] = relationship(back_populates="owner")


class CameraRegistration(Base):
    """One registered camera. ``sync_version`` grows with every change so desks pull only changes."""

    __tablename__ = "camera_registrations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("owners.id"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    bearing: Mapped[float | None] = mapped_column(Float)
    fov: Mapped[float] = mapped_column(Float, default=90.0)
    range_m: Mapped[float] = mapped_column(Float, default=30.0)
    sees: Mapped[str] = mapped_column(Text, default="")
    recorder_type: Mapped[str] = mapped_column(String(30))
    retention_days: Mapped[float | None] = mapped_column(Float)
    # pending_verification | active | withdrawn | lapsed
    status: Mapped[str] = mapped_column(String(24), index=True)
    sync_version: Mapped[int] = mapped_column(Integer, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    owner: Mapped[Owner] = relationship(back_populates="cameras")


class SyncCounter(Base):
    """The registry's change counter (one row); each change takes the next number."""

    __tablename__ = "sync_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class OwnerLinkToken(Base):
    """Emailed links for owners (verify, manage): only a hash of the token is stored."""

    __tablename__ = "owner_link_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("owners.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # verify | manage | reconfirm | email
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
