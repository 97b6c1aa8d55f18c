"""The sliding-window rate limiter and its FastAPI dependency (429 with Retry-After)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from server_stub import ratelimit
from server_stub.ratelimit import RateLimited, RateLimiter, limit_by_ip


class Tick:
    def __init__(self, start: float = 500.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def test_window_slides_rather_than_resetting():
    tick = Tick()
    limiter = RateLimiter(3, 10.0, clock=tick)
    for dt in (0, 4, 4):  # hits at 500, 504, 508
        tick.t += dt
        limiter.hit("a")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("a")
    assert refused.value.retry_after_s == 2  # the hit at 500 leaves at 510
    tick.t = 510.0
    limiter.hit("a")  # one slot freed, not the whole window
    with pytest.raises(RateLimited) as refused:
        limiter.hit("a")
    assert refused.value.retry_after_s == 4


def test_refused_hits_are_not_counted_and_keys_are_separate():
    tick = Tick()
    limiter = RateLimiter(1, 60.0, clock=tick)
    limiter.hit("a")
    limiter.hit("b")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.hit("a")
    tick.t += 60
    limiter.hit("a")  # hammering while refused did not extend the wait


def test_retry_after_is_at_least_one_second():
    tick = Tick()
    limiter = RateLimiter(1, 1.0, clock=tick)
    limiter.hit("a")
    tick.t += 0.999
    with pytest.raises(RateLimited) as refused:
        limiter.hit("a")
    assert refused.value.retry_after_s == 1


def test_memory_is_bounded_by_forgetting_the_least_recent_keys():
    limiter = RateLimiter(1, 60.0, clock=Tick(), max_keys=3)
    for key in "abcd":
        limiter.hit(key)
    limiter.hit("a")  # "a" was forgotten to make room for "d"
    with pytest.raises(RateLimited):
        limiter.hit("d")


def test_bad_parameters_are_refused():
    for limit, window in ((0, 1.0), (1, 0.0)):
        with pytest.raises(ValueError):
            RateLimiter(limit, window)


def test_module_clock_can_be_replaced(monkeypatch):
    tick = Tick()
    monkeypatch.setattr(ratelimit, "monotonic", tick)
    limiter = RateLimiter(1, 5.0)
    limiter.hit("a")
    with pytest.raises(RateLimited):
        limiter.hit("a")
    tick.t += 5
    limiter.hit("a")


def test_dependency_answers_429_with_retry_after_per_bucket(monkeypatch):
    tick = Tick()
    monkeypatch.setattr(ratelimit, "monotonic", tick)
    app = FastAPI()
    app.state.services = SimpleNamespace(extra={})

    @app.post("/a", dependencies=[Depends(limit_by_ip("shared", 2, 30))])
    def a() -> dict:
        return {}

    @app.post("/b", dependencies=[Depends(limit_by_ip("shared", 2, 30))])
    def b() -> dict:
        return {}

    @app.post("/c", dependencies=[Depends(limit_by_ip("other", 1, 30))])
    def c() -> dict:
        return {}

    client = TestClient(app)
    assert client.post("/a").status_code == 200
    assert client.post("/b").status_code == 200
    refused = client.post("/a")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    assert client.post("/c").status_code == 200  # another bucket has its own budget
    tick.t += 30
    assert client.post("/b").status_code == 200
