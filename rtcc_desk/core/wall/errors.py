"""What the wall refuses: a bad layout, a missing tile, a camera that may not be shown."""

from __future__ import annotations


class WallError(ValueError):
    """A wall change that cannot be made; the message says what and where, in analysts' words."""


class LayoutError(WallError):
    """A tile layout that does not fit its grid (overlap, outside, empty)."""


class CameraRefused(WallError):
    """A camera that may not go on a wall (not approved, withdrawn, not a city camera, unknown)."""

    def __init__(self, camera_id: str, reason: str) -> None:
        super().__init__(f"camera {camera_id} cannot go on a wall: {reason}")
        self.camera_id = camera_id
        self.reason = reason
