"""'Pop cameras': the nearest approved pole cameras that see a call, chosen for a group of tiles."""

from __future__ import annotations

from dataclasses import dataclass

from rtcc_desk.core.correlation import Candidate, CorrelationResult, CorrelationStatus
from rtcc_desk.core.wall.placement import CameraDirectory, refusal

_NO_MATCH = {
    CorrelationStatus.NO_USABLE_LOCATION: "has no usable location",
    CorrelationStatus.OUTSIDE_JURISDICTION: "lies outside the jurisdiction",
}


@dataclass(frozen=True, slots=True)
class PopResult:
    """What "pop cameras" did: tile → camera placed, tiles emptied, cameras that did not fit."""

    call_id: str
    placed: dict[int, str]
    emptied: tuple[int, ...]
    left_out: tuple[str, ...]
    message: str


def cameras_seeing(
    result: CorrelationResult,
    directory: CameraDirectory,
    *,
    include_direction_unknown: bool = False,
) -> list[Candidate]:
    """Candidates of ``result`` that may go on a wall, nearest first.

    Only pole cameras approved by privacy review and not withdrawn count (checked against the
    directory now, not when the call was correlated). A camera whose bearing is unknown *may*
    see the call; it is left out unless ``include_direction_unknown``, and then comes after
    every camera surely facing it.
    """
    chosen = [
        c for c in result.candidates
        if refusal(directory.camera(c.camera.camera_id)) is None
        and (include_direction_unknown or c.sees_location)
    ]
    return sorted(chosen, key=lambda c: c.sort_key())


def no_match_reason(result: CorrelationResult) -> str | None:
    """Why nothing could be popped for this call at all (no location, outside); else None."""
    reason = _NO_MATCH.get(result.status)
    return None if reason is None else f"call {result.call_id} {reason}: no cameras popped"
