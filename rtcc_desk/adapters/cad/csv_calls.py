"""Importing CAD calls for service from CSV exports (Seattle's two schemas and generic columns)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rtcc_desk.adapters.cad.call_type_rules import load_normaliser
from rtcc_desk.adapters.cad.csv_rows import CallRowReader
from rtcc_desk.adapters.cad.csv_schemas import (
    DEFAULT_TIMEZONE,
    FIELDS,
    GENERIC_NAMES,
    KNOWN_SCHEMAS,
    SEATTLE_PRIORITY,
    CallsSchema,
    detect_schema,
)
from rtcc_desk.adapters.cad.errors import CallsCsvError
from rtcc_desk.adapters.cad.times import zone
from rtcc_desk.adapters.tabular import AxisOrder, TabularError, find_column, open_csv
from rtcc_desk.core.call_types import CallTypeNormaliser
from rtcc_desk.core.calls import Call, CallBook
from rtcc_desk.core.rejections import ImportReport, Rejection, RowError

__all__ = [
    "DEFAULT_TIMEZONE", "KNOWN_SCHEMAS", "SEATTLE_PRIORITY", "CallsSchema", "detect_schema",
    "import_calls_csv",
]


def import_calls_csv(
    path: Path | str,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    home_timezone: str = DEFAULT_TIMEZONE,
    axis_order: AxisOrder = AxisOrder.LON_LAT,
    normaliser: CallTypeNormaliser | None = None,
    priority_scale: Mapping[str, int] | None = None,
) -> ImportReport[Call]:
    """Read a calls CSV; rows with the same call id merge into one call with its history.

    ``columns`` maps field names (see ``FIELDS``) to headers and overrides what was detected;
    an empty header switches a field off. ``timezone`` is the zone of times without an offset
    (default: the detected schema's zone, else ``home_timezone``, the desk's own zone).
    ``priority_scale`` maps local priority text to the 0–10 common priority (default: the
    detected schema's scale; where none is known the call type's hint is used). ``normaliser``
    defaults to our rules resource.

    Raises CallsCsvError when the file as a whole is unusable. A row without a call id or a
    readable time becomes a Rejection; a row whose position is unusable is kept with no usable
    location, and local times skipped or repeated by a clock change are kept; both are noted.
    """
    path = Path(path)
    try:
        with open_csv(path) as (header, rows):
            return _import_rows(
                path, header, rows, columns, timezone, home_timezone, axis_order, normaliser,
                priority_scale,
            )
    except TabularError as exc:
        raise CallsCsvError(str(exc)) from None


def _import_rows(
    path, header, rows, columns, timezone, home_timezone, axis_order, normaliser, priority_scale
) -> ImportReport[Call]:
    schema = detect_schema(header)
    mapping = _column_mapping(path, header, schema, columns)
    tz = zone(timezone or (schema.timezone if schema else None) or home_timezone)
    if priority_scale is None and schema is not None:
        priority_scale = schema.priority_scale
    own_normaliser = normaliser is None
    normaliser = load_normaliser() if normaliser is None else normaliser
    before = normaliser.stats()
    reader = CallRowReader(path, mapping, schema, tz, axis_order, normaliser, priority_scale or {})

    report: ImportReport[Call] = ImportReport()
    book = CallBook()
    row_count = 0
    for line, row in rows:
        row_count += 1
        if "__error__" in row:
            report.rejected.append(Rejection(str(path), line, "", row["__error__"]))
            continue
        try:
            for version in reader.versions(line, row):
                book.add(version)
        except RowError as exc:
            report.rejected.append(Rejection(str(path), line, exc.field, exc.reason))
    report.accepted = list(book)
    no_location = sum(1 for call in report.accepted if call.location is None)
    report.notes.append(f"schema: {schema.name if schema else 'generic columns'}; times in {tz}")
    report.notes.append(
        f"{row_count - len(report.rejected)} rows merged into {len(report.accepted)} calls; "
        f"{no_location} with no usable location"
    )
    report.notes.extend(reader.location_notes.lines())
    report.notes.extend(reader.time_notes.lines())
    after = normaliser.stats()
    # The unmapped bucket is reported, not hidden: a supervisor adds rules for what shows up here.
    report.notes.append(
        normaliser.summary() if own_normaliser else
        f"call types: {after.mapped - before.mapped} mapped, {after.unmapped - before.unmapped} "
        "unmapped (see the normaliser's unmapped counts)"
    )
    return report


def _column_mapping(
    path: Path, header: list[str], schema: CallsSchema | None, columns: Mapping[str, str] | None
) -> dict[str, str]:
    unknown = sorted(set(columns or {}) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown call fields {unknown}; known fields are {list(FIELDS)}")
    if schema is not None:
        mapping = {f: h for f, h in schema.columns.items() if h in header}
    else:
        found = {f: find_column(header, names) for f, names in GENERIC_NAMES.items()}
        mapping = {f: column for f, column in found.items() if column}
    for name, wanted in (columns or {}).items():
        if not wanted:
            mapping.pop(name, None)
            continue
        found = find_column(header, [wanted])
        if found is None:
            raise CallsCsvError(
                f"{path}: column {wanted!r} for {name} is not in the header {header}"
            )
        mapping[name] = found
    if "call_id" not in mapping:
        tried = ", ".join(GENERIC_NAMES["call_id"])
        raise CallsCsvError(f"{path}: no call id column (tried {tried}) in {header}")
    if "received_at" not in mapping and "updated_at" not in mapping:
        raise CallsCsvError(f"{path}: no received or update time column in {header}")
    return mapping
