"""From the CAD importers' reports to feed messages: call versions in time order, problems."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from rtcc_desk.adapters.cad import CadError, import_calls_csv, import_eido_file
from rtcc_desk.adapters.cad.eido import decode_eido
from rtcc_desk.adapters.feeds.base import RAW_LIMIT
from rtcc_desk.adapters.tabular import TabularError, open_csv
from rtcc_desk.core.call_types import CallTypeNormaliser
from rtcc_desk.core.calls import Call
from rtcc_desk.core.rejections import ImportReport, Rejection

#: What the watched folder imports, by file suffix.
CSV_SUFFIXES = (".csv",)
EIDO_SUFFIXES = (".json",)


@dataclasses.dataclass(frozen=True, slots=True)
class TimedCall:
    """One message of a replay: a call version and the moment a live feed would have sent it."""

    moment: datetime
    call: Call


def call_versions(calls: Iterable[Call]) -> list[TimedCall]:
    """Every version of every call, as a live CAD feed would have sent them, oldest first.

    The importers merge a file's rows per incident (earlier versions kept in ``history``);
    a feed sends each version as its own message so that the desk's CallBook merges them
    as they come. A call's first version goes out at its received time, later ones at their
    update times.
    """
    timed: list[tuple[datetime, int, Call]] = []
    for call in calls:
        versions = sorted([*call.history, dataclasses.replace(call, history=())],
                          key=lambda version: version.updated_at)
        for index, version in enumerate(versions):
            moment = call.received_at if index == 0 else version.updated_at
            timed.append((moment, len(timed), version))
    timed.sort(key=lambda item: (item[0], item[1]))
    return [TimedCall(moment, call) for moment, _, call in timed]


def import_cad_file(
    path: Path, *, normaliser: CallTypeNormaliser | None = None,
    csv_options: Mapping[str, Any] | None = None,
) -> ImportReport[Call]:
    """A CAD CSV or an EIDO JSON file through its importer; CadError when unusable as a whole."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        options = dict(csv_options or {})
        if normaliser is not None:
            options.setdefault("normaliser", normaliser)
        return import_calls_csv(path, **options)
    if suffix in EIDO_SUFFIXES:
        return import_eido_file(path, normaliser=normaliser)
    raise CadError(f"{path.name}: neither a CAD CSV (.csv) nor an EIDO JSON (.json) file")


def rejection_where(rejection: Rejection) -> str:
    """``file:row`` (or the file name) for a problem, without the folder."""
    name = Path(rejection.source).name
    return name if rejection.row is None else f"{name}:{rejection.row}"


def rejected_text(path: Path, rejections: Iterable[Rejection]) -> dict[int, str]:
    """The refused rows' (or documents') own text by row number, read with the shared readers.

    Best effort: the text helps the analyst see what was wrong, so a file that cannot be
    read a second time simply gives none.
    """
    wanted = {r.row for r in rejections if r.row is not None}
    if not wanted:
        return {}
    try:
        if path.suffix.lower() in CSV_SUFFIXES:
            with open_csv(path) as (_, rows):
                return {line: "; ".join(f"{k}={v}" for k, v in row.items() if v)
                        for line, row in rows if line in wanted and "__error__" not in row}
        loaded = decode_eido(path.read_bytes(), want_object=False)
        documents = loaded if isinstance(loaded, list) else [loaded]
        return {n: json.dumps(documents[n - 1], ensure_ascii=False)[: RAW_LIMIT + 1]
                for n in wanted if 0 < n <= len(documents)}
    except (OSError, TabularError, CadError):
        return {}


def file_head(path: Path) -> str:
    """The start of a file, for the problem of a file refused as a whole."""
    try:
        with open(path, "rb") as handle:
            return handle.read(RAW_LIMIT + 1).decode("utf-8", errors="replace")
    except OSError:
        return ""
