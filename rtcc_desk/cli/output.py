"""How the command line reports: JSON lines on stdout, rejections and summaries on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import datetime

from rtcc_desk.core.correlation import Candidate, CorrelationResult
from rtcc_desk.core.rejections import Rejection

#: Exit codes shared by every command.
EXIT_OK, EXIT_SOME_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def report_rejections(rejections: Iterable[Rejection], *, limit: int = 200) -> int:
    """Print each rejection (file:row [field]: reason) to stderr; returns how many there were."""
    count = 0
    for rejection in rejections:
        count += 1
        if count <= limit:
            print(f"rejected {rejection}", file=sys.stderr)
    if count > limit:
        print(f"... and {count - limit} more rejections", file=sys.stderr)
    return count


def fail(message: str) -> int:
    print(f"rtcc: {message}", file=sys.stderr)
    return EXIT_UNUSABLE


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def candidate_json(candidate: Candidate) -> dict:
    return {
        "camera_id": candidate.camera.camera_id,
        "kind": candidate.camera.kind.value,
        "name": candidate.camera.name,
        "distance_m": candidate.distance_m,
        "sees_location": candidate.sees_location,
        "direction_unknown": candidate.direction_unknown,
        "access": candidate.access.value,
        "retention_days": candidate.camera.retention_days,
        "overwrite_deadline": _time(candidate.overwrite_deadline),
        "deadline_passed": candidate.deadline_passed,
    }


def result_json(result: CorrelationResult, **extra) -> str:
    payload = {
        "call_id": result.call_id,
        "status": result.status.value,
        "radius_m": result.radius_m,
        **extra,
        "candidates": [candidate_json(c) for c in result.candidates],
    }
    return json.dumps(payload, ensure_ascii=False)
