"""Importing a file of NENA EIDO documents (one or a JSON list), merging updates per incident."""

from __future__ import annotations

from pathlib import Path

from rtcc_desk.adapters.cad.eido import EidoReader, decode_eido
from rtcc_desk.adapters.cad.errors import CadError, EidoError
from rtcc_desk.adapters.cad.row_notes import RowNotes
from rtcc_desk.core.call_types import CallTypeNormaliser
from rtcc_desk.core.calls import Call, CallBook
from rtcc_desk.core.rejections import ImportReport, Rejection


def import_eido_file(
    path: Path | str, *, normaliser: CallTypeNormaliser | None = None
) -> ImportReport[Call]:
    """A file holding one EIDO or a JSON list of them; documents of one incident merge.

    A file that is empty, not UTF-8 or not JSON, or whose JSON is neither an object nor a
    list, is unusable as a whole: EidoError (a CadError). Inside a usable file each refused
    document becomes a Rejection whose row is its 1-based position, and the rest are imported.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CadError(f"{path}: cannot open: {exc.strerror or exc}") from None
    if not raw.strip():
        raise EidoError(f"{path}: the file is empty (no EIDO documents)")
    try:
        loaded = decode_eido(raw, want_object=False)
    except EidoError as exc:
        raise EidoError(f"{path}: {exc.reason}") from None
    if not isinstance(loaded, dict | list):
        kind = type(loaded).__name__ if loaded is not None else "null"
        raise EidoError(f"{path}: holds a JSON {kind}, not an EIDO object or a list of them")

    report: ImportReport[Call] = ImportReport()
    positions = RowNotes("position not used, call kept")
    book = CallBook()
    documents = loaded if isinstance(loaded, list) else [loaded]
    for number, document in enumerate(documents, start=1):
        where = f"{path.name}:{number}"
        try:
            reader = EidoReader(decode_eido(document), f"{path.name}#{number}", normaliser)
            book.add(reader.call())
        except EidoError as exc:
            report.rejected.append(Rejection(str(path), number, exc.field, exc.reason))
            continue
        report.notes.extend(f"{where}: {note}" for note in reader.notes)
        for field, reason in reader.position_problems:
            positions.add(where, field, reason)
    report.accepted = list(book)
    if not documents:
        report.notes.append(f"{path.name}: an empty list, no EIDO documents")
    report.notes.extend(positions.lines())
    return report
