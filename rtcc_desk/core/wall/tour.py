"""Tours: a group of cameras rotating through a set of tiles every N seconds."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rtcc_desk.core.wall.errors import WallError

#: Shorter than this and a camera is gone before its stream has connected and settled.
MIN_TOUR_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Tour:
    """``camera_ids`` shown ``len(tiles)`` at a time on ``tiles``, the next batch every ``seconds``.

    Step k (counted from ``started_at``) puts camera ``(k·len(tiles) + i) mod len(cameras)``
    on the i-th tile, so every camera gets its turn equally often, wrapping round the group.
    A group no larger than the tile set just sits there: nothing to rotate.
    """

    camera_ids: tuple[str, ...]
    tiles: tuple[int, ...]
    seconds: float
    started_at: datetime

    def __post_init__(self) -> None:
        if not self.camera_ids:
            raise WallError("a tour needs at least one camera")
        if len(set(self.camera_ids)) != len(self.camera_ids):
            raise WallError("a tour lists a camera twice")
        if not self.tiles:
            raise WallError("a tour needs at least one tile")
        if len(set(self.tiles)) != len(self.tiles):
            raise WallError("a tour lists a tile twice")
        if not (isinstance(self.seconds, int | float) and math.isfinite(self.seconds)
                and self.seconds >= MIN_TOUR_SECONDS):
            raise WallError(
                f"a tour step is at least {MIN_TOUR_SECONDS:g} seconds, not {self.seconds!r}")
        if self.started_at.tzinfo is None:
            raise WallError("a tour's start time needs a zone")

    def step_at(self, now: datetime) -> int:
        """How many steps the tour has taken by ``now`` (0 before and at its start)."""
        elapsed = (now - self.started_at).total_seconds()
        return max(0, math.floor(elapsed / self.seconds))

    def cameras_at(
        self, now: datetime, shown: Callable[[str], bool] = lambda _: True
    ) -> dict[int, str | None]:
        """Tile → camera (None: the tile stays empty) at ``now``.

        ``shown`` says whether a camera may be shown right now: one that went back to privacy
        review is skipped, not left on a tile, and comes back into the rotation once approved.
        """
        group = [c for c in self.camera_ids if shown(c)]
        wanted: dict[int, str | None] = dict.fromkeys(self.tiles)
        if not group:
            return wanted
        if len(group) <= len(self.tiles):
            wanted.update(zip(self.tiles, group, strict=False))
            return wanted
        first = self.step_at(now) * len(self.tiles)
        for i, tile in enumerate(self.tiles):
            wanted[tile] = group[(first + i) % len(group)]
        return wanted

    def next_change(self, now: datetime) -> datetime | None:
        """When the tiles change next; None when the group fits the tiles (no rotation)."""
        if len(self.camera_ids) <= len(self.tiles):
            return None
        return self.started_at + timedelta(seconds=(self.step_at(now) + 1) * self.seconds)

    def without(self, camera_ids: Sequence[str]) -> Tour | None:
        """This tour with some cameras taken out; None when none would be left."""
        kept = tuple(c for c in self.camera_ids if c not in set(camera_ids))
        if not kept:
            return None
        return Tour(kept, self.tiles, self.seconds, self.started_at)

    def to_dict(self) -> dict:
        return {"cameras": list(self.camera_ids), "tiles": list(self.tiles),
                "seconds": self.seconds, "started_at": self.started_at.isoformat()}
