"""Opening the store: engine set-up (SQLite WAL by default) and Alembic migration to head."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from rtcc_db import make_engine, migrate

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """The store cannot be opened or migrated."""


def open_store(url: str) -> sessionmaker[Session]:
    """Open (creating and migrating if needed) the store at ``url``."""
    try:
        # NORMAL durability: the desk's store is a cache the server can refill.
        engine = make_engine(url, synchronous="NORMAL")
        migrate(engine, MIGRATIONS)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        # ImportError: the URL names a database driver that is not installed
        raise StoreError(f"cannot open the store at {url}: {exc}") from exc
    return sessionmaker(engine, expire_on_commit=False)
