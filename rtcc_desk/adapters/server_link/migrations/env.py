"""Alembic environment of the server-link database (registry cache, audit outbox)."""

from alembic import context

from rtcc_desk.adapters.server_link.storage import Base
from rtcc_db.engine import run_migrations_online

run_migrations_online(context, Base.metadata)
