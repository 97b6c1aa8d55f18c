"""The camera tree beside the wall: poles, each with its cameras, and whether each may be shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rtcc_desk.core.cameras import Camera, PoleCamera
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.wall.placement import refusal


@dataclass(frozen=True, slots=True)
class TreeCamera:
    """One camera under its pole; ``refused`` says why it cannot be dragged onto a wall."""

    camera: PoleCamera
    refused: str | None

    @property
    def placeable(self) -> bool:
        return self.refused is None


@dataclass(frozen=True, slots=True)
class PoleNode:
    pole_id: str
    location: LatLon | None
    cameras: tuple[TreeCamera, ...]  # by position on the pole

    @property
    def placeable_ids(self) -> list[str]:
        """What dragging the whole pole puts on the wall: its cameras that may be shown."""
        return [c.camera.camera_id for c in self.cameras if c.placeable]


def pole_tree(cameras: Iterable[Camera]) -> list[PoleNode]:
    """Poles in id order, cameras by position; other kinds of camera are not in the tree."""
    poles: dict[str, list[PoleCamera]] = {}
    for camera in cameras:
        if isinstance(camera, PoleCamera):
            poles.setdefault(camera.pole_id, []).append(camera)
    return [
        PoleNode(pole_id, trio[0].location, tuple(
            TreeCamera(c, refusal(c)) for c in sorted(trio, key=lambda c: c.position_on_pole)))
        for pole_id, trio in sorted(poles.items())
    ]
