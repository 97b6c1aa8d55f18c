"""Footage requests on the registry server: create, list, fetch, and follow its event stream.

Built on ``ServerClient.api`` (same token refresh and errors). Everything blocks: call it off
the GUI thread. ``EventStream`` reads ``GET /api/events`` (server-sent events) with httpx
streaming and resumes after the last id it saw (``Last-Event-ID``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.errors import (
    ServerError,
    ServerLinkError,
    ServerUnreachable,
    SessionExpired,
)
from rtcc_desk.adapters.server_link.shares_api import desk_marks
from rtcc_desk.core.request_queue import (
    FootageRequest,
    RequestDraft,
    RequestState,
    RequestWindow,
    ServerEvent,
)

log = logging.getLogger("rtcc.desk.requests")

#: The server sends a keepalive comment every 15 s; silence much longer than that is a dead link.
READ_TIMEOUT_S = 45.0
#: Reconnect delays after a failure, growing up to the last one.
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0)


def create_requests(client: ServerClient, camera_ids, window: RequestWindow, call_ref: str,
                    case_ref: str, justification: str, client_id: str) -> list[FootageRequest]:
    """POST /api/requests: one request per camera, each owner contacted (see ``channel`` and
    ``delivery_error``). Idempotent by ``client_id``: a retry returns the first answer."""
    body = {
        "client_id": client_id, "camera_ids": list(camera_ids),
        "window_start": window.start.astimezone(UTC).isoformat(),
        "window_end": window.end.astimezone(UTC).isoformat(),
        "call_ref": call_ref, "case_ref": case_ref, "justification": justification,
    }
    return [FootageRequest.from_server(r) for r in client.api("POST", "/api/requests", json=body)]


def send_draft(client: ServerClient, draft: RequestDraft) -> list[FootageRequest]:
    return create_requests(client, draft.camera_ids, draft.window, draft.call_ref, draft.case_ref,
                           draft.justification, draft.client_id)


def list_requests(client: ServerClient, *, case_ref: str | None = None, status: str | None = None,
                  limit: int = 5000) -> list[FootageRequest]:
    """GET /api/requests, newest first (the server audits the listing)."""
    params: dict[str, str | int] = {"limit": limit}
    if case_ref:
        params["case_ref"] = case_ref
    if status:
        params["status"] = status
    answer = client.api("GET", "/api/requests", params=params)
    return [FootageRequest.from_server(r) for r in answer]


def get_request(client: ServerClient, request_id: str) -> FootageRequest:
    return FootageRequest.from_server(client.api("GET", f"/api/requests/{request_id}"))


class EventStream:
    """One desk's follow of ``GET /api/events``; ``last_event_id`` carries over reconnects.

    ``read()`` yields events of one connection until the server ends it (the token's expiry) or
    the link breaks; ``follow()`` reconnects for ever (fresh token, last id) until ``stop()``.
    ``stop()`` may be called from any thread: it closes the connection under a blocked read.
    """

    def __init__(self, client: ServerClient, last_event_id: int | None = None, *,
                 read_timeout_s: float = READ_TIMEOUT_S,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.client = client
        self.last_event_id = last_event_id
        self._timeout = httpx.Timeout(10.0, read=read_timeout_s)
        self._transport = transport
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            http, self._http = self._http, None
        if http is not None:
            http.close()

    def read(self, *, until_idle: bool = False) -> Iterator[ServerEvent]:
        """One connection's events, ``ready`` first. Raises ServerUnreachable / SessionExpired /
        ServerError; returns when the server ends the stream or ``stop()`` was called."""
        token = self._fresh_token()
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        params = {"until_idle": "true"} if until_idle else None
        http = httpx.Client(base_url=self.client.base_url, timeout=self._timeout,
                            transport=self._transport)
        with self._lock:
            if self._stopped.is_set():
                http.close()
                return
            self._http = http
        try:
            with http.stream("GET", "/api/events", headers=headers, params=params) as response:
                if response.status_code != 200:
                    response.read()
                    _raise(response)
                for event in parse_sse(response.iter_lines()):
                    self.last_event_id = event.event_id
                    yield event
        except (httpx.TransportError, RuntimeError) as exc:  # RuntimeError: closed by stop()
            if not self._stopped.is_set():
                raise ServerUnreachable(
                    f"event stream from {self.client.base_url} broke: {exc}") from exc
        finally:
            with self._lock:
                if self._http is http:
                    self._http = None
            http.close()

    def follow(self, on_events: Callable[[list[ServerEvent]], None],
               on_link: Callable[[bool, str], None] | None = None,
               sleep: Callable[[float], bool] | None = None) -> None:
        """Deliver events (in batches of one) until ``stop()``; ``on_link(up, detail)`` is told
        when the stream connects and when it breaks. Errors other than link errors propagate."""
        wait = sleep or (lambda seconds: self._stopped.wait(seconds))
        failures = 0
        while not self._stopped.is_set():
            try:
                for event in self.read():
                    if event.kind == "ready" and on_link is not None:
                        on_link(True, "connected")
                    failures = 0
                    on_events([event])
                    if self._stopped.is_set():
                        return
            except SessionExpired as exc:
                if on_link is not None:
                    on_link(False, f"signed out: {exc}")
                return  # a new sign-in starts a new follow
            except ServerLinkError as exc:
                if on_link is not None:
                    on_link(False, str(exc))
                failures += 1
            if self._stopped.is_set():
                return
            wait(BACKOFF_S[min(failures, len(BACKOFF_S) - 1)])

    def _fresh_token(self) -> str:
        session = self.client.session
        if session is None:
            raise SessionExpired("not signed in")
        left = session.expires_at - datetime.now(UTC)
        if left < self.client.refresh_margin + timedelta(seconds=5):
            session = self.client.refresh()
        return session.access_token


def parse_sse(lines: Iterator[str]) -> Iterator[ServerEvent]:
    """Server-sent events from text lines (the ``text/event-stream`` format): ``id``, ``event``
    and ``data`` fields, a blank line ends an event, ``:`` lines are comments (keepalives)."""
    event_id, kind, data = None, "message", []
    for line in lines:
        if line == "":
            if data and event_id is not None:
                yield _event(int(event_id), kind, "\n".join(data))
            event_id, kind, data = None, "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "id":
            event_id = value
        elif name == "event":
            kind = value
        elif name == "data":
            data.append(value)


def _event(event_id: int, kind: str, text: str) -> ServerEvent:
    payload = json.loads(text)
    if kind == "ready":  # the ready event's data is its own: {cursor, resync, reason}
        return ServerEvent(event_id, kind, payload)
    return ServerEvent(event_id, payload.get("kind", kind), payload.get("data") or {},
                       str(payload.get("object_id", "")))


def _raise(response: httpx.Response) -> None:
    try:
        detail = response.json().get("detail") or f"HTTP {response.status_code}"
    except ValueError:
        detail = f"HTTP {response.status_code}"
    if response.status_code == 401:
        raise SessionExpired(str(detail))
    if response.status_code in (502, 503, 504):
        raise ServerUnreachable(f"event stream unavailable (HTTP {response.status_code})")
    raise ServerError(response.status_code, str(detail), ())


def desk_states(client: ServerClient, *, limit: int = 5000) -> dict[str, RequestState]:
    """Reviewed / shared, per request id: ``shares_api.desk_marks`` without the openings."""
    return desk_marks(client, limit=limit).states
