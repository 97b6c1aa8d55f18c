"""City pole cameras on the registry server: sync them as PoleCameras, push the inventory,
record privacy review decisions, start and end audited unmasked views.

Built on ``ServerClient.api`` (same token refresh and errors: ``ServerError`` with the server's
own ``detail``, ``NotAllowed``, ``ServerUnreachable``, ``SessionExpired``). Everything blocks:
call it off the GUI thread. ``city_camera_refusal_text`` turns any of those errors into a
sentence for the analyst, the reviewer or the supervisor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.errors import (
    NotAllowed,
    ServerError,
    ServerLinkError,
    ServerUnreachable,
    SessionExpired,
)
from rtcc_desk.core.cameras import PoleCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.privacy_review import Masks, PrivacyReview, check_masks, masks_as_lists
from rtcc_desk.core.request_queue import ServerEvent

#: The event the server publishes on every change of a city camera (review state, masks, …).
EVENT_KIND = "city_camera.change"
#: Cameras per inventory request (the server takes up to 5000).
INVENTORY_BATCH = 1000

Action = Literal["list", "inventory", "review", "unmask"]


@dataclass(frozen=True)
class CityCameraState:
    """A city camera as the server keeps it: the desk's record plus its review's paper trail.

    ``sync_version`` is what a reviewer's decision quotes as ``seen_version``: a camera changed
    after the reviewer opened it refuses the decision.
    """

    camera: PoleCamera
    sync_version: int
    review_note: str = ""
    pending_reason: str = ""  # why it went back to pending after an edit
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

    @property
    def camera_id(self) -> str:
        return self.camera.camera_id

    @classmethod
    def from_server(cls, row: dict[str, Any]) -> CityCameraState:
        camera = PoleCamera(
            camera_id=row["id"], name=row.get("name") or "",
            location=LatLon(row["lat"], row["lon"]),
            view=View(row.get("bearing"), row["fov"], row["range_m"]),
            retention_days=row.get("retention_days"), withdrawn=not row.get("present", True),
            pole_id=row["pole_id"], position_on_pole=row["position"],
            main_stream_url=row.get("main_stream_url") or "",
            sub_stream_url=row.get("sub_stream_url") or "",
            privacy_review=PrivacyReview(row["review_state"]),
            privacy_masks=row.get("masks") or (),
        )
        return cls(camera=camera, sync_version=int(row["sync_version"]),
                   review_note=row.get("review_note") or "",
                   pending_reason=row.get("pending_reason") or "",
                   reviewed_by=row.get("reviewed_by"), reviewed_at=_time(row.get("reviewed_at")))


@dataclass(frozen=True)
class CityCameraPage:
    cursor: int
    more: bool
    cameras: tuple[CityCameraState, ...]


@dataclass(frozen=True)
class CityCameraSync:
    """Everything changed since a cursor: cameras to add or replace, ids to drop."""

    cursor: int
    cameras: tuple[CityCameraState, ...]
    removed: tuple[str, ...]

    @property
    def pole_cameras(self) -> list[PoleCamera]:
        return [state.camera for state in self.cameras]


@dataclass
class InventoryResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    #: camera id → why it went back to pending review ("bearing 120° → 135°", …)
    sent_to_review: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class UnmaskedView:
    """A supervisor's view of a camera without its masks; the desk masks the camera again at
    ``ends_by`` even if nobody ends the view (the server ends it there too)."""

    id: str
    camera_id: str
    username: str
    justification: str
    started_at: datetime
    ends_by: datetime
    ended_at: datetime | None
    end_reason: str | None

    def active(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.ends_by

    @classmethod
    def from_server(cls, row: dict[str, Any]) -> UnmaskedView:
        return cls(id=row["id"], camera_id=row["camera_id"], username=row["username"],
                   justification=row["justification"], started_at=_time(row["started_at"]),
                   ends_by=_time(row["ends_by"]), ended_at=_time(row.get("ended_at")),
                   end_reason=row.get("end_reason"))


@dataclass(frozen=True)
class CityCameraChange:
    """A ``city_camera.change`` event: enough for an open wall to drop or re-mask a tile at once."""

    camera_id: str
    sync_version: int
    review_state: PrivacyReview
    in_service: bool
    masks: Masks
    pending_reason: str = ""


# ----- calls ------------------------------------------------------------------------------


def fetch_city_cameras(client: ServerClient, since: int = 0, limit: int = 1000) -> CityCameraPage:
    """GET /api/city-cameras: one page of cameras changed after ``since``, oldest change first."""
    data = client.api("GET", "/api/city-cameras", params={"since": since, "limit": limit})
    return CityCameraPage(cursor=data["cursor"], more=data["more"],
                          cameras=tuple(CityCameraState.from_server(r) for r in data["cameras"]))


def sync_city_cameras(client: ServerClient, since: int = 0) -> CityCameraSync:
    """Every page after ``since``: withdrawn cameras come back as ids to drop."""
    cameras: dict[str, CityCameraState] = {}
    removed: set[str] = set()
    cursor, more = since, True
    while more:
        page = fetch_city_cameras(client, cursor)
        for state in page.cameras:
            if state.camera.withdrawn:
                cameras.pop(state.camera_id, None)
                removed.add(state.camera_id)
            else:
                removed.discard(state.camera_id)
                cameras[state.camera_id] = state
        cursor, more = page.cursor, page.more
    return CityCameraSync(cursor=cursor, cameras=tuple(cameras.values()),
                          removed=tuple(sorted(removed)))


def get_city_camera(client: ServerClient, camera_id: str) -> CityCameraState:
    return CityCameraState.from_server(client.api("GET", f"/api/city-cameras/{camera_id}"))


def push_inventory(client: ServerClient, cameras: Iterable[PoleCamera], *,
                   send_masks: bool = False) -> InventoryResult:
    """POST /api/city-cameras/inventory (admin), in batches. The server never approves from an
    import: new cameras and cameras whose view changed go to pending review. Masks are sent only
    with ``send_masks`` (an import file does not know them; the reviewer draws them)."""
    result = InventoryResult()
    batch: list[dict[str, Any]] = []
    for camera in cameras:
        batch.append(_inventory_row(camera, send_masks))
        if len(batch) == INVENTORY_BATCH:
            _send_batch(client, batch, result)
            batch = []
    if batch:
        _send_batch(client, batch, result)
    return result


def _inventory_row(camera: PoleCamera, send_masks: bool) -> dict[str, Any]:
    if camera.location is None:
        raise ValueError(f"city camera {camera.camera_id} has no position")
    return {
        "id": camera.camera_id, "pole_id": camera.pole_id, "position": camera.position_on_pole,
        "name": camera.name, "lat": camera.location.lat, "lon": camera.location.lon,
        "bearing": camera.view.bearing, "fov": camera.view.fov, "range_m": camera.view.range_m,
        "retention_days": camera.retention_days, "main_stream_url": camera.main_stream_url,
        "sub_stream_url": camera.sub_stream_url, "withdrawn": camera.withdrawn,
        "masks": masks_as_lists(camera.privacy_masks) if send_masks else None,
    }


def _send_batch(client: ServerClient, batch: list[dict[str, Any]], result: InventoryResult) -> None:
    answer = client.api("POST", "/api/city-cameras/inventory", json={"cameras": batch})
    result.created += answer["created"]
    result.updated += answer["updated"]
    result.unchanged += answer["unchanged"]
    result.withdrawn += answer["withdrawn"]
    for item in answer["sent_to_review"]:
        result.sent_to_review[item["camera_id"]] = tuple(item["reasons"])


def record_review(client: ServerClient, camera_id: str, *, approve: bool, seen_version: int,
                  note: str = "", masks: Sequence | None = None) -> CityCameraState:
    """POST /api/city-cameras/{id}/review (privacy reviewer). ``masks`` None keeps the current
    ones; a rejection needs a note. Refused (409) if the camera changed since ``seen_version``."""
    body: dict[str, Any] = {"decision": "approve" if approve else "reject", "note": note,
                            "seen_version": seen_version}
    if masks is not None:
        body["masks"] = masks_as_lists(check_masks(masks))
    answer = client.api("POST", f"/api/city-cameras/{camera_id}/review", json=body)
    return CityCameraState.from_server(answer)


def start_unmasked_view(client: ServerClient, camera_id: str, justification: str) -> UnmaskedView:
    """POST /api/city-cameras/{id}/unmasked-views (supervisor, with a justification; audited)."""
    answer = client.api("POST", f"/api/city-cameras/{camera_id}/unmasked-views",
                        json={"justification": justification})
    return UnmaskedView.from_server(answer)


def end_unmasked_view(client: ServerClient, view_id: str) -> UnmaskedView:
    """POST /api/unmasked-views/{id}/end (idempotent; audited with the end time)."""
    return UnmaskedView.from_server(client.api("POST", f"/api/unmasked-views/{view_id}/end"))


def list_unmasked_views(client: ServerClient, *, open_only: bool = False,
                        camera_id: str | None = None) -> list[UnmaskedView]:
    params: dict[str, Any] = {"open_only": open_only}
    if camera_id:
        params["camera_id"] = camera_id
    return [UnmaskedView.from_server(r) for r in client.api("GET", "/api/unmasked-views",
                                                            params=params)]


def city_camera_change(event: ServerEvent) -> CityCameraChange | None:
    """The change an event describes, or None for any other kind of event."""
    if event.kind != EVENT_KIND:
        return None
    data = event.data
    return CityCameraChange(
        camera_id=data["camera_id"], sync_version=int(data["sync_version"]),
        review_state=PrivacyReview(data["review_state"]), in_service=bool(data["in_service"]),
        masks=check_masks(data.get("masks") or ()), pending_reason=data.get("pending_reason") or "",
    )


# ----- refusals in words --------------------------------------------------------------------


_NOT_ALLOWED = {
    "list": "Your account cannot see the city cameras.",
    "inventory": "Only an administrator can change the city camera inventory.",
    "review": "Only a privacy reviewer can approve or reject a city camera.",
    "unmask": "Only a supervisor can view a camera without its privacy masks.",
}
_NOT_DONE = {
    "list": "the city cameras were not updated",
    "inventory": "the inventory was not sent",
    "review": "your decision was not recorded",
    "unmask": "the camera stays masked",
}
_FIELDS = {"note": "note", "justification": "justification", "masks": "masks",
           "main_stream_url": "main stream URL", "sub_stream_url": "sub stream URL",
           "bearing": "bearing", "fov": "field of view", "position": "position on the pole"}


def city_camera_refusal_text(exc: BaseException, action: Action) -> str:
    """An error from the calls above, in words for the person who tried ``action``."""
    if isinstance(exc, ServerUnreachable):
        return f"The server cannot be reached, so {_NOT_DONE[action]}. Try again in a moment."
    if isinstance(exc, SessionExpired):
        return "Your sign-in has ended. Sign in again, then try once more."
    if isinstance(exc, NotAllowed):
        return _NOT_ALLOWED[action]
    if isinstance(exc, ServerError):
        if exc.status == 404:
            return f"The server does not know this camera or view ({exc.detail})."
        if exc.status == 409:
            return _sentence(exc.detail)
        if exc.status == 422:
            if exc.problems:
                fields = "; ".join(f"{_field(f)}: {p.removeprefix('Value error, ')}"
                                   for f, p in exc.problems)
                return f"Check the form — {fields}."
            return _sentence(exc.detail)
        return f"The server refused: {exc.detail}"
    if isinstance(exc, ServerLinkError):
        return str(exc)
    if isinstance(exc, ValueError):  # a mask or an inventory row refused before sending
        return _sentence(str(exc))
    return f"That did not work: {exc}"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "The server refused."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _field(location: str) -> str:
    """"cameras.3.bearing" → "camera 4, bearing"; "note" → "note"."""
    parts = location.split(".")
    row = ""
    if len(parts) >= 2 and parts[0] == "cameras" and parts[1].isdigit():
        row, parts = f"camera {int(parts[1]) + 1}", parts[2:]
    names = [p for p in parts if p and not p.isdigit()]
    name = _FIELDS.get(names[0], names[0].replace("_", " ")) if names else ""
    return ", ".join(p for p in (row, name) if p) or location


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
