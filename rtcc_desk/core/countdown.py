"""Time as the analyst reads it: a call's age, a local clock time, an overwrite countdown."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, tzinfo

#: Under this much time left before the overwrite, a request is urgent.
URGENT_WITHIN = timedelta(hours=24)
#: Under this much time left, the request should go out today.
SOON_WITHIN = timedelta(days=3)


class DeadlineState(enum.Enum):
    """How pressing an overwrite deadline is."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    URGENT = "urgent"
    SOON = "soon"
    OK = "ok"


def _split(seconds: int) -> tuple[int, int, int, int]:
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return days, hours, minutes, secs


def age_text(since: datetime, now: datetime) -> str:
    """Compact elapsed time: "45s", "12m 05s", "3h 07m", "2d 04h"; a future time reads "0s"."""
    days, hours, minutes, secs = _split(max(0, int((now - since).total_seconds())))
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def local_time_text(at: datetime, zone: tzinfo, now: datetime) -> str:
    """The clock time in the jurisdiction's zone; the date too when it is not today there."""
    local = at.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%m-%d %H:%M:%S")


def deadline_state(deadline: datetime | None, now: datetime) -> DeadlineState:
    if deadline is None:
        return DeadlineState.UNKNOWN
    left = deadline - now
    if left <= timedelta(0):
        return DeadlineState.EXPIRED
    if left < URGENT_WITHIN:
        return DeadlineState.URGENT
    if left < SOON_WITHIN:
        return DeadlineState.SOON
    return DeadlineState.OK


def countdown_text(deadline: datetime | None, now: datetime) -> str:
    """Time left before footage is overwritten, to the second: "29d 23:59:59", "04:12:09"."""
    if deadline is None:
        return "retention unknown"
    left = int((deadline - now).total_seconds())
    if left <= 0:
        return f"overwritten {age_text(deadline, now)} ago"
    days, hours, minutes, secs = _split(left)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}d {clock}" if days else clock


def retention_text(days: float | None) -> str:
    if days is None:
        return "unknown"
    shown = f"{days:g}"
    return f"{shown} day" if shown == "1" else f"{shown} days"
