"""The simulator feed: paced delivery, the 50 calls/s benchmark rate with no call lost, stop."""

from __future__ import annotations

import math
import threading

import pytest

from rtcc_desk.adapters.demo import CadSimulator
from rtcc_desk.adapters.feeds import FeedError, FeedSource, FeedState, SimulatorFeed
from tests.adapters.feeds.conftest import FakeClock, wait_for

pytestmark = pytest.mark.usefixtures("no_thread_left")


def ids(calls) -> list[tuple[str, str, object]]:
    return [(c.call_id, c.status, c.updated_at) for c in calls]


def test_fifty_calls_a_second_for_seconds_loses_no_call(sink):
    feed = SimulatorFeed(CadSimulator(seed=11), rate_per_s=50)
    assert isinstance(feed, FeedSource)
    feed.start(sink)
    wait_for(lambda: feed.health().accepted >= 200, what="four seconds' worth of calls at 50/s")
    feed.stop()

    delivered = sink.call_list()
    health = feed.health()
    assert health.state is FeedState.STOPPED and health.rejected == 0
    assert len(delivered) == feed.generated == health.accepted >= 200
    # the same seed gives the same stream: nothing dropped, repeated or reordered
    assert ids(delivered) == ids(CadSimulator(seed=11).take(len(delivered)))
    assert {name for _, name in sink.calls} == {"simulator"}
    assert sink.threads == {"feed:simulator"}  # called on the source's thread, not the test's
    assert sink.problem_list() == []


def test_rate_sets_the_spacing_of_messages(sink):
    clock = FakeClock()
    feed = SimulatorFeed(CadSimulator(seed=2), rate_per_s=50, limit=101, clock=clock)
    feed.start(sink)
    wait_for(lambda: feed.health().state is FeedState.FINISHED)
    feed.stop()
    assert len(sink.call_list()) == 101
    assert clock.waits == pytest.approx([0.02] * 100)
    assert "limit" in feed.health().reason


def test_unpaced_rate_never_waits(sink):
    clock = FakeClock()
    feed = SimulatorFeed(CadSimulator(seed=2), rate_per_s=math.inf, limit=500, clock=clock)
    feed.start(sink)
    wait_for(lambda: feed.health().state is FeedState.FINISHED)
    feed.stop()
    assert len(sink.call_list()) == 500 and clock.waits == []


def test_own_clock_follows_the_simulated_gaps(sink):
    clock = FakeClock()
    feed = SimulatorFeed(CadSimulator(seed=5), rate_per_s=None, limit=30, clock=clock)
    feed.start(sink)
    wait_for(lambda: feed.health().state is FeedState.FINISHED)
    feed.stop()
    calls = sink.call_list()
    gaps = [(b.updated_at - a.updated_at).total_seconds() for a, b in zip(calls, calls[1:])]
    assert clock.waits == pytest.approx(gaps)
    assert ids(calls) == ids(CadSimulator(seed=5).take(30))


class StopAfterWaits(FakeClock):
    """Stops the feed during its ``n``-th wait, as the analyst pressing Stop mid-gap would."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        if len(self.waits) + 1 == self.n:
            stop.set()
        return super().wait(seconds, stop)


def test_a_call_drawn_but_not_due_at_stop_goes_out_first_on_restart(sink):
    feed = SimulatorFeed(CadSimulator(seed=8), rate_per_s=None, clock=StopAfterWaits(5))
    feed.start(sink)
    wait_for(lambda: feed.health().state is not FeedState.RUNNING)
    feed.stop()
    assert len(sink.call_list()) == 5 and feed.generated == 6  # the 6th was waiting
    feed.clock = FakeClock()
    feed.limit = 10
    feed.start(sink)
    wait_for(lambda: feed.health().state is FeedState.FINISHED)
    feed.stop()
    assert ids(sink.call_list()) == ids(CadSimulator(seed=8).take(15))
    assert feed.generated == 15


def test_stop_is_idempotent_and_restart_is_allowed(sink):
    feed = SimulatorFeed(CadSimulator(seed=1), rate_per_s=200)
    feed.stop()  # before start: nothing to do
    assert feed.health().state is FeedState.IDLE
    feed.start(sink)
    with pytest.raises(FeedError, match="already running"):
        feed.start(sink)
    wait_for(lambda: feed.health().accepted >= 3)
    feed.stop()
    feed.stop()
    assert feed.health().state is FeedState.STOPPED
    count = len(sink.call_list())
    feed.start(sink)
    wait_for(lambda: len(sink.call_list()) >= count + 3)
    feed.stop()
    assert ids(sink.call_list()) == ids(CadSimulator(seed=1).take(len(sink.call_list())))


def test_a_sink_that_raises_is_reported_and_the_feed_goes_on():
    problems, taken = [], []

    class Flaky:
        def on_call(self, call, source_name):
            taken.append(call)
            if len(taken) == 3:
                raise RuntimeError("table model busy")

        def on_problem(self, problem):
            problems.append(problem)

    feed = SimulatorFeed(CadSimulator(seed=1), rate_per_s=0, limit=10)
    feed.start(Flaky())
    wait_for(lambda: feed.health().state is FeedState.FINISHED)
    feed.stop()
    assert len(taken) == 10
    assert (feed.health().accepted, feed.health().rejected) == (9, 1)
    assert "table model busy" in problems[0].reason


@pytest.mark.parametrize("rate", [-1, float("nan")])
def test_bad_rate_is_refused(rate):
    with pytest.raises(FeedError, match="rate_per_s"):
        SimulatorFeed(CadSimulator(seed=1), rate_per_s=rate)
