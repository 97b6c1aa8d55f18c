"""In-process sliding-window rate limits, usable as FastAPI dependencies (429 with Retry-After)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import HTTPException, Request

#: The clock every limiter reads unless given its own; tests replace it with a fake.
monotonic: Callable[[], float] = time.monotonic

#: Keys remembered per limiter: past this the least recently seen are forgotten, so a flood
#: of distinct addresses cannot grow memory without bound.
MAX_KEYS = 10_000


class RateLimited(Exception):
    """Raised by ``RateLimiter.hit`` when the key has used up its window."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class RateLimiter:
    """At most ``limit`` hits per key in any ``window_s`` seconds (a true sliding window)."""

    def __init__(
        self, limit: int, window_s: float, *, clock: Callable[[], float] | None = None,
        max_keys: int = MAX_KEYS,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        # Looked up on every call (not bound here) so that patching the module clock works.
        self._clock = clock or (lambda: monotonic())
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one hit for ``key``, or raise ``RateLimited`` without counting it."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
                while len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            self._hits.move_to_end(key)
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                # The oldest hit leaves the window first: that is when one more is allowed.
                raise RateLimited(max(1, math.ceil(hits[0] + self.window_s - now)))
            hits.append(now)

    def reset(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._hits.clear()
            else:
                self._hits.pop(key, None)


def limiter_for(request: Request, bucket: str, limit: int, window_s: float) -> RateLimiter:
    """The app's limiter for ``bucket``: kept on the services so every app starts afresh."""
    limiters = request.app.state.services.extra.setdefault("rate_limiters", {})
    limiter = limiters.get(bucket)
    if limiter is None:
        limiter = limiters.setdefault(bucket, RateLimiter(limit, window_s))
    return limiter


def too_many(retry_after_s: int) -> HTTPException:
    return HTTPException(
        status_code=429, detail="Too many attempts. Please wait and try again.",
        headers={"Retry-After": str(retry_after_s)},
    )


def limit_by_ip(bucket: str, limit: int, window_s: float) -> Callable[[Request], None]:
    """A dependency allowing ``limit`` requests per client address per ``window_s`` seconds.

    Use as ``dependencies=[Depends(limit_by_ip("login", 10, 60))]``. Buckets are shared by
    name, so two routes naming the same bucket share one budget.
    """

    def check(request: Request) -> None:
        address = request.client.host if request.client else ""
        try:
            limiter_for(request, bucket, limit, window_s).hit(address)
        except RateLimited as exc:
            raise too_many(exc.retry_after_s) from None

    return check
