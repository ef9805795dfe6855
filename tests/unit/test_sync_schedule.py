"""The sync schedule follows `schedule.cron` of salesmetrics.yml, and every tick, daily or intraday,
reads yesterday's and today's partitions in one run."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines.config import load_config
from pipelines.partitions import daily_partitions
from pipelines.schedules import sync_schedule


def test_the_default_cron_is_daily(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no salesmetrics.yml here: the built-in default
    assert load_config(None).schedule.cron == "0 6 * * *"


@pytest.mark.parametrize("cron, tick", [("0 6 * * *", dt.datetime(2026, 12, 2, 6, 0)),
                                         ("*/15 * * * *", dt.datetime(2026, 12, 2, 14, 45))])
def test_each_tick_reads_yesterday_and_the_day_so_far(cron, tick):
    schedule = sync_schedule(cron)
    assert schedule.cron_schedule == cron and schedule.execution_timezone == "UTC"
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick.replace(tzinfo=dt.timezone.utc))
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-12-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-12-02"
    assert request.run_key == tick.replace(tzinfo=dt.timezone.utc).isoformat()  # every tick runs, none deduplicated
    with dg.instance_for_test():
        keys = daily_partitions.get_partition_keys(current_time=tick.replace(tzinfo=dt.timezone.utc))
    assert keys[-2:] == ["2026-12-01", "2026-12-02"]  # today's partition exists: the day so far
