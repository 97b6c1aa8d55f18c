"""Alembic environment: runs migrations on the connection the desk hands over."""

from alembic import context

from rtcc_desk.adapters.store.models import Base
from rtcc_db.engine import run_migrations_online

run_migrations_online(context, Base.metadata)
