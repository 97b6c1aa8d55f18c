"""What an import or feed refused, and where: file, row, field and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused row or document. ``row`` is 1-based and counts the header line as row 1."""

    source: str
    row: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = self.source if self.row is None else f"{self.source}:{self.row}"
        column = f" [{self.field}]" if self.field else ""
        return f"{where}{column}: {self.reason}"


class RowError(ValueError):
    """Raised by a row parser: which field was wrong and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass
class ImportReport(Generic[T]):
    """Everything accepted and everything refused by one import; nothing accepted is dropped."""

    accepted: list[T] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.accepted)} accepted, {len(self.rejected)} rejected"
