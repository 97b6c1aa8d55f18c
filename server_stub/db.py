"""The server's database: SQLite (WAL, synchronous=FULL) or PostgreSQL, migrated on open."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import rtcc_db

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    # Evidence metadata and the audit trail live here: a commit must survive a power cut.
    return rtcc_db.make_engine(url, synchronous="FULL")


def migrate(engine: Engine) -> None:
    rtcc_db.migrate(engine, MIGRATIONS)


def open_database(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
