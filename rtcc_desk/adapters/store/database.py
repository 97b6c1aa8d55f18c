"""Opening the store: engine set-up (SQLite WAL by default) and Alembic migration to head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """The store cannot be opened or migrated."""


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite files get WAL, foreign keys and their folder created."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the desk read while an import writes; NORMAL is durable enough for a cache
    # that the server can refill (evidence lives on the server, not here).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (safe to run every start)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(url: str) -> sessionmaker[Session]:
    """Open (creating and migrating if needed) the store at ``url``."""
    try:
        engine = make_engine(url)
        migrate(engine)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        # ImportError: the URL names a database driver that is not installed
        raise StoreError(f"cannot open the store at {url}: {exc}") from exc
    return sessionmaker(engine, expire_on_commit=False)
