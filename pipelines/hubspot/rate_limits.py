"""HubSpot's request budgets as shared limiters: the rate limit is the physical limit of extraction.

Two budgets (HubSpot's API usage guidelines): a rolling ten-second budget per private app for every
call but search, and 5 requests per second per account for CRM search. One limiter per budget is
shared by every thread of a sync, so objects can be fetched concurrently without ever tripping a 429
in normal operation. A small safety margin absorbs clock and network jitter between us and HubSpot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pyrate_limiter import Duration, Limiter, Rate

from pipelines.errors import ConfigError

# Burst limits per 10 s by private-app tier (HubSpot's 2024 limits).
TIERS: dict[str, int] = {
    "free": 100,
    "starter": 100,
    "professional": 190,
    "enterprise": 190,
    "api-add-on": 250,
    # No client-side limit: for local servers and benchmarks; against HubSpot, 429s would pace it.
    "unlimited": 1_000_000,
}
SEARCH_PER_SECOND = 5
# Windows are stretched (5% for the ten-second budget, 10% for the one-second search budget, where a
# delayed send matters more) rather than counts cut, so small budgets keep their full burst: clock and
# network jitter between us and HubSpot never turn into 429s. Search paces a first sync of a large
# object (a request timeline showed it at the limiter's rate throughout), so its margin is what
# jitter needs, 100 ms a window, not more: 20% left a fifth of the search budget unused.
WINDOW_MARGIN = 1.05
SEARCH_WINDOW_MARGIN = 1.10


@dataclass(frozen=True)
class Budgets:
    """Requests allowed: `ten_second` per rolling 10 s (non-search), `search_per_second` for search."""

    ten_second: int = TIERS["starter"]
    search_per_second: int = SEARCH_PER_SECOND

    @classmethod
    def for_tier(cls, tier: str) -> Budgets:
        if tier not in TIERS:
            raise ConfigError(f"HUBSPOT_TIER must be one of {', '.join(TIERS)} (got {tier!r}).")
        if tier == "unlimited":
            return cls(ten_second=TIERS[tier], search_per_second=100_000)
        return cls(ten_second=TIERS[tier])


_SHARED: dict[tuple[str, Budgets], RateLimiters] = {}
_SHARED_LOCK = threading.Lock()


class RateLimiters:
    """Blocking limiters for the two budgets; `acquire(search=...)` waits until a request may go."""

    @classmethod
    def shared(cls, portal: str, budgets: Budgets) -> RateLimiters:
        """The limiters of one portal, shared by every client in this process: the budget belongs
        to the app and portal, not to a client object (Dagster builds one client per asset)."""
        with _SHARED_LOCK:
            key = (portal, budgets)
            if key not in _SHARED:
                _SHARED[key] = cls(budgets)
            return _SHARED[key]

    def __init__(self, budgets: Budgets | None = None):
        self.budgets = budgets or Budgets()
        self._general = Limiter(Rate(self.budgets.ten_second, int(Duration.SECOND * 10 * WINDOW_MARGIN)))
        self._search = Limiter(Rate(self.budgets.search_per_second, int(Duration.SECOND * SEARCH_WINDOW_MARGIN)))

    def acquire(self, search: bool = False) -> None:
        (self._search if search else self._general).try_acquire("search" if search else "general")
