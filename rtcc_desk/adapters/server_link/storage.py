"""The desk's server-link database: registry cache, sync state and the audit outbox (SQLite).

A file of its own, beside the desk's store rather than inside it: the outbox needs
synchronous=FULL (an analyst's action is recorded before the desk acts on it) where the store
is a refillable cache at NORMAL, the registry copy can be thrown away to force a full resync
without touching imported cameras or calls, and the two keep their own Alembic histories
(one ``alembic_version`` table per file). Revision ids start ``link_`` so a mix-up fails loudly.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from rtcc_db import make_engine, migrate
from rtcc_db.types import UtcDateTime
from rtcc_desk.adapters.server_link.errors import LinkStoreError

MIGRATIONS = Path(__file__).parent / "migrations"
FILE_NAME = "server-link.sqlite3"


class Base(DeclarativeBase):
    pass


class RegistryCameraRow(Base):
    """A registered camera as the server last described it (present ones only)."""

    __tablename__ = "registry_cameras"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # business | residential | edge_channel
    label: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    bearing: Mapped[float | None] = mapped_column(Float)
    fov: Mapped[float] = mapped_column(Float)
    range_m: Mapped[float] = mapped_column(Float)
    recorder_type: Mapped[str] = mapped_column(String(30), default="unknown")
    retention_days: Mapped[float | None] = mapped_column(Float)
    # Edge channels only: which business edge box records it, and its channel 1..4.
    edge_box_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[int | None] = mapped_column(Integer)
    sync_version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RegistrySyncState(Base):
    """One row: which server, how far the copy goes (cursor), when it last matched the server."""

    __tablename__ = "registry_sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str] = mapped_column(String(300), default="")
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    """An analyst action waiting for (or done with) delivery to the server's audit trail."""

    __tablename__ = "audit_outbox"

    # Local order: delivery goes by this, oldest first.
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(60))
    object: Mapped[str] = mapped_column(String(300))
    case_ref: Mapped[str] = mapped_column(String(120), default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    state: Mapped[str] = mapped_column(String(12), index=True)  # queued | delivered | rejected
    server_seq: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str] = mapped_column(Text, default="")


def open_link_database(url: str) -> sessionmaker[Session]:
    """Open (creating and migrating) the server-link database at ``url``."""
    try:
        # FULL: a recorded audit action must survive a power cut before the desk goes on.
        engine = make_engine(url, synchronous="FULL")
        migrate(engine, MIGRATIONS)
    except (SQLAlchemyError, CommandError, OSError, ImportError) as exc:
        raise LinkStoreError(f"cannot open the server-link database at {url}: {exc}") from exc
    return sessionmaker(engine, expire_on_commit=False)
