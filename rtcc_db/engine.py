"""Creating engines (SQLite tuned per use) and running a package's Alembic migrations to head."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event


def make_engine(url: str, *, synchronous: str = "NORMAL") -> Engine:
    """An engine for the URL; SQLite files get WAL, foreign keys and their folder created.

    ``synchronous`` is SQLite's durability: NORMAL for a cache that can be refilled, FULL
    where evidence and the audit trail live (a commit survives a power cut).
    """
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", partial(_sqlite_pragmas, synchronous=synchronous))
    return engine


def _sqlite_pragmas(dbapi_connection, _record, *, synchronous: str) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def migrate(engine: Engine, migrations: Path) -> None:
    """Bring the schema to the newest migration in ``migrations`` (safe on every start)."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def run_migrations_online(context, metadata) -> None:
    """The body of every migrations/env.py: run on the connection ``migrate`` hands over."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through rtcc_db.migrate(engine, folder)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
