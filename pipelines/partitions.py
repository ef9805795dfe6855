"""Daily partitions of the raw CRM assets: a partition is the set of records modified that UTC day.

Records change over time, so a partition is re-readable at any moment and the write is an upsert
by id: reruns and overlapping backfills are safe. SALESMETRICS_HISTORY_START sets the first day.
"""

import os

import dagster as dg

HISTORY_START = os.environ.get("SALESMETRICS_HISTORY_START", "2015-01-01")

# end_offset=1: today's partition (the day so far) exists, so an intraday tick can read it.
daily_partitions = dg.DailyPartitionsDefinition(start_date=HISTORY_START, timezone="UTC", end_offset=1)
