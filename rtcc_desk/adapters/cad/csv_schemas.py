"""The calls CSV layouts we know: Seattle's two exports, generic header spellings, and detection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rtcc_desk.adapters.tabular import LATITUDE_NAMES, LONGITUDE_NAMES, WKT_NAMES

#: The desk's own zone, for exports whose schema does not say where they come from.
DEFAULT_TIMEZONE = "America/Chicago"

#: Seattle Police priority (1 = most urgent) to the 0–10 common priority (10 = most urgent).
#: Spaced so the top of the scale stays distinct: 1 and 2 are emergencies, 7 is officer-initiated.
SEATTLE_PRIORITY = {"1": 10, "2": 8, "3": 6, "4": 4, "5": 3, "6": 2, "7": 1, "8": 0, "9": 0}

#: The fields a calls CSV can fill, as ``columns=`` names them.
FIELDS = (
    "call_id", "received_at", "updated_at", "call_type", "initial_call_type", "call_type_code",
    "priority", "status", "address", "latitude", "longitude", "location", "district", "beat",
    "notes",
)

#: Generic header spellings per field, most specific first (compared ignoring case, _ and spaces).
GENERIC_NAMES: dict[str, tuple[str, ...]] = {
    "call_id": ("call_id", "incident_id", "event_id", "cad_event_number", "incident_number",
                "call_number", "event_number", "id"),
    "received_at": ("received_at", "received", "received_time", "time_received", "call_received",
                    "created_at", "call_time", "time", "datetime"),
    "updated_at": ("updated_at", "updated", "last_update", "last_updated", "update_time"),
    "call_type": ("call_type", "type", "incident_type", "event_type", "nature", "final_call_type"),
    "initial_call_type": ("initial_call_type", "initial_type"),
    "call_type_code": ("call_type_code", "type_code", "incident_type_code"),
    "priority": ("priority", "call_priority"),
    "status": ("status", "call_status", "disposition"),
    "address": ("address", "location_text", "street_address", "block_address"),
    "latitude": LATITUDE_NAMES,
    "longitude": LONGITUDE_NAMES,
    # A "Location" column may hold coordinates or address text; the row reader tells them apart.
    "location": ("incident_location", *WKT_NAMES),
    "district": ("district", "precinct", "sector"),
    "beat": ("beat", "zone"),
    "notes": ("notes", "comments", "narrative", "remarks"),
}


@dataclass(frozen=True)
class CallsSchema:
    """A known CAD export: how to recognise it, which column is which, and its home zone."""

    name: str
    signature: frozenset[str]
    columns: Mapping[str, str]
    timezone: str | None = None
    priority_scale: Mapping[str, int] | None = None
    #: Extra columns kept as "Header: value" lines in the call notes.
    note_columns: tuple[str, ...] = ()
    #: Columns holding other times of the row; the earliest stands in for a missing received time.
    other_times: tuple[str, ...] = ()


# Seattle's "Call Data": one row per call, queued time and arrival time.
SEATTLE_CALL_DATA = CallsSchema(
    name="Seattle Police Call Data",
    signature=frozenset({"CAD Event Number", "Original Time Queued", "Final Call Type"}),
    columns={
        "call_id": "CAD Event Number", "received_at": "Original Time Queued",
        "updated_at": "Arrived Time", "initial_call_type": "Initial Call Type",
        "call_type": "Final Call Type", "priority": "Priority",
        "status": "Event Clearance Description", "district": "Sector", "beat": "Beat",
        "latitude": "Blurred_Latitude", "longitude": "Blurred_Longitude",
    },
    timezone="America/Los_Angeles",
    priority_scale=SEATTLE_PRIORITY,
    # Seattle's own "Call Type" is how the call came in (911, ONVIEW...), not what it is about.
    note_columns=("Call Type", "Precinct"),
)

# Seattle's retired "911 Incident Response": no queue time, so received falls back to At Scene.
SEATTLE_911_INCIDENT_RESPONSE = CallsSchema(
    name="Seattle Police 911 Incident Response (retired)",
    signature=frozenset({"CAD Event Number", "Event Clearance Date", "Initial Type Description"}),
    columns={
        "call_id": "CAD Event Number", "updated_at": "Event Clearance Date",
        "initial_call_type": "Initial Type Description",
        "call_type": "Event Clearance Description", "address": "Hundred Block Location",
        "district": "District/Sector", "beat": "Zone/Beat", "latitude": "Latitude",
        "longitude": "Longitude", "location": "Incident Location",
    },
    timezone="America/Los_Angeles",
    priority_scale=SEATTLE_PRIORITY,
    note_columns=("Event Clearance Group", "General Offense Number"),
    other_times=("At Scene Time",),
)

KNOWN_SCHEMAS = (SEATTLE_CALL_DATA, SEATTLE_911_INCIDENT_RESPONSE)


def detect_schema(header: list[str]) -> CallsSchema | None:
    """The known export whose signature columns are all present, if any."""
    present = {h.strip() for h in header}
    return next((s for s in KNOWN_SCHEMAS if s.signature <= present), None)
