"""Loads the time-to-footage dashboard's records from the registry server.

Three listings over ``ServerClient.api`` (each audited by the server as a listing):
``GET /api/requests``, ``GET /api/uploads`` (each with its verdict in force) and
``GET /api/shares``, turned into the core's plain records. Blocking: run it off the GUI thread.

The server does not know when a 911 call came in; ``call_time`` looks a request's call
reference up in the desk's own call feed. The share listing gives the number of views and the
*last* view: the first view is taken from ``first_viewed_at`` when the server sends it, or from
the last view when there was exactly one; otherwise the share counts as viewed, time unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.core.dashboard import (
    DashboardRecords,
    RequestRecord,
    ReviewRecord,
    ShareRecord,
    UploadRecord,
)

#: The most rows one listing returns (the server's own cap).
LISTING_LIMIT = 5000

CallTime = Callable[[str], datetime | None]


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    # The server stores UTC; a bare time from an older server is read as UTC, not local.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def request_record(row: dict[str, Any], call_time: CallTime | None = None) -> RequestRecord:
    call_ref = row.get("call_ref") or ""
    return RequestRecord(
        request_id=row["id"], created_at=_time(row["created_at"]), status=row.get("status", ""),
        call_ref=call_ref, call_at=call_time(call_ref) if call_time and call_ref else None,
        opened_at=_time(row.get("opened_at")), answered_at=_time(row.get("answered_at")),
    )


def upload_record(row: dict[str, Any]) -> UploadRecord:
    return UploadRecord(
        upload_id=row["id"], request_id=row["request_id"], state=row.get("state", ""),
        completed_at=_time(row.get("completed_at")), classification=row.get("classification"),
    )


def review_record(row: dict[str, Any]) -> ReviewRecord | None:
    review = row.get("review")
    if not review:
        return None
    return ReviewRecord(upload_id=row["id"], verdict=review["verdict"], at=_time(review["at"]))


def share_record(row: dict[str, Any]) -> ShareRecord:
    views = int(row.get("views") or 0)
    first = _time(row.get("first_viewed_at"))
    if first is None and views == 1:
        first = _time(row.get("last_viewed_at"))
    return ShareRecord(share_id=row["id"], upload_id=row["upload_id"],
                       created_at=_time(row["created_at"]), first_viewed_at=first,
                       viewed=views > 0 or first is not None)


def load_dashboard_records(client: ServerClient, *, call_time: CallTime | None = None,
                           now: Callable[[], datetime] = lambda: datetime.now(UTC)
                           ) -> DashboardRecords:
    """Everything the dashboard needs, newest ``LISTING_LIMIT`` of each kind."""
    params = {"limit": LISTING_LIMIT}
    requests = client.api("GET", "/api/requests", params=params)
    uploads = client.api("GET", "/api/uploads", params=params)
    shares = client.api("GET", "/api/shares", params=params)
    reviews = (review_record(row) for row in uploads)
    return DashboardRecords(
        requests=tuple(request_record(row, call_time) for row in requests),
        uploads=tuple(upload_record(row) for row in uploads),
        reviews=tuple(r for r in reviews if r is not None),
        shares=tuple(share_record(row) for row in shares),
        loaded_at=now(),
    )


def dashboard_loader(client: ServerClient, *, call_time: CallTime | None = None
                     ) -> Callable[[], DashboardRecords]:
    """A no-argument loader for the dashboard pane's refresh button."""
    return lambda: load_dashboard_records(client, call_time=call_time)
