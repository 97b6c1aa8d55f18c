"""Writing calls to a CSV that ``import_calls_csv`` reads back (demo data, replays)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from rtcc_desk.core.calls import Call

#: Generic column names, each recognised by the CSV importer without a mapping.
CALL_CSV_COLUMNS = (
    "call_id", "received_at", "updated_at", "call_type", "call_type_code", "priority",
    "status", "address", "latitude", "longitude", "district", "beat", "notes",
)


def write_calls_csv(calls: Iterable[Call], path: Path | str) -> Path:
    """One row per message, in feed order; a call's updates repeat its id with later times."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CALL_CSV_COLUMNS)
        for call in calls:
            writer.writerow([
                call.call_id,
                call.received_at.isoformat(),
                call.updated_at.isoformat(),
                call.call_type.local_text,
                call.call_type.local_code,
                call.priority.local_text,
                call.status,
                call.address,
                f"{call.location.lat:.6f}" if call.location else "",
                f"{call.location.lon:.6f}" if call.location else "",
                call.district,
                call.beat,
                call.notes,
            ])
    return path
