"""All server tables; importing this package registers every one on ``Base.metadata``."""

from server_stub.models import (  # noqa: F401  (register the tables)
    audit,
    city_cameras,
    desk_audit,
    edge,
    events,
    registry,
    requests,
    reviews,
    shares,
    uploads,
    users,
)
from server_stub.models.base import Base

__all__ = ["Base"]
