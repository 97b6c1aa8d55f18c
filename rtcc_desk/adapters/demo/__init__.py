"""Shreveport demo data: seeded city, registered and edge cameras, and a simulated CAD feed."""

from __future__ import annotations

from rtcc_desk.adapters.demo.cad_simulator import (
    DEFAULT_START,
    NEW_CALL_STATUS,
    STATUS_FLOW,
    CadSimulator,
    district_and_beat,
)
from rtcc_desk.adapters.demo.shreveport import (
    CSV_COLUMNS,
    POLE_COUNT,
    generate_demo_cameras,
    spread_streams,
    with_stream_urls,
    write_demo_cameras_csv,
)
from rtcc_desk.adapters.demo.vocabulary import (
    BUILTIN_PATH,
    VERA_PATH,
    CallVocabulary,
    VocabularyEntry,
    VocabularyError,
    default_vocabulary,
    load_builtin_vocabulary,
    load_vera_vocabulary,
    priority_for_category,
)

__all__ = [
    "BUILTIN_PATH",
    "DEFAULT_START",
    "CSV_COLUMNS",
    "NEW_CALL_STATUS",
    "POLE_COUNT",
    "STATUS_FLOW",
    "VERA_PATH",
    "CadSimulator",
    "CallVocabulary",
    "VocabularyEntry",
    "VocabularyError",
    "default_vocabulary",
    "district_and_beat",
    "generate_demo_cameras",
    "load_builtin_vocabulary",
    "load_vera_vocabulary",
    "priority_for_category",
    "spread_streams",
    "with_stream_urls",
    "write_demo_cameras_csv",
]
