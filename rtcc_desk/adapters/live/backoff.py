"""How long a lost camera waits before the next reconnection attempt: doubling, capped, jittered."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """1 s, 2 s, 4 s … up to ``max_s``; back to ``first_s`` once the camera is live again.

    ``jitter`` spreads attempts by ±that fraction so that 270 cameras lost in the same network
    outage do not all knock again in the same second.
    """

    first_s: float = 1.0
    factor: float = 2.0
    max_s: float = 30.0
    jitter: float = 0.1
    rng: Callable[[], float] = field(default=random.random, repr=False)  # 0..1; tests pin it
    failures: int = 0

    def next_delay(self) -> float:
        """The wait before the next attempt (and count one more failure)."""
        delay = min(self.max_s, self.first_s * self.factor ** self.failures)
        self.failures += 1
        if self.jitter:
            delay *= 1.0 + self.jitter * (2.0 * self.rng() - 1.0)
        return max(0.0, min(self.max_s, delay))

    def reset(self) -> None:
        self.failures = 0
