"""The footage request queue: request states, urgency order, escalation, and server events applied.

Pure Python (no Qt, no HTTP): the desk's queue pane watches a ``RequestQueue`` and the server
link feeds it the records of ``GET /api/requests`` and the events of ``GET /api/events``.
Urgency is time left until the owner's recorder overwrites the window; a request with no
answer whose deadline is near is flagged for escalation (send an officer to canvass).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

#: The default request window around the incident time.
WINDOW_BEFORE = WINDOW_AFTER = timedelta(minutes=15)
#: An unanswered request this close to its overwrite deadline needs someone to act.
ESCALATE_WITHIN = timedelta(hours=24)
#: Where the server reminds owners (its REMINDER_POINTS); the desk shows the ones passed.
REMINDER_POINTS = (timedelta(hours=72), timedelta(hours=24))


class RequestState(enum.Enum):
    """Where a footage request stands, as the analyst reads it (value: the server's word)."""

    SENT = "sent"
    OPENED = "opened"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    NO_RELEVANT_FOOTAGE = "no_relevant_footage"
    DECLINED = "declined"
    EXPIRED = "expired"
    REVIEWED_VALUABLE = "reviewed_valuable"
    REVIEWED_NOT_VALUABLE = "reviewed_not_valuable"
    SHARED = "shared"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def awaiting_owner(self) -> bool:
        """No answer from the owner yet: the deadline still threatens the footage."""
        return self in (RequestState.SENT, RequestState.OPENED)


_LABELS = {
    RequestState.SENT: "sent", RequestState.OPENED: "opened", RequestState.UPLOADING: "uploading",
    RequestState.UPLOADED: "uploaded", RequestState.NO_RELEVANT_FOOTAGE: "no relevant footage",
    RequestState.DECLINED: "declined", RequestState.EXPIRED: "expired",
    RequestState.REVIEWED_VALUABLE: "reviewed: valuable",
    RequestState.REVIEWED_NOT_VALUABLE: "reviewed: not valuable", RequestState.SHARED: "shared",
}
#: States the server itself reports for a request (the others are the desk's review and share).
SERVER_STATES = {s.value: s for s in list(RequestState)[:7]}


@dataclass(frozen=True, slots=True)
class RequestWindow:
    """The stretch of recording asked for, UTC with the zone attached, to the minute."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a request window needs times with a zone")
        if self.end <= self.start:
            raise ValueError("the window must end after it starts")

    @classmethod
    def around(cls, incident: datetime, before: timedelta = WINDOW_BEFORE,
               after: timedelta = WINDOW_AFTER) -> RequestWindow:
        """Incident time −15 min to +15 min, on whole minutes."""
        minute = incident.replace(second=0, microsecond=0)
        return cls(minute - before, minute + after)


@dataclass(frozen=True, slots=True)
class RequestDraft:
    """What the analyst asks for in one go; the server makes one request per camera.

    ``client_id`` is made once per draft: sending it again (a retry, the offline queue) can
    never create the requests twice.
    """

    camera_ids: tuple[str, ...]
    window: RequestWindow
    justification: str
    call_ref: str = ""
    case_ref: str = ""
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        if not self.camera_ids:
            raise ValueError("name at least one camera")
        if len(self.justification.strip()) < 3:
            raise ValueError("a justification is required")


@dataclass(frozen=True, slots=True)
class FootageRequest:
    """One camera's request, as the queue shows it."""

    request_id: str
    camera_id: str
    state: RequestState
    client_id: str = ""
    channel: str = ""  # email | sms: how the owner was contacted
    delivery_error: str = ""  # the link could not be sent (the server's reason)
    call_ref: str = ""
    case_ref: str = ""
    analyst: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    overwrite_deadline: datetime | None = None
    created_at: datetime | None = None
    opened_at: datetime | None = None
    answered_at: datetime | None = None
    upload_percent: int | None = None
    reminders_sent: int = 0
    complete: bool = True  # False: known from an event only; fetch the full record
    shared_opened_at: datetime | None = None  # when an officer first opened a share link
    shared_opened_by: str = ""  # that officer, as the analyst named them in the share

    @property
    def awaiting_owner(self) -> bool:
        return self.state.awaiting_owner

    def time_left(self, now: datetime) -> timedelta | None:
        return None if self.overwrite_deadline is None else self.overwrite_deadline - now

    @classmethod
    def from_server(cls, data: Mapping[str, Any]) -> FootageRequest:
        """A record of ``GET/POST /api/requests`` (times as ISO strings or datetimes)."""
        return cls(
            request_id=data["id"], camera_id=data["camera_id"], state=_state(data["status"]),
            client_id=data.get("client_id", ""), channel=data.get("channel", ""),
            delivery_error=data.get("delivery_error", "") or "",
            call_ref=data.get("call_ref", "") or "", case_ref=data.get("case_ref", "") or "",
            analyst=data.get("analyst", "") or "",
            window_start=_time(data.get("window_start")), window_end=_time(data.get("window_end")),
            overwrite_deadline=_time(data.get("overwrite_deadline")),
            created_at=_time(data.get("created_at")), opened_at=_time(data.get("opened_at")),
            answered_at=_time(data.get("answered_at")),
        )


def _state(status: str) -> RequestState:
    try:
        return RequestState(status)
    except ValueError:
        raise ValueError(f"unknown request state {status!r}") from None


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class ShareOpening:
    """The first time an officer opened a share link of a request's footage (UTC, zoned)."""

    officer_name: str
    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a share opening needs a time with a zone")


@dataclass(frozen=True, slots=True)
class ServerEvent:
    """One event of the server's stream: ``kind`` ("request.status", "ready", …) and its data."""

    event_id: int
    kind: str
    data: Mapping[str, Any]
    object_id: str = ""

    @property
    def resync(self) -> bool:
        """A ``ready`` event asking the desk to reload its state from the REST API."""
        return self.kind == "ready" and bool(self.data.get("resync"))


def urgency_key(request: FootageRequest, now: datetime) -> tuple:
    """Most urgent first: waiting for the owner, by time left (overwritten ones after live
    ones); then no known deadline; then answered requests, newest first."""
    if request.awaiting_owner:
        left = request.time_left(now)
        if left is None:
            return (1, 0.0, request.request_id)
        overdue = left <= timedelta(0)
        return (0, int(overdue), left.total_seconds() if not overdue else -left.total_seconds(),
                request.request_id)
    created = request.created_at.timestamp() if request.created_at else 0.0
    return (2, -created, request.request_id)


def needs_escalation(request: FootageRequest, now: datetime,
                     within: timedelta = ESCALATE_WITHIN) -> bool:
    """No answer while the deadline is near (or passed but the link still works)."""
    left = request.time_left(now)
    return request.awaiting_owner and left is not None and left <= within


def reminders_due(request: FootageRequest, now: datetime,
                  points: Iterable[timedelta] = REMINDER_POINTS) -> int:
    """How many reminder points the deadline has passed while the owner has not answered."""
    if not request.awaiting_owner or request.overwrite_deadline is None:
        return 0
    return sum(1 for point in points if request.overwrite_deadline - point <= now)


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """What the queue shows: empty fields and no states mean everything."""

    call_ref: str = ""
    case_ref: str = ""
    states: frozenset[RequestState] = frozenset()
    analyst: str = ""

    def matches(self, request: FootageRequest) -> bool:
        return (
            _contains(request.call_ref, self.call_ref)
            and _contains(request.case_ref, self.case_ref)
            and _contains(request.analyst, self.analyst)
            and (not self.states or request.state in self.states)
        )


def _contains(value: str, wanted: str) -> bool:
    return not wanted.strip() or wanted.strip().lower() in value.lower()


@dataclass(frozen=True, slots=True)
class QueueChange:
    """What one update did: requests changed (ids), ones the queue knows only by an event
    (fetch them), and whether the whole state must be reloaded from the server."""

    changed: frozenset[str] = frozenset()
    incomplete: frozenset[str] = frozenset()
    resync: bool = False


Listener = Callable[[QueueChange], None]
_REQUEST_EVENTS = ("request.created", "request.status", "request.reminder")
_UPLOAD_EVENTS = ("upload.created", "upload.progress", "upload.complete", "upload.terminated",
                  "upload.expired")
SHARE_VIEWED = "share.viewed"


class RequestQueue:
    """Every footage request the desk knows, kept current by server records and events.

    Listeners are called with a ``QueueChange`` after each update (on the caller's thread: the
    UI feeds it on the GUI thread). The desk's own review verdicts and shares are kept across
    server updates, since the server's request state stays "uploaded"; so is the first time an
    officer opened a share link (the "share.viewed" event, or the shares list on a reload).
    """

    def __init__(self, *, escalate_within: timedelta = ESCALATE_WITHIN,
                 reminder_points: Iterable[timedelta] = REMINDER_POINTS) -> None:
        self.escalate_within = escalate_within
        self.reminder_points = tuple(reminder_points)
        self._requests: dict[str, FootageRequest] = {}
        self._desk_states: dict[str, RequestState] = {}  # review / share, by request id
        self._openings: dict[str, ShareOpening] = {}  # an officer's first view, by request id
        self._listeners: list[Listener] = []
        self.last_event_id: int | None = None

    # ----- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._requests)

    def get(self, request_id: str) -> FootageRequest | None:
        return self._requests.get(request_id)

    def requests(self) -> list[FootageRequest]:
        return list(self._requests.values())

    def ordered(self, now: datetime, wanted: RequestFilter | None = None) -> list[FootageRequest]:
        """The requests to show, most urgent first."""
        shown = (r for r in self._requests.values() if wanted is None or wanted.matches(r))
        return sorted(shown, key=lambda r: urgency_key(r, now))

    def escalations(self, now: datetime) -> list[FootageRequest]:
        flagged = (r for r in self._requests.values() if self.needs_escalation(r, now))
        return sorted(flagged, key=lambda r: urgency_key(r, now))  # sort the few, not the queue

    def needs_escalation(self, request: FootageRequest, now: datetime) -> bool:
        return needs_escalation(request, now, self.escalate_within)

    def reminders_due(self, request: FootageRequest, now: datetime) -> int:
        return reminders_due(request, now, self.reminder_points)

    def values_of(self, attribute: str) -> list[str]:
        """The distinct non-empty values of a text field (call_ref, case_ref, analyst)."""
        return sorted({getattr(r, attribute) for r in self._requests.values()} - {""})

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # ----- changing -----------------------------------------------------------------------

    def upsert(self, requests: Iterable[FootageRequest]) -> QueueChange:
        """Add or replace requests (a create answer, a detail fetched)."""
        changed = frozenset(self._store(r) for r in requests)
        return self._tell(QueueChange(changed=changed))

    def reconcile(self, requests: Iterable[FootageRequest]) -> QueueChange:
        """The server's full list after a (re)connect: it wins, apart from the desk's verdicts
        and an upload percentage it does not list."""
        fresh = {r.request_id: r for r in requests}
        gone = set(self._requests) - set(fresh)
        for request_id in gone:
            del self._requests[request_id]
        changed = {self._store(r) for r in fresh.values()
                   if self._requests.get(r.request_id) != self._merged(r)}
        return self._tell(QueueChange(changed=frozenset(changed | gone)))

    def mark_reviewed(self, request_id: str, valuable: bool) -> QueueChange:
        state = RequestState.REVIEWED_VALUABLE if valuable else RequestState.REVIEWED_NOT_VALUABLE
        return self._desk_state(request_id, state)

    def mark_shared(self, request_id: str) -> QueueChange:
        return self._desk_state(request_id, RequestState.SHARED)

    def mark_share_opened(self, request_id: str, opening: ShareOpening) -> QueueChange:
        """An officer opened a share link: the request is shared, and the earliest opening of
        any of its links is the one shown. Kept for a request the queue does not know yet."""
        changed = self._note_opening(request_id, opening)
        return self._tell(QueueChange(changed=frozenset({request_id} if changed else ())))

    def restore_desk_marks(self, states: Mapping[str, RequestState],
                           openings: Mapping[str, ShareOpening] | None = None) -> QueueChange:
        """Verdicts, shares and officers' first openings as the server lists them (a reload, a
        restarted desk), for the requests the queue knows; listeners are told once."""
        changed = set()
        for request_id, state in states.items():
            current = self._requests.get(request_id)
            if current is not None and self._set_desk_state(current, state) != current:
                changed.add(request_id)
        for request_id, opening in (openings or {}).items():
            if request_id in self._requests and self._note_opening(request_id, opening):
                changed.add(request_id)
        return self._tell(QueueChange(changed=frozenset(changed)))

    def apply_events(self, events: Iterable[ServerEvent]) -> QueueChange:
        """Apply a batch of stream events in order; replays of events already seen are ignored."""
        changed, incomplete, resync = set(), set(), False
        for event in events:
            if event.kind == "ready":
                resync = resync or event.resync
                self.last_event_id = event.event_id
                continue
            if self.last_event_id is not None and event.event_id <= self.last_event_id:
                continue
            self.last_event_id = event.event_id
            request_id = self._apply(event)
            if request_id is not None:
                changed.add(request_id)
                if not self._requests[request_id].complete:
                    incomplete.add(request_id)
        return self._tell(QueueChange(frozenset(changed), frozenset(incomplete), resync))

    def apply_event(self, event: ServerEvent) -> QueueChange:
        return self.apply_events([event])

    # ----- inside -------------------------------------------------------------------------

    def _apply(self, event: ServerEvent) -> str | None:
        data = event.data
        request_id = data.get("request_id")
        if not request_id:
            return None
        if event.kind == SHARE_VIEWED:
            at = _time(data.get("at"))
            if at is None:
                return None
            opening = ShareOpening(str(data.get("officer_name", "") or ""), at)
            return request_id if self._note_opening(request_id, opening) else None
        current = self._requests.get(request_id)
        if event.kind in _REQUEST_EVENTS:
            state = SERVER_STATES.get(data.get("status", ""))
            if state is None:
                return None
            base = current or FootageRequest(request_id=request_id,
                                             camera_id=data.get("camera_id", ""), state=state,
                                             complete=False)
            percent = base.upload_percent if state is RequestState.UPLOADING else (
                100 if state is RequestState.UPLOADED else None)
            self._store(replace(
                base, state=state, client_id=data.get("client_id", base.client_id),
                delivery_error=data.get("delivery_error", "") or "",
                reminders_sent=int(data.get("reminders_sent", base.reminders_sent) or 0),
                upload_percent=percent))
            return request_id
        if event.kind in _UPLOAD_EVENTS and current is not None:
            percent = int(data.get("percent", 0) or 0)
            if event.kind == "upload.complete":
                percent = 100
            state = current.state
            if state.awaiting_owner and event.kind in ("upload.created", "upload.progress"):
                state = RequestState.UPLOADING
            self._store(replace(current, state=state, upload_percent=percent))
            return request_id
        return None

    def _merged(self, request: FootageRequest) -> FootageRequest:
        desk = self._desk_states.get(request.request_id)
        if desk is not None and request.state is RequestState.UPLOADED:
            request = replace(request, state=desk)
        opening = self._openings.get(request.request_id)
        if opening is not None:
            request = replace(request, shared_opened_at=opening.at,
                              shared_opened_by=opening.officer_name)
        current = self._requests.get(request.request_id)
        unknown_percent = request.upload_percent is None and current is not None
        if request.state is RequestState.UPLOADING and unknown_percent:
            request = replace(request, upload_percent=current.upload_percent)
        if request.state is RequestState.UPLOADED:
            request = replace(request, upload_percent=100)
        return request

    def _store(self, request: FootageRequest) -> str:
        self._requests[request.request_id] = self._merged(request)
        return request.request_id

    def _desk_state(self, request_id: str, state: RequestState) -> QueueChange:
        current = self._requests.get(request_id)
        if current is None:
            raise KeyError(request_id)
        self._set_desk_state(current, state)
        return self._tell(QueueChange(changed=frozenset({request_id})))

    def _set_desk_state(self, current: FootageRequest, state: RequestState) -> FootageRequest:
        """A review never takes a request back from "shared"; returns the row as now stored."""
        if current.state is not RequestState.SHARED or state is RequestState.SHARED:
            self._desk_states[current.request_id] = state
            self._requests[current.request_id] = replace(current, state=state)
        return self._requests[current.request_id]

    def _note_opening(self, request_id: str, opening: ShareOpening) -> bool:
        """Keep the earliest opening and mark the request shared; True if a shown row changed."""
        known = self._openings.get(request_id)
        if known is None or opening.at < known.at:
            self._openings[request_id] = opening
        self._desk_states[request_id] = RequestState.SHARED
        current = self._requests.get(request_id)
        if current is None:
            return False
        first = self._openings[request_id]
        updated = replace(current, state=RequestState.SHARED, shared_opened_at=first.at,
                          shared_opened_by=first.officer_name)
        self._requests[request_id] = updated
        return updated != current

    def _tell(self, change: QueueChange) -> QueueChange:
        if change.changed or change.resync:
            for listener in list(self._listeners):
                listener(change)
        return change
