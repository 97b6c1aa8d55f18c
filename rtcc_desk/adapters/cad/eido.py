"""Reading one NENA EIDO (JSON) document into a call; a malformed one raises EidoError."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from rtcc_desk.adapters.cad.errors import EidoError
from rtcc_desk.adapters.cad.pidf_lo import PidfError, PidfLocation, parse_pidf_lo, parse_xml_safely
from rtcc_desk.adapters.cad.times import parse_cad_time
from rtcc_desk.adapters.tabular import is_sentinel
from rtcc_desk.core.call_types import CallTypeNormaliser
from rtcc_desk.core.calls import Call, CallType, Priority

# The 2020 draft called the location array this; its content is the same LocationInformationType.
_LOCATION_KEYS = ("locationComponent", "locationInformationComponent")
# RFC 3339 date-times carry an offset; one without it cannot be placed on the timeline.
_HAS_OFFSET = re.compile(r"(Z|[+-][0-9]{2}:?[0-9]{2})$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def parse_eido(
    document: dict | str | bytes,
    *,
    source: str = "eido",
    normaliser: CallTypeNormaliser | None = None,
) -> Call:
    """One EIDO document as a call. Raises EidoError naming the component/field that is wrong."""
    return EidoReader(decode_eido(document), source, normaliser).call()


def decode_eido(document: Any, *, want_object: bool = True) -> Any:
    """Bytes or text to parsed JSON (an object, unless ``want_object`` is off); EidoError if not."""
    if isinstance(document, bytes | bytearray):
        try:
            document = bytes(document).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reason = f"is not UTF-8 text ({exc.reason} at byte {exc.start})"
            raise EidoError(reason, field="document") from None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise EidoError(f"is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                            field="document") from None
        except RecursionError:
            raise EidoError("is nested too deeply to be an EIDO", field="document") from None
    if want_object and not isinstance(document, dict):
        kind = type(document).__name__ if document is not None else "null"
        raise EidoError(f"an EIDO must be a JSON object, got {kind}", field="document")
    return document


class EidoReader:
    """Indexes a document's components by $id and reads the call out of them.

    ``notes`` are caveats on the document; ``position_problems`` lists (field, why) for each
    location whose coordinates were unusable and so were not used (the call is still read).
    """

    def __init__(self, doc: dict, source: str, normaliser: CallTypeNormaliser | None) -> None:
        self.doc = doc
        self.source = source
        self.normaliser = normaliser
        self.notes: list[str] = []
        self.position_problems: list[tuple[str, str]] = []
        self.doc_id = self._string(doc, "$id", "document", required=True)
        self.by_id: dict[str, tuple[str, dict]] = {}
        self.components: dict[str, list[dict]] = {}
        for key, value in doc.items():
            if key.endswith("Component"):
                self.components[key] = self._component_list(key, value)
        # The incident component may carry the document's own id (both name the incident).
        self.by_id.setdefault(self.doc_id, ("document", doc))
        self._check_refs(doc, "document")

    def _component_list(self, key: str, value: Any) -> list[dict]:
        # The schema makes incidentComponent a single object and the others arrays; accept both.
        single = isinstance(value, dict)
        items = [value] if single else value
        if not isinstance(items, list):
            raise EidoError("must be a list of components", field=key)
        for index, item in enumerate(items):
            where = key if single else f"{key}[{index}]"
            if not isinstance(item, dict):
                raise EidoError(f"must be an object, got {type(item).__name__}", field=where)
            component_id = self._string(item, "$id", where, required=True)
            if component_id in self.by_id:
                raise EidoError(f"$id {component_id!r} is used twice", field=where)
            self.by_id[component_id] = (where, item)
        return items

    def _check_refs(self, value: Any, where: str) -> None:
        # Every link must land inside the document: the standard lists all referenced components.
        if isinstance(value, dict):
            if "$ref" in value:
                target = value["$ref"]
                if not isinstance(target, str) or target not in self.by_id:
                    raise EidoError(f"$ref {target!r} points at no component in this document",
                                    field=where)
            for key, item in value.items():
                self._check_refs(item, f"{where}.{key}" if where != "document" else key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._check_refs(item, f"{where}[{index}]")

    def call(self) -> Call:
        incident, where = self._incident()
        locations = self._locations()
        call_id = (
            self._string(incident, "incidentTrackingIdentifier", where)
            or self._string(self.doc, "incidentTrackingIdentifier", "document")  # 2020 draft
            or self.doc_id
        )
        updated = self._timestamp(self.doc, "document", required=True)
        received = self._received()
        call_type = self._call_type(incident, where)
        point, address = self._place(incident, locations)
        return Call(
            call_id=call_id, received_at=min(received or updated, updated), updated_at=updated,
            call_type=call_type, priority=self._priority(incident, where, call_type.common_code),
            status=self._status(incident, where), address=address, location=point,
            beat=self._string(incident, "beatOrDispatchGroupText", where), notes=self._notes(),
            source=self.source,
        )

    def _incident(self) -> tuple[dict, str]:
        incidents = self.components.get("incidentComponent", [])
        if len(incidents) > 1:
            self.notes.append(f"{len(incidents)} incident components; the first is used")
        if not incidents:
            return {}, "incidentComponent"
        return incidents[0], self.by_id[incidents[0]["$id"]][0]

    def _locations(self) -> dict[str, PidfLocation | None]:
        """Every location component by $id, its embedded PIDF-LO read (and so checked) now."""
        found: dict[str, PidfLocation | None] = {}
        for key in _LOCATION_KEYS:
            for component in self.components.get(key, []):
                where = self.by_id[component["$id"]][0]
                text = component.get("locationByValue")
                if text is None:
                    url = component.get("locationByReferenceUrl")
                    if url:
                        self.notes.append(f"{where}: location by reference {url} is not fetched")
                    found[component["$id"]] = None
                    continue
                if not isinstance(text, str):
                    field = f"{where}.locationByValue"
                    raise EidoError("must be a PIDF-LO XML string", field=field)
                try:
                    found[component["$id"]] = location = parse_pidf_lo(text)
                except PidfError as exc:
                    raise EidoError(f"PIDF-LO {exc}", field=f"{where}.locationByValue") from None
                if location.problem:
                    self.position_problems.append((f"{where}.locationByValue", location.problem))
        return found

    def _place(self, incident: dict, locations: dict[str, PidfLocation | None]):
        refs: list[str] = []
        for component in (incident, *self.components.get("callComponent", [])):
            for ref in self._refs(component, "locationReference"):
                if ref not in locations:
                    raise EidoError(f"{ref!r} is a {self.by_id[ref][0]}, not a location",
                                    field=f"{self.by_id[component['$id']][0]}.locationReference")
                refs.append(ref)
        # Without explicit links a document's own location components describe its incident.
        chosen = [locations[r] for r in refs] if refs else [*locations.values()]
        point = next((p.point for p in chosen if p and p.point and not is_sentinel(p.point)), None)
        address = next((p.address for p in chosen if p and p.address), "")
        return point, address

    def _refs(self, component: dict, key: str) -> list[str]:
        value = component.get(key)
        items = value if isinstance(value, list) else [value] if value else []
        return [item["$ref"] for item in items if isinstance(item, dict) and "$ref" in item]

    def _received(self) -> datetime | None:
        starts = [self._timestamp(c, self.by_id[c["$id"]][0], key="callStartTimestamp")
                  for c in self.components.get("callComponent", [])]
        starts = [s for s in starts if s is not None]
        if starts:
            return min(starts)
        stamps = [self._timestamp(item, where) for where, item in self.by_id.values()]
        return min((s for s in stamps if s is not None), default=None)

    def _call_type(self, incident: dict, where: str) -> CallType:
        common = self._string(incident, "incidentTypeCommonRegistryText", where).upper() or None
        code = self._string(incident, "incidentTypeInternalCode", where)
        text = self._string(incident, "incidentTypeInternalText", where)
        if common is None and self.normaliser is not None and (text or code):
            common = self.normaliser.normalise(text or code)
        return CallType(local_code=code, local_text=text, common_code=common)

    def _priority(self, incident: dict, where: str, common_code: str | None) -> Priority:
        number = incident.get("incidentCommonPriorityNumber")
        field = f"{where}.incidentCommonPriorityNumber"
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            raise EidoError(f"{number!r} is not a whole number", field=field)
        if number is not None and not 0 <= number <= 10:
            raise EidoError(f"{number} is outside 0..10", field=field)
        if number is None and self.normaliser is not None:
            number = self.normaliser.priority_hint(common_code)
        return Priority(self._string(incident, "incidentPriorityInternalText", where), number)

    def _status(self, incident: dict, where: str) -> str:
        for key in ("incidentStatusCommonRegistryText", "incidentStatusInternalText"):
            value = incident.get(key)
            values = value if isinstance(value, list) else [value] if value is not None else []
            if any(not isinstance(v, str) for v in values):
                raise EidoError("must be text or a list of text", field=f"{where}.{key}")
            if values:
                return "; ".join(values)
        return ""

    def _notes(self) -> str:
        lines = [_TAG.sub("", n.get("notesActionComments") or "").strip()
                 for n in self.components.get("notesComponent", [])
                 if isinstance(n.get("notesActionComments"), str)]
        for item in self.components.get("additionalDataComponent", []):
            text = item.get("additionalDataByValue")
            if not isinstance(text, str) or not text.strip().startswith("<"):
                continue
            try:
                root = parse_xml_safely(text)
            except PidfError:
                continue  # additional data is optional colour; it does not make the call unusable
            lines += [(e.text or "").strip() for e in root.iter()
                      if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "Comment"]
        return "\n".join(line for line in lines if line)

    def _string(self, obj: dict, key: str, where: str, *, required: bool = False) -> str:
        value = obj.get(key)
        field = f"{where}.{key}" if where != "document" else key
        if value is not None and not isinstance(value, str):
            raise EidoError(f"must be text, got {type(value).__name__}", field=field)
        text = (value or "").strip()
        if required and not text:
            raise EidoError("is missing or empty", field=field)
        return text

    def _timestamp(self, obj: dict, where: str, *, key: str = "lastUpdateTimeStamp",
                   required: bool = False) -> datetime | None:
        # The 2020 draft capitalised the prologue's timestamp; the meaning is unchanged.
        actual = key if key in obj or key != "lastUpdateTimeStamp" else "LastUpdateTimeStamp"
        text = self._string(obj, actual, where, required=required)
        if not text:
            return None
        field = f"{where}.{actual}" if where != "document" else actual
        if not _HAS_OFFSET.search(text):
            raise EidoError(f"{text!r} has no UTC offset", field=field)
        try:
            return parse_cad_time(text, UTC)
        except ValueError as exc:
            raise EidoError(str(exc), field=field) from None
