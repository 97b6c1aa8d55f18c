"""Analyst-side accounts, their bearer tokens and recent failed logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server_stub.models.base import Base
from server_stub.models.types import UtcDateTime, new_id


class User(Base):
    """A person at the RTCC (analyst, supervisor, privacy reviewer, admin)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[str] = mapped_column(String(100))  # space-separated role names
    # The base32 TOTP secret sealed with Fernet (totp_secrets.py) under a key file kept outside
    # the database: a copy of the database alone gives away no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    # The newest TOTP time step accepted: a code from that step or earlier is a replay.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def role_list(self) -> list[str]:
        return self.roles.split()


class AccessToken(Base):
    """A bearer token: only its hash is stored. Short-lived; refreshing rotates it."""

    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Refreshing never carries a token past this: a login lasts at most one shift.
    session_ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed login, kept by the name tried (known or not) for the lockout window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    source: Mapped[str] = mapped_column(String(100), default="")
