"""Reading the date/time spellings CAD exports use, into aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# US exports: 11/04/2023 6:08:26 PM, 11/04/2023 18:08, 3/5/2016 7:01 a.m.
_US = re.compile(
    r"(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})/(?P<year>[0-9]{4})[ T]+"
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?)?"
    r"\s*(?P<meridiem>[AaPp]\.?[Mm]\.?)?",
    re.ASCII,
)
# ISO 8601 and its near relatives: 2021-04-30T14:43:49.439-04:00, ...Z, 2016/03/25 23:58:30+00
_ISO = re.compile(
    r"(?P<year>[0-9]{4})(?P<sep>[-/])(?P<month>[0-9]{2})(?P=sep)(?P<day>[0-9]{2})[T ]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"\s*(?P<offset>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?",
    re.ASCII | re.IGNORECASE,
)


def zone(tz: str | tzinfo) -> tzinfo:
    """A tzinfo from an IANA name such as ``America/Chicago``; ValueError for an unknown one."""
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


def parse_cad_time(text: str, tz: str | tzinfo) -> datetime:
    """One CAD timestamp as an aware UTC datetime; ``tz`` is the zone of times without an offset.

    ``24:00`` (with or without seconds) is midnight at the end of that day, as some CAD
    systems write it. Anything unreadable raises ValueError with a message an analyst can act on.
    """
    return parse_cad_time_noting(text, tz)[0]


def parse_cad_time_noting(text: str, tz: str | tzinfo) -> tuple[datetime, str]:
    """Like ``parse_cad_time``, plus a note when the local clock time was skipped or repeated.

    Such times are still accepted (read with ``fold=0``: the offset in force before the clock
    change) because a CAD really does log calls at 1:30 AM on the night clocks fall back; the
    note says which reading was used so an analyst can check it. The note is "" otherwise.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("time is empty")
    cleaned = text.strip()
    match = _US.fullmatch(cleaned) or _ISO.fullmatch(cleaned)
    if match is None:
        raise ValueError(
            f"{cleaned!r} is not a time we read (expected MM/DD/YYYY hh:mm[:ss] [AM/PM] "
            "or ISO 8601 such as 2021-04-30T14:43:49-04:00)"
        )
    parts = match.groupdict()
    hour, minute = int(parts["hour"]), int(parts["minute"])
    second = int(parts["second"] or 0)
    fraction = parts.get("fraction") or ""
    # Fractions beyond microseconds are truncated: CAD clocks are not that precise anyway.
    microsecond = int((fraction + "000000")[:6])
    if parts.get("meridiem"):
        hour = _from_twelve_hour(cleaned, hour, parts["meridiem"])
    end_of_day = hour == 24
    if end_of_day:
        if minute or second or fraction.strip("0"):
            raise ValueError(f"{cleaned!r}: hour 24 is only valid as 24:00 (end of day)")
        hour = 0
    try:
        naive = datetime(
            int(parts["year"]), int(parts["month"]), int(parts["day"]),
            hour, minute, second, microsecond,
        )
        if end_of_day:
            naive += timedelta(days=1)
        fixed = _offset(parts.get("offset"))
        if fixed is not None:
            return naive.replace(tzinfo=fixed).astimezone(UTC), ""
        local = zone(tz)
        note = _clock_change_note(cleaned, naive, local)
        return naive.replace(tzinfo=local).astimezone(UTC), note
    except OverflowError:
        raise ValueError(f"{cleaned!r} is outside the dates we can represent") from None
    except ValueError as exc:
        raise ValueError(f"{cleaned!r}: {exc}") from None


def _clock_change_note(text: str, naive: datetime, local: tzinfo) -> str:
    first, second = naive.replace(tzinfo=local, fold=0), naive.replace(tzinfo=local, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    as_utc = first.astimezone(UTC)
    reading = f"{first.tzname()} (UTC{_offset_text(first)}), i.e. {as_utc.isoformat()}"
    if as_utc.astimezone(local).replace(tzinfo=None) != naive:
        return (f"{text!r} does not exist in {local} (clocks sprang forward); read with the "
                f"offset before the change: {reading}")
    return (f"{text!r} happens twice in {local} (clocks fell back); read as the first: "
            f"{reading}")


def _offset_text(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _from_twelve_hour(text: str, hour: int, meridiem: str) -> int:
    if not 0 <= hour <= 12:
        raise ValueError(f"{text!r}: hour {hour} cannot carry AM/PM")
    pm = meridiem[0] in "Pp"
    if hour == 12:
        return 12 if pm else 0
    return hour + 12 if pm else hour


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"UTC offset {text!r} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
