"""The desk's HTTP client for the registry server: sign-in and token refresh, health, registry
pages, owner contact details and desk audit delivery.

Blocking (httpx); call it off the GUI thread. One client may be shared between worker
threads: refreshing the token is serialised, and a request that raced a refresh is resent
with the new token.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from rtcc_desk.adapters.server_link.errors import (
    LoginFailed,
    NotAllowed,
    ServerError,
    ServerLinkError,
    ServerUnreachable,
    SessionExpired,
)

__all__ = [
    "AuditReceipt", "DeskAuditRecord", "DeskSession", "LoginFailed", "NotAllowed", "OwnerContact",
    "RegistryChange", "RegistryPage", "ServerClient", "ServerError", "ServerHealth",
    "ServerLinkError", "ServerUnreachable", "SessionExpired",
]

#: Refresh the token when it has less than this left (the server issues 15-minute tokens).
REFRESH_MARGIN = timedelta(seconds=90)
_LOGIN_REASONS = {401: "wrong_credentials", 403: "no_second_factor", 423: "locked",
                  429: "too_many_attempts", 422: "invalid_input"}
_PROXY_DOWN = (502, 503, 504)


@dataclass(frozen=True, slots=True)
class DeskSession:
    """A signed-in analyst. The server has no separate refresh token: the short-lived bearer
    token itself is swapped for a fresh one (never past ``session_ends_at``, one shift)."""

    username: str
    roles: tuple[str, ...]
    access_token: str = field(repr=False)
    expires_at: datetime  # this token, by the desk's clock
    session_ends_at: datetime | None  # when the sign-in ends for good; None if unknown
    second_factor: bool
    demo_mode: bool

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


@dataclass(frozen=True, slots=True)
class ServerHealth:
    reachable: bool
    ok: bool  # reachable and its database answers
    latency_ms: float | None
    detail: str
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class RegistryChange:
    """One camera's state from ``/api/registry/changes``; ``present`` False: drop it."""

    id: str
    present: bool
    sync_version: int
    updated_at: datetime
    kind: str | None = None  # business | residential | edge_channel
    label: str | None = None
    lat: float | None = None
    lon: float | None = None
    bearing: float | None = None
    fov: float | None = None
    range_m: float | None = None
    recorder_type: str | None = None
    retention_days: float | None = None
    edge_box_id: str | None = None  # edge_channel only: the enrolled box and its channel 1..4
    channel: int | None = None


@dataclass(frozen=True, slots=True)
class RegistryPage:
    cursor: int
    more: bool
    changes: tuple[RegistryChange, ...]


@dataclass(frozen=True, slots=True)
class OwnerContact:
    camera_id: str
    name: str
    email: str
    phone: str
    preferred_channel: str
    address: str
    is_business: bool


@dataclass(frozen=True, slots=True)
class DeskAuditRecord:
    """One analyst action for the server's audit trail, as recorded on the desk."""

    client_id: uuid.UUID
    occurred_at: datetime
    action: str
    object: str
    case_ref: str = ""
    justification: str = ""
    outcome: str = "success"

    def to_json(self) -> dict[str, str]:
        return {
            "client_id": str(self.client_id), "occurred_at": self.occurred_at.isoformat(),
            "action": self.action, "object": self.object, "case_ref": self.case_ref,
            "justification": self.justification, "outcome": self.outcome,
        }


@dataclass(frozen=True, slots=True)
class AuditReceipt:
    client_id: uuid.UUID
    seq: int  # the record's number in the server's audit trail
    duplicate: bool  # it was already there (a replay): nothing appended this time


class ServerClient:
    """One registry server, one signed-in analyst at a time."""

    def __init__(
        self, base_url: str, *, timeout_s: float = 10.0, verify: bool | str = True,
        refresh_margin: timedelta = REFRESH_MARGIN, transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.refresh_margin = refresh_margin
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, verify=verify,
                                  transport=transport, headers={"Accept": "application/json"})
        self._lock = threading.RLock()
        self._session: DeskSession | None = None
        self._renew_at = 0.0  # time.monotonic() after which the token is refreshed first

    # ----- signing in ---------------------------------------------------------------------

    @property
    def session(self) -> DeskSession | None:
        return self._session

    def login(self, username: str, password: str, totp_code: str | None = None) -> DeskSession:
        """Sign in; raises LoginFailed with the server's reason (wrong, locked, no factor…)."""
        body = {"username": username, "password": password, "totp": totp_code or None}
        response = self._send("POST", "/api/auth/login", json=body)
        if response.status_code in _LOGIN_REASONS:
            detail = _detail(response)
            if response.status_code == 422:
                detail = "; ".join(f"{f}: {p}" for f, p in _problems(response)) or detail
            raise LoginFailed(_LOGIN_REASONS[response.status_code], detail, response.status_code)
        _raise_for_status(response)
        with self._lock:
            self._adopt(response.json())
            self._load_me()
            return self._session

    def refresh(self) -> DeskSession:
        """Swap the token for a fresh one now (the old one stops working at once)."""
        with self._lock:
            current = self._require_session()
            response = self._send("POST", "/api/auth/refresh", headers=_bearer(current.access_token))
            if response.status_code == 401:
                self._session = None
                raise SessionExpired(_detail(response))
            _raise_for_status(response)
            self._adopt(response.json())
            return self._session

    def logout(self) -> None:
        """End the sign-in on the server (if it can be reached) and forget the token."""
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            try:
                self._send("POST", "/api/auth/logout", headers=_bearer(session.access_token))
            except ServerUnreachable:
                pass  # the token dies by itself within minutes

    # ----- calls --------------------------------------------------------------------------

    def health(self) -> ServerHealth:
        """Is the server up and its database answering? Never raises: for the status bar."""
        started = time.monotonic()
        now = datetime.now(UTC)
        try:
            response = self._send("GET", "/health")
        except ServerUnreachable as exc:
            return ServerHealth(False, False, None, str(exc), now)
        latency = (time.monotonic() - started) * 1000
        ok = response.status_code == 200
        return ServerHealth(True, ok, latency, "ok" if ok else f"HTTP {response.status_code}", now)

    def registry_changes(self, since: int = 0, limit: int = 5000) -> RegistryPage:
        data = self._call("GET", "/api/registry/changes", params={"since": since, "limit": limit})
        changes = tuple(
            RegistryChange(**_known_fields(
                RegistryChange, {**c, "updated_at": datetime.fromisoformat(c["updated_at"])}))
            for c in data["changes"]
        )
        return RegistryPage(cursor=data["cursor"], more=data["more"], changes=changes)

    def owner_contact(self, camera_id: str, justification: str) -> OwnerContact:
        """Private data: the server audits the read with the justification given."""
        data = self._call("GET", f"/api/registry/cameras/{_path(camera_id)}/owner",
                          params={"justification": justification})
        return OwnerContact(**_known_fields(OwnerContact, data))

    def send_audit(self, records: Sequence[DeskAuditRecord]) -> list[AuditReceipt]:
        """Deliver records (in this order); safe to repeat: the server dedupes by client id."""
        data = self._call("POST", "/api/audit/desk", json={"records": [r.to_json() for r in records]})
        return [AuditReceipt(uuid.UUID(r["client_id"]), r["seq"], r["duplicate"])
                for r in data["receipts"]]

    def api(self, method: str, path: str, **kwargs) -> Any:
        """Any authenticated JSON call, for the modules built on this client (requests,
        uploads, shares): same refresh, retry and errors as the methods above."""
        return self._call(method, path, **kwargs)

    def download(self, path: str, target: Path, *, params: dict | None = None,
                 chunk_bytes: int = 1 << 20) -> int:
        """Stream an authenticated GET into ``target`` (written to a .part file, then renamed);
        returns the number of bytes."""
        token = self._fresh_token()
        partial = target.with_name(target.name + ".part")
        try:
            with self._http.stream("GET", path, params=params, headers=_bearer(token)) as response:
                if response.status_code != 200:
                    response.read()
                    _raise_for_status(response)
                size = 0
                with open(partial, "wb") as out:
                    for block in response.iter_bytes(chunk_bytes):
                        out.write(block)
                        size += len(block)
        except httpx.TransportError as exc:
            partial.unlink(missing_ok=True)
            raise ServerUnreachable(f"server at {self.base_url} unreachable: {exc}") from exc
        partial.replace(target)
        return size

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----- plumbing -----------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs) -> Any:
        """An authenticated call: refreshes a token about to expire; one retry after a 401."""
        token = self._fresh_token()
        response = self._send(method, path, headers=_bearer(token), **kwargs)
        if response.status_code == 401:
            with self._lock:
                session = self._require_session()
                if session.access_token == token:  # nobody refreshed meanwhile: try it
                    self.refresh()
                token = self._session.access_token
            response = self._send(method, path, headers=_bearer(token), **kwargs)
            if response.status_code == 401:
                raise SessionExpired(_detail(response))
        _raise_for_status(response)
        return response.json()

    def _fresh_token(self) -> str:
        """The bearer token, refreshed first when it is about to expire."""
        with self._lock:
            self._require_session()
            if time.monotonic() >= self._renew_at:
                self.refresh()
            return self._session.access_token

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:  # connect, read, write, timeout, protocol
            reason = str(exc) or type(exc).__name__
            raise ServerUnreachable(f"server at {self.base_url} unreachable: {reason}") from exc
        if response.status_code in _PROXY_DOWN:
            raise ServerUnreachable(
                f"server at {self.base_url} unavailable (HTTP {response.status_code})")
        return response

    def _require_session(self) -> DeskSession:
        if self._session is None:
            raise SessionExpired("not signed in")
        return self._session

    def _adopt(self, token: dict[str, Any]) -> None:
        lifetime = float(token["expires_in"])
        previous = self._session
        self._session = DeskSession(
            username=token["username"], roles=tuple(token["roles"]),
            access_token=token["access_token"],
            expires_at=datetime.now(UTC) + timedelta(seconds=lifetime),
            session_ends_at=previous.session_ends_at if previous else None,
            second_factor=previous.second_factor if previous else False,
            demo_mode=previous.demo_mode if previous else False,
        )
        # Monotonic, so a workstation clock change neither skips nor storms refreshes.
        self._renew_at = time.monotonic() + lifetime - self.refresh_margin.total_seconds()

    def _load_me(self) -> None:
        session = self._session
        response = self._send("GET", "/api/auth/me", headers=_bearer(session.access_token))
        _raise_for_status(response)
        me = response.json()
        self._session = DeskSession(
            username=session.username, roles=tuple(me["roles"]), access_token=session.access_token,
            expires_at=session.expires_at,
            session_ends_at=datetime.fromisoformat(me["session_ends_at"]),
            second_factor=bool(me["second_factor"]), demo_mode=bool(me["demo_mode"]),
        )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _path(segment: str) -> str:
    return quote(segment, safe="")


def _known_fields(cls, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields ``cls`` has: a newer server may send more."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return detail if isinstance(detail, str) and detail else f"HTTP {response.status_code}"


def _problems(response: httpx.Response) -> tuple[tuple[str, str], ...]:
    try:
        problems = response.json().get("problems") or []
        return tuple((str(p.get("field", "")), str(p.get("problem", ""))) for p in problems)
    except (ValueError, AttributeError):
        return ()


def _raise_for_status(response: httpx.Response) -> None:
    if response.is_success:
        return
    if response.status_code == 401:
        raise SessionExpired(_detail(response))
    error = NotAllowed if response.status_code == 403 else ServerError
    raise error(response.status_code, _detail(response), _problems(response))
