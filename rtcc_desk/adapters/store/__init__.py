"""The desk's local store: SQLAlchemy models, Alembic migrations and camera/call persistence."""

from rtcc_desk.adapters.store.database import StoreError, open_store
from rtcc_desk.adapters.store.repository import (
    load_calls,
    load_cameras,
    save_calls,
    save_cameras,
)

__all__ = ["StoreError", "open_store", "load_calls", "load_cameras", "save_calls", "save_cameras"]
