"""One calls-CSV row into the call as first received and, if it changed, as last updated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path

from rtcc_desk.adapters.cad.csv_schemas import CallsSchema
from rtcc_desk.adapters.cad.row_notes import RowNotes
from rtcc_desk.adapters.cad.times import parse_cad_time_noting
from rtcc_desk.adapters.tabular import AxisOrder, is_sentinel, location_from_row
from rtcc_desk.core.call_types import CallTypeNormaliser
from rtcc_desk.core.calls import Call, CallType, Priority
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.rejections import RowError

# A location cell counts as coordinates only when it looks like them: CAD exports also name
# their address text column "Location" ("1200 TEXAS ST", "UNKNOWN LOCATION").
_WKT_LIKE = re.compile(r"^\s*(MULTI)?(POINT|LINESTRING|POLYGON)\s*(Z|M|ZM)?\s*(\(|EMPTY\b)",
                       re.IGNORECASE)
_NUMBER = r"[-+]?(?:[0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?|nan|inf(?:inity)?)"
_PAIR_LIKE = re.compile(rf"^\s*\(?\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)?\s*$", re.IGNORECASE)


def looks_like_coordinates(text: str) -> bool:
    """Whether a location cell is WKT (``POINT (...)``) or a "(lat, lon)" pair of numbers."""
    return bool(_WKT_LIKE.match(text) or _PAIR_LIKE.match(text))


class CallRowReader:
    """Reads rows of one file; caveats on kept rows go to ``location_notes`` and ``time_notes``.

    A call is never refused for its position: shots fired with garbage coordinates must still
    reach the feed, so a bad position becomes "no usable location" plus a note.
    """

    def __init__(
        self,
        path: Path,
        mapping: Mapping[str, str],
        schema: CallsSchema | None,
        tz: tzinfo,
        axis_order: AxisOrder,
        normaliser: CallTypeNormaliser,
        scale: Mapping[str, int],
    ) -> None:
        if any(not 0 <= value <= 10 for value in scale.values()):
            raise ValueError(f"priority scale values must be 0..10 (10 most urgent): {dict(scale)}")
        self.source, self.mapping, self.schema, self.tz = path.name, mapping, schema, tz
        self.axis_order, self.normaliser, self.scale = axis_order, normaliser, scale
        self.location_notes = RowNotes("no usable location, call kept")
        self.time_notes = RowNotes("local time at a clock change")
        # Notes of the row being read; kept only if the row is not rejected after all.
        self._pending: list[tuple[RowNotes, str, str]] = []
        self._where = ""

    def text(self, row: Mapping[str, str], name: str) -> str:
        column = self.mapping.get(name)
        return row.get(column, "").strip() if column else ""

    def time(self, row: Mapping[str, str], column: str):
        try:
            moment, note = parse_cad_time_noting(row.get(column, ""), self.tz)
        except ValueError as exc:
            raise RowError(column, str(exc)) from None
        if note:
            self._pending.append((self.time_notes, column, note))
        return moment

    def versions(self, line: int, row: Mapping[str, str]) -> list[Call]:
        """The row's call versions; RowError for a missing call id or unreadable time."""
        self._pending, self._where = [], f"{self.source}:{line}"
        call_id = self.text(row, "call_id")
        if not call_id:
            raise RowError(self.mapping["call_id"], "call id is empty")
        received, updated = self._times(row)
        location, address = self._place(row)
        final_text = self.text(row, "call_type")
        initial_text = self.text(row, "initial_call_type")
        final_type = self._call_type(final_text or initial_text, self.text(row, "call_type_code"))
        common = dict(
            call_id=call_id, received_at=received, location=location, address=address,
            district=self.text(row, "district"), beat=self.text(row, "beat"),
            source=self._where,
        )
        latest = Call(
            **common, updated_at=updated, call_type=final_type,
            priority=self._priority(self.text(row, "priority"), final_type.common_code),
            status=self.text(row, "status"), notes=self._notes(row),
        )
        for notes, column, reason in self._pending:
            notes.add(self._where, column, reason)
        if not (initial_text and final_text and initial_text != final_text and updated > received):
            return [latest]
        # The row summarises a lifecycle: keep what the desk saw when the call came in as history.
        first_type = self._call_type(initial_text, "")
        first = Call(
            **common, updated_at=received, call_type=first_type,
            priority=self._priority(self.text(row, "priority"), first_type.common_code),
        )
        return [first, latest]

    def _place(self, row: Mapping[str, str]) -> tuple[LatLon | None, str]:
        """The position (None when unusable, with a note) and the address text."""
        location_text = self.text(row, "location")
        coordinates = looks_like_coordinates(location_text)
        try:
            point = location_from_row(
                row,
                lat_column=self.mapping.get("latitude"),
                lon_column=self.mapping.get("longitude"),
                wkt_column=self.mapping.get("location") if coordinates else None,
                axis_order=self.axis_order,
            )
        except RowError as exc:
            self._pending.append((self.location_notes, exc.field, exc.reason))
            point = None
        if point is not None and is_sentinel(point):
            point = None  # a placeholder such as POINT (0 0): kept, never matched to cameras
        address = self.text(row, "address") or ("" if coordinates else location_text)
        return point, address

    def _times(self, row: Mapping[str, str]):
        received_col, updated_col = self.mapping.get("received_at"), self.mapping.get("updated_at")
        received = self.time(row, received_col) if self.text(row, "received_at") else None
        updated = self.time(row, updated_col) if self.text(row, "updated_at") else None
        if received is None:
            others = [self.time(row, c) for c in (self.schema.other_times if self.schema else ())
                      if row.get(c, "").strip()]
            candidates = [t for t in (*others, updated) if t is not None]
            if not candidates:
                raise RowError(received_col or updated_col or "received_at", "no received time")
            received = min(candidates)
        return received, max(received, updated) if updated else received

    def _call_type(self, text: str, code: str) -> CallType:
        common = self.normaliser.normalise(text or code)
        return CallType(local_code=code, local_text=text, common_code=common)

    def _priority(self, text: str, common_code: str | None) -> Priority:
        common = self.scale.get(text)
        if common is None:
            common = self.normaliser.priority_hint(common_code)
        return Priority(local_text=text, common=common)

    def _notes(self, row: Mapping[str, str]) -> str:
        lines = [self.text(row, "notes")]
        for column in self.schema.note_columns if self.schema else ():
            if row.get(column, "").strip():
                lines.append(f"{column}: {row[column].strip()}")
        return "\n".join(line for line in lines if line)
