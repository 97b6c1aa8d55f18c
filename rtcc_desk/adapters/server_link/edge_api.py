"""Business edge recorders through the registry server: their channels with the box's health,
asking a box for a clip (it becomes a footage request and evidence like an owner's upload),
live views (start, state, end; the stream URL opens in libvlc), and the analyst's words for
what went wrong.

Built on ``ServerClient.api`` (same token refresh and errors). Everything blocks: call it off
the GUI thread. The server's sentences are already the analyst's words; ``reason_code`` picks
the exception, so the UI can tell "offline" from "paused" from "refused".
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.errors import (
    NotAllowed,
    ServerError,
    ServerLinkError,
    ServerUnreachable,
    SessionExpired,
)
from rtcc_desk.core.cameras import EdgeChannel, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.request_queue import RequestWindow

#: How often ``start_live`` asks whether the box has started, while it waits.
POLL_S = 0.5


class EdgeError(ServerLinkError):
    """The edge box did not (or can no longer) do what was asked; the message is the analyst's."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class EdgeBoxOffline(EdgeError):
    """The box has not called the server lately: nothing can be asked of it live."""


class EdgeSharingPaused(EdgeError):
    """The business switched sharing off on its box; it refuses every request until resumed."""


class EdgeRefused(EdgeError):
    """The box refused or failed (no recording for the window, a hash check, no answer…)."""


_ERRORS = {"box_offline": EdgeBoxOffline, "sharing_paused": EdgeSharingPaused}
#: Ends that are no failure: the session simply finished.
_NORMAL_ENDS = ("ended_by_analyst", "limit_reached", "box_stopped")


def _error_for(code: str, reason: str) -> EdgeError:
    return _ERRORS.get(code, EdgeRefused)(reason or f"The edge box could not do it ({code}).", code)


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@dataclass(frozen=True)
class EdgeBoxHealth:
    box_id: str
    name: str
    online: bool
    paused: bool
    last_seen: datetime | None
    retention_days: int | None
    disk_free_bytes: int | None = None

    @classmethod
    def from_server(cls, data: dict[str, Any]) -> EdgeBoxHealth:
        disk = data.get("disk") or {}
        return cls(box_id=data["box_id"], name=data.get("name", ""), online=bool(data.get("online")),
                   paused=bool(data.get("paused")), last_seen=_time(data.get("last_seen")),
                   retention_days=data.get("retention_days"), disk_free_bytes=disk.get("free_bytes"))


@dataclass(frozen=True)
class EdgeChannelStatus:
    """One edge channel as the map and the camera details show it, with its box's health."""

    camera: EdgeChannel
    state: str  # recording | failed | stopped | unknown (never reported)
    error: str
    oldest: datetime | None
    newest: datetime | None
    box: EdgeBoxHealth

    @property
    def can_ask(self) -> bool:
        """Worth asking now: the box is online, sharing, and this camera is recording."""
        return self.box.online and not self.box.paused and self.state == "recording"

    @property
    def status_text(self) -> str:
        if not self.box.online:
            seen = f"{self.box.last_seen:%Y-%m-%d %H:%M} UTC" if self.box.last_seen else "never"
            return f"Edge box offline (last seen {seen})"
        if self.box.paused:
            return "Sharing paused by the business"
        if self.state == "failed":
            return f"Camera not recording: {self.error or 'no reason given'}"
        return {"recording": "Recording", "stopped": "Camera stopped"}.get(self.state, "No report yet")

    @classmethod
    def from_server(cls, data: dict[str, Any]) -> EdgeChannelStatus:
        camera = EdgeChannel(
            camera_id=data["id"], name=data.get("label", ""),
            location=LatLon(float(data["lat"]), float(data["lon"])),
            view=View(data.get("bearing"), float(data["fov"]), float(data["range_m"])),
            retention_days=data.get("retention_days"), edge_device_id=data["box_id"],
            channel=int(data["channel"]))
        return cls(camera=camera, state=data.get("state", "unknown"), error=data.get("error", ""),
                   oldest=_time(data.get("oldest")), newest=_time(data.get("newest")),
                   box=EdgeBoxHealth.from_server(data["box"]))


@dataclass(frozen=True)
class EdgeClip:
    """A clip asked of a box: its footage request (in the request queue) and where it stands."""

    command_id: str
    request_id: str
    state: str  # queued | sent | accepted | done | refused | failed | expired
    reason_code: str
    reason: str
    box_online: bool
    box_paused: bool

    @property
    def note(self) -> str:
        """What to tell the analyst right after asking."""
        if self.state in ("refused", "failed", "expired"):
            return self.reason
        if not self.box_online:
            return "The edge box is offline: the request waits for it to come back."
        if self.box_paused:
            return "The business has paused sharing: the box will probably refuse."
        return "Asked. The clip arrives in the request queue when the box has sent it."

    def check(self) -> EdgeClip:
        """Raise the matching ``EdgeError`` if the box refused or failed; else return self."""
        if self.state in ("refused", "failed", "expired"):
            raise _error_for(self.reason_code, self.reason)
        return self

    @classmethod
    def from_server(cls, data: dict[str, Any]) -> EdgeClip:
        return cls(command_id=data["command_id"], request_id=data.get("request_id") or "",
                   state=data["state"], reason_code=data.get("reason_code", ""),
                   reason=data.get("reason", ""), box_online=bool(data.get("box_online", True)),
                   box_paused=bool(data.get("box_paused", False)))


@dataclass(frozen=True)
class EdgeLiveView:
    """A live session; ``stream_url`` (HTTP MPEG-TS, with its key) is what the player opens."""

    session_id: str
    channel_id: str
    state: str  # waiting | streaming | ended | refused | failed
    reason_code: str
    reason: str
    max_seconds: int
    stream_url: str
    started_at: datetime | None
    ended_at: datetime | None
    bytes_relayed: int

    @property
    def open(self) -> bool:
        return self.state in ("waiting", "streaming")

    def check(self) -> EdgeLiveView:
        """Raise the matching ``EdgeError`` if the session was refused or failed."""
        if self.state in ("refused", "failed") or (
                self.state == "ended" and self.reason_code not in _NORMAL_ENDS):
            raise _error_for(self.reason_code, self.reason)
        return self

    @classmethod
    def from_server(cls, data: dict[str, Any], stream_url: str = "") -> EdgeLiveView:
        return cls(session_id=data["session_id"], channel_id=data.get("channel_id", ""),
                   state=data["state"], reason_code=data.get("reason_code", ""),
                   reason=data.get("reason", ""), max_seconds=int(data.get("max_seconds", 0)),
                   stream_url=stream_url, started_at=_time(data.get("started_at")),
                   ended_at=_time(data.get("ended_at")),
                   bytes_relayed=int(data.get("bytes_relayed", 0)))


def list_edge_channels(client: ServerClient) -> list[EdgeChannelStatus]:
    """GET /api/edge/channels: every recorded channel of every enrolled box (desk roles)."""
    return [EdgeChannelStatus.from_server(c) for c in client.api("GET", "/api/edge/channels")]


def ask_for_clip(client: ServerClient, channel_id: str, window: RequestWindow, justification: str,
                 *, call_ref: str = "", case_ref: str = "", client_id: str | None = None) -> EdgeClip:
    """POST /api/edge/channels/{id}/clip: the box is asked to upload ``window``. Idempotent by
    ``client_id`` (keep it for a retry). Returns at once; the clip follows as a request."""
    body = {"start": window.start.astimezone(UTC).isoformat(),
            "end": window.end.astimezone(UTC).isoformat(), "justification": justification,
            "call_ref": call_ref, "case_ref": case_ref, "client_id": client_id or uuid.uuid4().hex}
    return EdgeClip.from_server(client.api("POST", f"/api/edge/channels/{channel_id}/clip", json=body))


def clip_state(client: ServerClient, command_id: str) -> EdgeClip:
    return EdgeClip.from_server(client.api("GET", f"/api/edge/clips/{command_id}"))


def start_live(client: ServerClient, channel_id: str, justification: str, *, call_ref: str = "",
               case_ref: str = "", max_seconds: int | None = None,
               wait_s: float = 0.0) -> EdgeLiveView:
    """POST /api/edge/channels/{id}/live. With ``wait_s``, waits that long for the box to start
    (or refuse). Raises ``EdgeBoxOffline`` / ``EdgeSharingPaused`` / ``EdgeRefused``."""
    body: dict[str, Any] = {"justification": justification, "call_ref": call_ref, "case_ref": case_ref}
    if max_seconds is not None:
        body["max_seconds"] = max_seconds
    answer = client.api("POST", f"/api/edge/channels/{channel_id}/live", json=body)
    view = EdgeLiveView.from_server(answer, client.base_url + answer["stream_path"])
    deadline = time.monotonic() + wait_s
    while view.state == "waiting" and time.monotonic() < deadline:
        time.sleep(POLL_S)
        view = live_state(client, view.session_id, stream_url=view.stream_url)
    return view.check()


def live_state(client: ServerClient, session_id: str, *, stream_url: str = "") -> EdgeLiveView:
    data = client.api("GET", f"/api/edge/live/{session_id}/state")
    return EdgeLiveView.from_server(data, stream_url)


def end_live(client: ServerClient, session_id: str) -> EdgeLiveView:
    """The analyst closes the view: the relay ends and the box is told to stop."""
    return EdgeLiveView.from_server(client.api("POST", f"/api/edge/live/{session_id}/end"))


def edge_error_text(exc: BaseException) -> str:
    """Any error from the calls above, in words for the analyst."""
    if isinstance(exc, EdgeError):
        return str(exc)
    if isinstance(exc, ServerUnreachable):
        return "The RTCC server cannot be reached, so the edge box was not asked. Try again."
    if isinstance(exc, SessionExpired):
        return "Your sign-in has ended. Sign in again, then ask the edge box."
    if isinstance(exc, NotAllowed):
        return "Your account is not allowed to ask edge boxes for footage."
    if isinstance(exc, ServerError):
        if exc.status == 404:
            return "The server no longer knows this edge channel (removed or re-enrolled)."
        if exc.status == 422 and exc.problems:
            fields = "; ".join(f"{f.rsplit('.', 1)[-1]}: {p}" for f, p in exc.problems)
            return f"Check the request — {fields}."
        return exc.detail
    if isinstance(exc, ServerLinkError):
        return str(exc)
    return f"Asking the edge box failed: {exc}"
