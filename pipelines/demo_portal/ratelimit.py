"""HubSpot's request budgets: the private-app burst limit per rolling 10 s and search's per-second limit.

The limiter always counts (non-search responses report `X-HubSpot-RateLimit-*` headers whether or
not limits are enforced); it refuses requests only when enforcement is on. Refused requests do not
consume budget, so a client that waits gets through.
"""

from __future__ import annotations

import threading
import time
from collections import deque

BURST_WINDOW_S = 10.0
SEARCH_WINDOW_S = 1.0


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
        self.burst_limit = burst_limit
        self.search_limit = search_limit
        self.daily_limit = daily_limit
        self._clock = clock
        self._lock = threading.Lock()
        self._burst: deque[float] = deque()
        self._search: deque[float] = deque()
        self._daily = 0

    @staticmethod
    def _trim(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def acquire(self, search: bool) -> tuple[str | None, dict[str, str]]:
        """Count one request. Returns (refusing policy or None, rate-limit headers to send)."""
        now = self._clock()
        with self._lock:
            if search:
                self._trim(self._search, now, SEARCH_WINDOW_S)
                if self.enforce and len(self._search) >= self.search_limit:
                    return "SECONDLY", {}
                self._search.append(now)
                self._daily += 1
                return None, {}
            self._trim(self._burst, now, BURST_WINDOW_S)
            if self.enforce and len(self._burst) >= self.burst_limit:
                return "TEN_SECONDLY_ROLLING", self._headers(now)
            self._burst.append(now)
            self._daily += 1
            return None, self._headers(now)

    def _headers(self, now: float) -> dict[str, str]:
        in_last_second = sum(1 for t in self._burst if t > now - 1.0)
        secondly = max(1, self.burst_limit // 10)
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - self._daily)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(BURST_WINDOW_S * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.burst_limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.burst_limit - len(self._burst))),
            "X-HubSpot-RateLimit-Secondly": str(secondly),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, secondly - in_last_second)),
        }

    def headers(self) -> dict[str, str]:
        """Current headers without counting a request (for errors answered before counting)."""
        now = self._clock()
        with self._lock:
            self._trim(self._burst, now, BURST_WINDOW_S)
            return self._headers(now)
