"""What the owner page shows, in the owner's words and local time (pure functions over the box's state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rtcc_edge.recorder import ChannelHealth
from rtcc_edge.retention import DiskUsage
from rtcc_edge.store import AccessEntry

STATE_WORDS = {"recording": "Recording", "starting": "Connecting", "failed": "Not recording",
               "stopped": "Stopped"}


def local(moment: datetime | None, zone: tzinfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(zone).strftime(pattern) if moment else "—"


def human_bytes(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


@dataclass(frozen=True)
class CameraRow:
    channel: int
    name: str
    state: str
    state_words: str
    since: str
    oldest: str
    newest: str
    error: str


def camera_rows(health: list[ChannelHealth], zone: tzinfo) -> list[CameraRow]:
    return [CameraRow(h.channel, h.name, h.state, STATE_WORDS.get(h.state, h.state),
                      local(h.since, zone), local(h.oldest, zone), local(h.newest, zone), h.error)
            for h in health]


@dataclass(frozen=True)
class DiskView:
    used: str
    free: str
    total: str
    used_percent: int


def disk_view(usage: DiskUsage) -> DiskView:
    percent = round(100 * usage.used / usage.total) if usage.total else 0
    return DiskView(human_bytes(usage.used), human_bytes(usage.free), human_bytes(usage.total), percent)


@dataclass(frozen=True)
class AccessRow:
    when: str
    sentence: str
    outcome: str
    analyst: str
    justification: str
    detail: str


def access_sentence(entry: AccessEntry, zone: tzinfo) -> str:
    """"RTCC viewed camera 2 (Front door) from 14:03 to 14:09 for call SPT-2026-000481"."""
    camera = f"camera {entry.channel}" + (f" ({entry.camera})" if entry.camera else "")
    call = f" for call {entry.call_ref}" if entry.call_ref else ""
    hm = "%H:%M"
    if entry.kind == "live":
        if entry.outcome == "streaming":
            return f"RTCC is viewing {camera} live since {local(entry.started_at, zone, hm)}{call}"
        if entry.started_at and entry.outcome in ("done", "failed"):
            return (f"RTCC viewed {camera} live from {local(entry.started_at, zone, hm)} "
                    f"to {local(entry.ended_at, zone, hm)}{call}")
        return f"RTCC asked to view {camera} live{call}"
    if entry.kind == "clip":
        window = (f"from {local(entry.window_start, zone, hm)} to {local(entry.window_end, zone, hm)}"
                  f" on {local(entry.window_start, zone, '%b %d')}")
        if entry.outcome == "done":
            return f"RTCC received a copy of {camera} {window}{call}"
        return f"RTCC asked for a copy of {camera} {window}{call}"
    return f"RTCC sent a {entry.kind!r} request for {camera}{call}"


OUTCOME_WORDS = {"done": "Sent", "streaming": "Streaming now", "accepted": "In progress",
                 "refused": "Refused", "failed": "Not completed"}


def access_rows(entries: list[AccessEntry], zone: tzinfo) -> list[AccessRow]:
    rows = []
    for entry in entries:
        detail = entry.reason
        if entry.kind == "clip" and entry.outcome == "done":
            detail = f"{human_bytes(entry.bytes)}, SHA-256 {entry.sha256[:16]}…"
        rows.append(AccessRow(local(entry.received_at, zone), access_sentence(entry, zone),
                              OUTCOME_WORDS.get(entry.outcome, entry.outcome),
                              entry.analyst, entry.justification, detail))
    return rows
