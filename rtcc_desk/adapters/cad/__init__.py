"""CAD adapters: calls for service from CSV exports and NENA EIDO documents, and call-type rules."""

from __future__ import annotations

from rtcc_desk.adapters.cad.call_type_rules import (
    DEFAULT_RULES_PATH,
    load_normaliser,
    read_registry_codes,
    read_rules,
)
from rtcc_desk.adapters.cad.csv_calls import import_calls_csv
from rtcc_desk.adapters.cad.csv_schemas import (
    DEFAULT_TIMEZONE,
    KNOWN_SCHEMAS,
    SEATTLE_PRIORITY,
    CallsSchema,
    detect_schema,
)
from rtcc_desk.adapters.cad.eido import parse_eido
from rtcc_desk.adapters.cad.eido_file import import_eido_file
from rtcc_desk.adapters.cad.errors import CadError, CallsCsvError, CallTypeRulesError, EidoError
from rtcc_desk.adapters.cad.times import parse_cad_time, parse_cad_time_noting

__all__ = [
    "DEFAULT_RULES_PATH",
    "DEFAULT_TIMEZONE",
    "KNOWN_SCHEMAS",
    "SEATTLE_PRIORITY",
    "CadError",
    "CallTypeRulesError",
    "CallsCsvError",
    "CallsSchema",
    "EidoError",
    "detect_schema",
    "import_calls_csv",
    "import_eido_file",
    "load_normaliser",
    "parse_cad_time",
    "parse_cad_time_noting",
    "parse_eido",
    "read_registry_codes",
    "read_rules",
]
