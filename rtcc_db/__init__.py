"""Database plumbing shared by the desk's local store and the server: engines, migrations, UTC times."""

from rtcc_db.engine import make_engine, migrate
from rtcc_db.types import UtcDateTime

__all__ = ["UtcDateTime", "make_engine", "migrate"]
