"""The desk's live feed: GET /api/events streams state changes as server-sent events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from server_stub import events
from server_stub.auth import CurrentToken, DeskUser
from server_stub.deps import ServicesDep, SessionDep

router = APIRouter(prefix="/api/events", tags=["events"])

DESCRIPTION = """\
`text/event-stream`. First a `ready` event whose id is the start cursor (`resync: true` means
reload state from the REST API first; its `reason` is `no_cursor`, `unknown_cursor` for an id this
server never gave, or `pruned` when the events after that id are past the retention and gone),
then every event after `Last-Event-ID` (or `?after=`), then new ones as they commit, with a
`: keepalive` comment every 15 s. Event kinds:
`request.created`, `request.status`, `request.reminder`, `upload.created`, `upload.progress`,
`upload.complete`, `upload.terminated`, `upload.expired`, `registry.change`. Each `data` is JSON:
`{id, at, kind, object_id, data}`. The stream ends when the bearer token expires: reconnect with a
fresh token and the last id received.
"""


@router.get("", response_class=StreamingResponse, description=DESCRIPTION,
            responses={200: {"content": {"text/event-stream": {}}}})
def follow(
    request: Request, _user: DeskUser, token: CurrentToken, session: SessionDep, services: ServicesDep,
    after: Annotated[int | None, Query(ge=0, description="Replay events after this id")] = None,
    last_event_id: Annotated[str | None, Header(description="Set by reconnecting clients")] = None,
    until_idle: Annotated[bool, Query(description="End after the replay (tests, tools)")] = False,
) -> StreamingResponse:
    if last_event_id is not None and last_event_id.strip():
        if not last_event_id.strip().isdigit():
            raise HTTPException(400, detail="Last-Event-ID must be an event id")
        after = int(last_event_id.strip())
    ends_at = token.expires_at
    # The stream may run for minutes: give back the login check's connection and transaction now.
    session.close()
    body = events.stream(services.sessions, after, is_disconnected=request.is_disconnected,
                         until_idle=until_idle, ends_at=ends_at)
    return StreamingResponse(body, media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})  # nginx: do not buffer the stream
