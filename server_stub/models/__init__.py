"""All server tables; importing this package registers every one on ``Base.metadata``."""

from server_stub.models import audit, events, registry, requests, reviews, shares, uploads, users  # noqa: F401  (register the tables)
from server_stub.models.base import Base

__all__ = ["Base"]
