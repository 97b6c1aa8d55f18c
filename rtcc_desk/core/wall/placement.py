"""Which cameras may be shown on a wall: approved, working city pole cameras with a stream."""

from __future__ import annotations

from typing import Protocol

from rtcc_desk.core.cameras import Camera, PoleCamera, PrivacyReview
from rtcc_desk.core.wall.errors import CameraRefused


class CameraDirectory(Protocol):
    """Where the wall looks cameras up by id; ``CameraIndex`` is one (it keeps pending ones too)."""

    def camera(self, camera_id: str) -> Camera | None: ...


def refusal(camera: Camera | None) -> str | None:
    """Why this camera may not appear on a wall, in the analyst's words; None if it may."""
    if camera is None:
        return "it is not in the camera inventory (removed, or never imported)"
    if not isinstance(camera, PoleCamera):
        return (f"it is a {camera.kind.value.replace('_', ' ')} camera; only city pole cameras "
                "are shown live (ask the owner for footage instead)")
    if camera.withdrawn:
        return "it is withdrawn from service"
    if camera.privacy_review is PrivacyReview.PENDING:
        # Issue 6: a pending-review camera "cannot appear on any wall".
        return "it is awaiting privacy review"
    if camera.privacy_review is PrivacyReview.REJECTED:
        return "its privacy review rejected it"
    if not camera.in_service:
        return "it is not in service"
    if not (camera.main_stream_url or camera.sub_stream_url):
        return "the inventory has no stream address for it"
    return None


def wall_camera(directory: CameraDirectory, camera_id: str) -> PoleCamera:
    """The camera if it may go on a wall; CameraRefused saying why otherwise."""
    camera = directory.camera(camera_id)
    reason = refusal(camera)
    if reason is not None:
        raise CameraRefused(camera_id, reason)
    assert isinstance(camera, PoleCamera)
    return camera


def may_show(directory: CameraDirectory, camera_id: str) -> bool:
    return refusal(directory.camera(camera_id)) is None
