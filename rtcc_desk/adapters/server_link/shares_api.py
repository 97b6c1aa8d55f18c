"""Reviews and officer share links on the registry server: verdict, create, revoke, list, and
the desk's marks on its requests (reviewed, shared, first opened by the officer).

Built on ``ServerClient.api`` (same token refresh and errors: ``ServerError`` with the
server's own ``detail``, ``ServerUnreachable``, ``SessionExpired``). Everything blocks: call it
off the GUI thread. ``share_refusal_text`` turns any of those errors into a sentence for the
analyst.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.errors import (
    NotAllowed,
    ServerError,
    ServerLinkError,
    ServerUnreachable,
    SessionExpired,
)
from rtcc_desk.core.request_queue import RequestState, ShareOpening

#: The server's default and limits for a link's life (``server_stub/routes/shares.py``).
DEFAULT_EXPIRY_HOURS = 72
MAX_EXPIRY_HOURS = 720


@dataclass(frozen=True)
class UploadForShare:
    """What the share dialog needs to know about one upload (from the queue or the player)."""

    id: str
    file_name: str = ""
    camera: str = ""  # the camera's id or name, as the analyst knows it
    case_ref: str = ""

    @classmethod
    def from_server(cls, answer: dict, camera: str = "") -> UploadForShare:
        """From ``GET /api/uploads/{id}`` (the server does not name the camera there)."""
        return cls(id=answer["id"], file_name=answer.get("filename") or "", camera=camera,
                   case_ref=answer.get("case_ref") or "")


@dataclass(frozen=True)
class ReviewResult:
    upload_id: str
    verdict: str  # valuable | not_valuable
    notes: str
    reviewer: str
    at: datetime


@dataclass(frozen=True)
class ShareCreated:
    """A new link: ``url`` is the only time the secret token is seen; ``qr_svg`` is the
    server's own QR drawing of it. Officer, case and access are echoed from the request.
    ``sent_via`` (email | sms) says how the server sent the link to the officer; empty with
    ``send_error`` when it could not, and empty with no error when the desk asked it not to."""

    id: str
    url: str
    expires_at: datetime
    qr_svg: str
    upload_id: str
    officer_name: str
    officer_contact: str
    case_ref: str
    allow_download: bool
    sent_via: str = ""
    send_error: str = ""

    @property
    def access_text(self) -> str:
        return "view and download" if self.allow_download else "view only"

    @property
    def sent_text(self) -> str:
        """How the link reached the officer, in words for the analyst."""
        if self.sent_via:
            how = "by text message" if self.sent_via == "sms" else "by email"
            return f"Link sent {how} to {self.officer_contact}."
        if self.send_error:
            return (f"The link could NOT be sent to {self.officer_contact}: {self.send_error}. "
                    "Let the officer scan the code, or copy the link to them.")
        return "Not sent: let the officer scan the code, or copy the link to them."


@dataclass(frozen=True)
class ShareRecord:
    """One share as ``GET /api/shares`` lists it; ``status`` is active, expired or revoked."""

    id: str
    upload_id: str
    officer_name: str
    officer_contact: str
    case_ref: str
    allow_download: bool
    expires_at: datetime
    revoked_at: datetime | None
    created_by: str
    created_at: datetime
    status: str
    views: int
    last_viewed_at: datetime | None
    first_viewed_at: datetime | None = None

    @property
    def opened(self) -> bool:
        return self.views > 0

    @property
    def opened_at(self) -> datetime | None:
        """The officer's first opening; from a server that does not list it, the only one."""
        if self.first_viewed_at is None and self.views == 1:
            return self.last_viewed_at
        return self.first_viewed_at

    @classmethod
    def from_server(cls, row: dict) -> ShareRecord:
        return cls(
            id=row["id"], upload_id=row["upload_id"], officer_name=row["officer_name"],
            officer_contact=row["officer_contact"], case_ref=row["case_ref"],
            allow_download=bool(row["allow_download"]), expires_at=_time(row["expires_at"]),
            revoked_at=_time(row.get("revoked_at")), created_by=row["created_by"],
            created_at=_time(row["created_at"]), status=row["status"], views=int(row["views"]),
            last_viewed_at=_time(row.get("last_viewed_at")),
            first_viewed_at=_time(row.get("first_viewed_at")),
        )


def review_upload(client: ServerClient, upload_id: str, valuable: bool,
                  notes: str = "") -> ReviewResult:
    """POST /api/uploads/{id}/review. Every verdict is kept; the newest counts. A refused or
    unfinished upload answers 409 (``ServerError``)."""
    answer = client.api("POST", f"/api/uploads/{upload_id}/review",
                        json={"verdict": "valuable" if valuable else "not_valuable",
                              "notes": notes})
    review = answer["review"]
    return ReviewResult(upload_id=answer["id"], verdict=review["verdict"], notes=review["notes"],
                        reviewer=review["reviewer"], at=_time(review["at"]))


def create_share(client: ServerClient, upload_id: str, officer_name: str, officer_contact: str,
                 case_ref: str = "", allow_download: bool = False,
                 expires_hours: int = DEFAULT_EXPIRY_HOURS, *,
                 send_link: bool = True) -> ShareCreated:
    """POST /api/uploads/{id}/shares. Only an upload reviewed valuable can be shared (409
    otherwise); an empty ``case_ref`` means the request's own case. The server sends the link
    to the officer's email or phone unless ``send_link`` is False (a walk-up handover); a
    contact that is neither is a 422."""
    body = {"officer_name": officer_name.strip(), "officer_contact": officer_contact.strip(),
            "case_ref": case_ref.strip(), "allow_download": bool(allow_download),
            "hours": int(expires_hours), "send_link": bool(send_link)}
    answer = client.api("POST", f"/api/uploads/{upload_id}/shares", json=body)
    return ShareCreated(
        id=answer["id"], url=answer["url"], expires_at=_time(answer["expires_at"]),
        qr_svg=answer.get("qr_svg", ""), upload_id=upload_id, officer_name=body["officer_name"],
        officer_contact=body["officer_contact"], case_ref=body["case_ref"],
        allow_download=body["allow_download"], sent_via=answer.get("sent_via") or "",
        send_error=answer.get("send_error") or "",
    )


def revoke_share(client: ServerClient, share_id: str) -> ShareRecord:
    """POST /api/shares/{id}/revoke: the link answers 410 from now on (idempotent)."""
    return ShareRecord.from_server(client.api("POST", f"/api/shares/{share_id}/revoke"))


def list_shares(client: ServerClient, upload_id: str | None = None, *,
                limit: int = 500) -> list[ShareRecord]:
    """GET /api/shares, newest first, each with its views and last view time."""
    params: dict[str, str | int] = {"limit": limit}
    if upload_id:
        params["upload_id"] = upload_id
    return [ShareRecord.from_server(r) for r in client.api("GET", "/api/shares", params=params)]


@dataclass(frozen=True)
class DeskMarks:
    """What the desk shows on top of the server's request states, per request id: reviewed /
    shared (``states``) and the officer's first opening of a share link (``openings``)."""

    states: dict[str, RequestState] = field(default_factory=dict)
    openings: dict[str, ShareOpening] = field(default_factory=dict)


def desk_marks(client: ServerClient, *, limit: int = 5000) -> DeskMarks:
    """Reviewed / shared / opened, from the server's uploads (their verdict in force) and
    shares: the request list only says "uploaded", so a reload or restart rebuilds these."""
    uploads = client.api("GET", "/api/uploads", params={"limit": limit})
    request_of = {u["id"]: u["request_id"] for u in uploads}
    marks = DeskMarks()
    for upload in uploads:
        verdict = (upload.get("review") or {}).get("verdict")
        if verdict == "valuable":
            marks.states[upload["request_id"]] = RequestState.REVIEWED_VALUABLE
        elif verdict == "not_valuable":
            marks.states.setdefault(upload["request_id"], RequestState.REVIEWED_NOT_VALUABLE)
    for share in list_shares(client, limit=limit):
        request_id = request_of.get(share.upload_id)
        if request_id is None:
            continue
        marks.states[request_id] = RequestState.SHARED
        known, at = marks.openings.get(request_id), share.opened_at
        if at is not None and (known is None or at < known.at):
            marks.openings[request_id] = ShareOpening(share.officer_name, at)
    return marks


def share_refusal_text(exc: BaseException) -> str:
    """An error from the calls above, in words for the analyst beside the share form."""
    if isinstance(exc, ServerUnreachable):
        return "The server cannot be reached, so no link was made. Try again in a moment."
    if isinstance(exc, SessionExpired):
        return "Your sign-in has ended. Sign in again, then share."
    if isinstance(exc, NotAllowed):
        return "Your account is not allowed to share footage."
    if isinstance(exc, ServerError):
        if exc.status == 409:
            return ("This footage cannot be shared yet: the server says "
                    f"\"{exc.detail}\". Mark it valuable in review first.")
        if exc.status == 404:
            return "The server no longer has this upload."
        if exc.status == 422 and exc.problems:
            fields = "; ".join(f"{_field(f)}: {p}" for f, p in exc.problems)
            return f"Check the form — {fields}."
        return f"The server refused the share: {exc.detail}"
    if isinstance(exc, ServerLinkError):
        return str(exc)
    return f"Sharing failed: {exc}"


_FIELDS = {"officer_name": "officer's name", "officer_contact": "phone or email",
           "case_ref": "case", "hours": "expiry"}


def _field(location: str) -> str:
    return _FIELDS.get(location.rsplit(".", 1)[-1], location)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
