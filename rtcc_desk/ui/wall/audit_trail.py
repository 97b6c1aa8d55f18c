"""What a wall tells the audit trail: who watched which camera live, for how long, for which
call; which tile was maximised; each snapshot. Through the desk's ``audit`` (outbox → server)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rtcc_desk.ui.wall.feed import ViewSpan
from rtcc_desk.ui.wall.services import WallServices


class WallAudit:
    def __init__(self, services: WallServices, wall_name: Callable[[], str]) -> None:
        self.services, self.wall_name = services, wall_name

    def viewed(self, span: ViewSpan | None) -> None:
        """One record when a tile stops showing a camera, with when it started and how long."""
        # A tile that never got a picture showed nothing: there is no viewing to record.
        if span is None or not span.saw_picture:
            return
        self.services.audit(
            "video.view",
            f"camera:{span.camera_id} live {span.seconds:.0f} s from "
            f"{span.started_at.isoformat(timespec='seconds')} on {self.wall_name()}",
            case_ref=self.services.selected_call())

    def maximised(self, camera_id: str, tile: int) -> None:
        self.services.audit("wall.maximise",
                            f"camera:{camera_id} tile {tile + 1} on {self.wall_name()}",
                            case_ref=self.services.selected_call())

    def snapshot(self, camera_id: str, path: Path, call_id: str) -> None:
        self.services.audit("video.snapshot", f"camera:{camera_id} file:{path.name}", case_ref=call_id)
