"""Rules of the call feed as plain Python: priority bands, filters, text search and sort order."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from rtcc_desk.core.calls import Call, Priority


class PriorityBand(enum.Enum):
    """Urgency bands of the 0–10 common priority, each with a word so colour is never alone."""

    CRITICAL = ("CRIT", 9)
    HIGH = ("HIGH", 7)
    MEDIUM = ("MED", 4)
    LOW = ("LOW", 0)
    UNKNOWN = ("?", None)

    def __init__(self, word: str, lowest: int | None) -> None:
        self.word = word
        self.lowest = lowest


def priority_band(priority: Priority) -> PriorityBand:
    if priority.common is None:
        return PriorityBand.UNKNOWN
    for band in (PriorityBand.CRITICAL, PriorityBand.HIGH, PriorityBand.MEDIUM):
        if priority.common >= band.lowest:
            return band
    return PriorityBand.LOW


def is_high_priority(call: Call, threshold: int) -> bool:
    return call.priority.common is not None and call.priority.common >= threshold


def became_high_priority(before: Call | None, after: Call, threshold: int) -> bool:
    """A new urgent call, or an update that raised a call to urgent (a reclassification)."""
    if not is_high_priority(after, threshold):
        return False
    return before is None or not is_high_priority(before, threshold)


#: Status words after which a call needs no more attention (shown dimmed).
CLOSED_STATUSES = frozenset({"CLEARED", "CLOSED", "CANCELLED", "CANCELED", "COMPLETED"})


def is_closed(call: Call) -> bool:
    return call.status.strip().upper() in CLOSED_STATUSES


def search_text(call: Call) -> str:
    """What the search box looks through: id, address, type, narrative, district, status."""
    kind = call.call_type
    parts = (
        call.call_id, call.address, kind.local_text, kind.local_code, kind.common_code or "",
        call.notes, call.district, call.beat, call.status,
    )
    return " ".join(p for p in parts if p).casefold()


@dataclass(frozen=True, slots=True)
class CallFilter:
    """Which calls the feed shows. Empty sets mean "all"; every word of ``text`` must appear.

    A call whose priority is unknown is never hidden by the priority threshold: an
    unclassified call may be the urgent one.
    """

    min_priority: int | None = None
    types: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    text: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.text.casefold().split())

    @property
    def is_empty(self) -> bool:
        return self == CallFilter()

    def matches(self, call: Call, haystack: str | None = None) -> bool:
        """Whether the call passes; ``haystack`` is its cached ``search_text`` when known."""
        common = call.priority.common
        if self.min_priority is not None and common is not None and common < self.min_priority:
            return False
        if self.types and call.call_type.label not in self.types:
            return False
        if self.districts and call.district not in self.districts:
            return False
        if self.statuses and call.status not in self.statuses:
            return False
        words = self.words
        if words:
            hay = search_text(call) if haystack is None else haystack
            return all(word in hay for word in words)
        return True


class CallColumn(enum.StrEnum):
    """The feed's columns, in display order."""

    PRIORITY = "Priority"
    TYPE = "Type"
    ADDRESS = "Address"
    DISTRICT = "District"
    RECEIVED = "Received"
    AGE = "Age"
    STATUS = "Status"
    CALL_ID = "Call #"


def sort_key(call: Call, column: CallColumn) -> tuple:
    """Ascending order of a column; ties fall back to received time, then the unique id."""
    received = call.received_at.timestamp()
    if column is CallColumn.PRIORITY:
        common = call.priority.common
        head: tuple = (-1 if common is None else common,)
    elif column is CallColumn.TYPE:
        head = (call.call_type.label.casefold(),)
    elif column is CallColumn.ADDRESS:
        head = (call.address.casefold(),)
    elif column is CallColumn.DISTRICT:
        head = (call.district.casefold(), call.beat.casefold())
    elif column is CallColumn.STATUS:
        head = (call.status.casefold(),)
    elif column is CallColumn.AGE:  # youngest first: the reverse of received time
        return (-received, call.call_id)
    else:
        head = ()
    return (*head, received, call.call_id)


def insertion_index(keys: Sequence[tuple], key: tuple, descending: bool) -> int:
    """Where ``key`` goes in ``keys`` (sorted ascending, or descending when asked) to keep order."""
    low, high = 0, len(keys)
    while low < high:
        middle = (low + high) // 2
        before = keys[middle] > key if descending else keys[middle] < key
        if before:
            low = middle + 1
        else:
            high = middle
    return low
