"""What a wall window needs from the desk, as plain callables: the composition root gives the
real ones (``wall_wiring``), tests give their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from rtcc_desk.core.cameras import Camera
from rtcc_desk.core.correlation import CorrelationResult
from rtcc_desk.core.wall import CameraDirectory
from rtcc_desk.ui.wall.feed import LiveStreamOpener, StreamOpener, utc_now


def _no_audit(action: str, object_: str, **fields: str) -> None:
    return None


@dataclass
class WallServices:
    directory: CameraDirectory  #: cameras by id (the desk's CameraIndex)
    cameras: Callable[[], Iterable[Camera]]  #: the whole inventory, for the camera tree
    zone: tzinfo  #: the workstation's zone: times on tiles and in captions
    snapshots: Path  #: the desk's snapshot folder; one subfolder per call
    open_stream: StreamOpener = field(default_factory=LiveStreamOpener)
    #: ``desk.audit(action, object, case_ref=…, outcome=…)``
    audit: Callable[..., None] = _no_audit
    #: the call selected on the desk ("" if none): audit records and snapshots name it
    selected_call: Callable[[], str] = lambda: ""
    #: the selected call's correlation, for "pop cameras" (None if nothing is selected)
    correlation: Callable[[], CorrelationResult | None] = lambda: None
    #: the camera last picked on the map or in the candidate list ("" if none)
    picked_camera: Callable[[], str] = lambda: ""
    now: Callable[[], datetime] = utc_now
    #: "View unmasked…" for a supervisor (audited by the server); None: not offered
    view_unmasked: Callable[[Camera, object], None] | None = None
