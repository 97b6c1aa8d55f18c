"""Alembic environment: runs migrations on the connection the desk hands over."""

from alembic import context

from rtcc_desk.adapters.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through rtcc_desk.adapters.store.database.migrate()")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
