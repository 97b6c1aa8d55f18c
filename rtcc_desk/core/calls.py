"""CAD calls for service, and merging each incident's updates into one call with its history."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import datetime

from rtcc_desk.core.geo import LatLon


class LocationQuality(enum.StrEnum):
    """Whether a call's location can be used for finding cameras."""

    USABLE = "usable"
    NO_USABLE_LOCATION = "no_usable_location"


@dataclass(frozen=True, slots=True)
class CallType:
    """The call type as the local CAD says it, plus the APCO common code when known."""

    local_code: str = ""
    local_text: str = ""
    common_code: str | None = None

    @property
    def label(self) -> str:
        return self.local_text or self.local_code or (self.common_code or "UNKNOWN")


@dataclass(frozen=True, slots=True)
class Priority:
    """Local priority text and the 0–10 common priority (10 is most urgent), when known."""

    local_text: str = ""
    common: int | None = None

    def __post_init__(self) -> None:
        if self.common is not None and not 0 <= self.common <= 10:
            raise ValueError(f"common priority {self.common} must be 0..10")


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """One incident as the desk sees it at a moment; ``history`` keeps earlier versions."""

    call_id: str
    received_at: datetime
    updated_at: datetime
    call_type: CallType = CallType()
    priority: Priority = Priority()
    status: str = ""
    address: str = ""
    location: LatLon | None = None
    district: str = ""
    beat: str = ""
    notes: str = ""
    source: str = ""
    history: tuple[Call, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.call_id:
            raise ValueError("call id is empty")
        for name in ("received_at", "updated_at"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"{name} must carry a time zone")

    @property
    def location_quality(self) -> LocationQuality:
        if self.location is None:
            return LocationQuality.NO_USABLE_LOCATION
        return LocationQuality.USABLE


def merge_update(current: Call, update: Call) -> Call:
    """Fold a later update of the same incident into the call, keeping the old version in history.

    Fields the update leaves empty keep their current value, so a status-only update does not
    wipe the address. An update older than the current state is kept in history but does not
    overwrite newer fields (CAD feeds do deliver out of order).
    """
    if update.call_id != current.call_id:
        raise ValueError(f"update for {update.call_id} cannot merge into {current.call_id}")
    snapshot = dataclasses.replace(current, history=())
    if update.updated_at < current.updated_at:
        older = dataclasses.replace(update, history=())
        history = tuple(sorted((*current.history, older), key=lambda c: c.updated_at))
        return dataclasses.replace(current, history=history)
    changes = {
        f.name: getattr(update, f.name)
        for f in dataclasses.fields(Call)
        if f.name not in ("history", "call_id", "received_at") and _has_value(getattr(update, f.name))
    }
    received = min(current.received_at, update.received_at)
    return dataclasses.replace(
        current, **changes, received_at=received, history=(*current.history, snapshot)
    )


def _has_value(value: object) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, CallType):
        return bool(value.local_code or value.local_text or value.common_code)
    if isinstance(value, Priority):
        return bool(value.local_text) or value.common is not None
    return True


class CallBook:
    """The calls the desk currently knows, by call id, merging updates as they arrive."""

    def __init__(self) -> None:
        self._calls: dict[str, Call] = {}

    def add(self, call: Call) -> Call:
        """Add a new call or merge an update into the existing one; returns the merged call."""
        current = self._calls.get(call.call_id)
        merged = call if current is None else merge_update(current, call)
        self._calls[call.call_id] = merged
        return merged

    def get(self, call_id: str) -> Call | None:
        return self._calls.get(call_id)

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self):
        return iter(self._calls.values())
