"""Caveats on rows imported anyway (file:row, field, why), listed to a limit, then counted."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Enough rows to see the pattern; a feed with thousands of bad positions must not bury the rest.
DEFAULT_LIMIT = 20


@dataclass
class RowNotes:
    """One kind of caveat, such as "no usable location, call kept", gathered over an import."""

    topic: str
    limit: int = DEFAULT_LIMIT
    _entries: list[str] = field(default_factory=list)

    def add(self, where: str, column: str, reason: str) -> None:
        """Note that the row at ``where`` (``file:row``) was kept despite ``column``: ``reason``."""
        column_text = f" [{column}]" if column else ""
        self._entries.append(f"{where}{column_text}: {self.topic}: {reason}")

    def __len__(self) -> int:
        return len(self._entries)

    def lines(self) -> list[str]:
        """The first ``limit`` notes, then one line counting the rest."""
        shown = self._entries[: self.limit]
        hidden = len(self._entries) - len(shown)
        if hidden:
            shown.append(f"... and {hidden} more rows: {self.topic} ({len(self)} in all)")
        return shown
