"""HubSpot's request budgets: the private-app burst limit per rolling 10 s and search's per-second limit.

The limiter always counts (non-search responses report `X-HubSpot-RateLimit-*` headers whether or
not limits are enforced); it refuses requests only when enforcement is on. Refused requests do not
consume budget, so a client that waits gets through. The sliding windows are pyrate-limiter's
in-memory buckets, the library the extractor paces itself with (the portal shares no code with it).
"""

from __future__ import annotations

import sys
import threading
import time
from bisect import bisect_right

from pyrate_limiter import InMemoryBucket, Rate, RateItem

BURST_WINDOW_S = 10.0
SEARCH_WINDOW_S = 1.0


class _Window:
    """Requests in a rolling window; over `limit` they are refused when enforced, else only counted."""

    def __init__(self, limit: int, seconds: float):
        self.seconds = seconds
        self.limit = limit
        self.bucket = InMemoryBucket([Rate(sys.maxsize, int(seconds * 1000))])

    def admit(self, now_ms: int, enforce: bool) -> bool:
        limit = self.limit if enforce else sys.maxsize
        if self.bucket.rates[0].limit != limit:  # enforcement or the limit changed on a running portal
            self.bucket.rates = [Rate(limit, int(self.seconds * 1000))]
        self.bucket.leak(now_ms)
        return self.bucket.put(RateItem("request", now_ms))

    def count(self, now_ms: int, seconds: float | None = None) -> int:
        """Requests in the last `seconds` (default: the whole window)."""
        start = now_ms - int((seconds or self.seconds) * 1000)
        return len(self.bucket.items) - bisect_right(self.bucket.items, start, key=lambda item: item.timestamp)


class RateLimiter:
    def __init__(
        self,
        *,
        enforce: bool = False,
        burst_limit: int = 100,
        search_limit: int = 5,
        daily_limit: int = 250_000,
        clock=time.monotonic,
    ):
        self.enforce = enforce
        self.daily_limit = daily_limit
        self._clock = clock
        self._lock = threading.Lock()
        self._burst = _Window(burst_limit, BURST_WINDOW_S)
        self._search = _Window(search_limit, SEARCH_WINDOW_S)
        self._daily = 0

    @property
    def burst_limit(self) -> int:
        return self._burst.limit

    @burst_limit.setter
    def burst_limit(self, value: int) -> None:
        self._burst.limit = value

    @property
    def search_limit(self) -> int:
        return self._search.limit

    @search_limit.setter
    def search_limit(self, value: int) -> None:
        self._search.limit = value

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def acquire(self, search: bool) -> tuple[str | None, dict[str, str]]:
        """Count one request. Returns (refusing policy or None, rate-limit headers to send)."""
        now = self._now_ms()
        with self._lock:
            if not (self._search if search else self._burst).admit(now, self.enforce):
                return ("SECONDLY", {}) if search else ("TEN_SECONDLY_ROLLING", self._headers(now))
            self._daily += 1
            return None, {} if search else self._headers(now)

    def _headers(self, now: int) -> dict[str, str]:
        secondly = max(1, self.burst_limit // 10)
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - self._daily)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(BURST_WINDOW_S * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.burst_limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.burst_limit - self._burst.count(now))),
            "X-HubSpot-RateLimit-Secondly": str(secondly),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, secondly - self._burst.count(now, 1.0))),
        }

    def headers(self) -> dict[str, str]:
        """Current headers without counting a request (for errors answered before counting)."""
        now = self._now_ms()
        with self._lock:
            self._burst.bucket.leak(now)
            return self._headers(now)
