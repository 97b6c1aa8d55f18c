"""The demo CAD simulator as a live feed, paced at a set rate or along its simulated clock."""

from __future__ import annotations

import math

from rtcc_desk.adapters.demo import CadSimulator
from rtcc_desk.adapters.feeds.base import ThreadedFeed
from rtcc_desk.adapters.feeds.clock import FeedClock, Pacer
from rtcc_desk.adapters.feeds.errors import FeedError
from rtcc_desk.core.calls import Call


class SimulatorFeed(ThreadedFeed):
    """Delivers ``simulator``'s messages (new calls and updates) at ``rate_per_s``.

    ``rate_per_s``: messages per second (50 for the benchmark); 0 or ``inf`` is as fast as
    the sink takes them; None follows the simulator's own clock in real time (about two
    messages a minute with the demo defaults). ``limit`` ends the feed after that many
    messages. Only this feed's thread touches the simulator while it runs; a message drawn
    but not yet due when the feed is stopped is kept and goes out first on the next start,
    so ``generated`` always equals what reached the sink once the feed has stopped.
    """

    kind = "simulator"

    def __init__(self, simulator: CadSimulator, rate_per_s: float | None = 1.0, *,
                 name: str = "simulator", limit: int | None = None,
                 clock: FeedClock | None = None) -> None:
        super().__init__(name, clock)
        if rate_per_s is not None and (isinstance(rate_per_s, bool) or math.isnan(rate_per_s)
                                       or rate_per_s < 0):
            raise FeedError(f"rate_per_s {rate_per_s!r} must be positive, 0/inf (no pacing) "
                            "or None (the simulator's own clock)")
        if limit is not None and limit < 0:
            raise FeedError(f"limit {limit} must be 0 or more")
        self.simulator = simulator
        self.rate_per_s = rate_per_s
        self.limit = limit
        self.generated = 0  # messages drawn from the simulator
        self._pending: Call | None = None
        rate = "its own clock" if rate_per_s is None else f"{rate_per_s:g} messages/s"
        self._detail(f"CAD simulator at {rate}")

    def _run(self) -> None:
        unpaced = self.rate_per_s is not None and self.rate_per_s in (0, math.inf)
        pacer = Pacer(self.clock, self._stopping, speed=math.inf if unpaced else 1.0)
        start = self.simulator.clock
        sent = 0
        while self.limit is None or sent < self.limit:
            if self.rate_per_s is None:
                call = self._pending or self._draw()
                self._pending = call
                if not pacer.wait_until((self.simulator.clock - start).total_seconds()):
                    return  # kept in _pending: delivered first on the next start
            else:
                if not pacer.wait_until(0.0 if unpaced else sent / self.rate_per_s):
                    return
                call = self._pending or self._draw()
            self._pending = None
            self._deliver(call)
            sent += 1
        self._finish(f"{sent} messages sent (limit reached)")

    def _draw(self) -> Call:
        call = self.simulator.next_call()
        self.generated += 1
        return call
