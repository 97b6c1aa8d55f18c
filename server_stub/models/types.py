"""Column types shared by the server's tables."""

from __future__ import annotations

import uuid

from rtcc_db.types import UtcDateTime

__all__ = ["UtcDateTime", "new_id"]


def new_id() -> str:
    """A random identifier for a row that people may see (not guessable, not sequential)."""
    return uuid.uuid4().hex
