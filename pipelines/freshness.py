"""How fresh the marts must be, derived from the sync schedule: a mart older than the longest gap
between two scheduled syncs, plus the time a run may take, means a run was missed or failed."""

from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise

import dagster as dg
from dagster._utils.schedules import cron_string_iterator

RUN_ALLOWANCE = timedelta(hours=2)


def longest_gap(cron_schedule: str, timezone_name: str = "UTC") -> timedelta:
    """The longest interval between consecutive ticks over two weeks (a weekday-only schedule has
    a weekend gap); measured from a fixed Monday, so it does not depend on today."""
    start = datetime(2026, 1, 5, tzinfo=UTC).timestamp()
    ticks = list(islice(cron_string_iterator(start, cron_schedule, timezone_name), 400))
    ticks = [t for t in ticks if t.timestamp() <= start + 14 * 86400] or ticks[:2]
    return max(b - a for a, b in pairwise(ticks))


def freshness_from_schedule(cron_schedule: str, timezone_name: str = "UTC") -> dg.FreshnessPolicy:
    """Warn when the last materialization is older than the schedule's longest gap plus half the
    allowance, fail past the full allowance."""
    gap = longest_gap(cron_schedule, timezone_name)
    return dg.FreshnessPolicy.time_window(fail_window=gap + RUN_ALLOWANCE, warn_window=gap + RUN_ALLOWANCE / 2)
