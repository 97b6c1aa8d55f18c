"""What each call-feed cell says: display text and tooltip per column (no Qt)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rtcc_desk.core.call_filter import CallColumn, priority_band
from rtcc_desk.core.calls import Call
from rtcc_desk.core.countdown import age_text, local_time_text


def chip_text(call: Call) -> str:
    """The priority chip: band word and the 0–10 number ("CRIT 9"), "?" when unknown."""
    band = priority_band(call.priority)
    common = call.priority.common
    return band.word if common is None else f"{band.word} {common}"


def type_text(call: Call) -> str:
    kind = call.call_type
    code = kind.common_code
    return f"{kind.label}  [{code}]" if code and code != kind.label else kind.label


def cell_text(call: Call, column: CallColumn, zone: tzinfo, now: datetime) -> str:
    if column is CallColumn.PRIORITY:
        local = call.priority.local_text
        return f"{chip_text(call)} · {local}" if local else chip_text(call)
    if column is CallColumn.TYPE:
        return type_text(call)
    if column is CallColumn.ADDRESS:
        address = call.address or "no address"
        return address if call.location is not None else f"{address}  (no fix)"
    if column is CallColumn.DISTRICT:
        return " / ".join(p for p in (call.district, call.beat) if p)
    if column is CallColumn.RECEIVED:
        return local_time_text(call.received_at, zone, now)
    if column is CallColumn.AGE:
        return age_text(call.received_at, now)
    if column is CallColumn.STATUS:
        return call.status
    return call.call_id


def tooltip(call: Call, column: CallColumn, zone: tzinfo) -> str:
    if column is CallColumn.PRIORITY:
        common = call.priority.common
        scale = "unknown" if common is None else f"{common} of 10"
        band = priority_band(call.priority).name.lower()
        local = f"local {call.priority.local_text}, " if call.priority.local_text else ""
        return f"Priority: {local}common {scale} ({band})"
    if column is CallColumn.ADDRESS and call.location is None:
        return "No usable location yet: cameras cannot be searched for this call."
    if column in (CallColumn.RECEIVED, CallColumn.AGE):
        local = call.received_at.astimezone(zone)
        updated = call.updated_at.astimezone(zone)
        return f"Received {local:%Y-%m-%d %H:%M:%S %Z}; updated {updated:%H:%M:%S}"
    if column is CallColumn.TYPE and call.notes:
        return call.notes
    return f"{call.call_id} · {len(call.history)} update(s)"
