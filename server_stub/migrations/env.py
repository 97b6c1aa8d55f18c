"""Alembic environment for the server: runs on the connection handed over by db.migrate()."""

from alembic import context

from server_stub.models import Base
from rtcc_db.engine import run_migrations_online

run_migrations_online(context, Base.metadata)
