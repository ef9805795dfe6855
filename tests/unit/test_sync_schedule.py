"""The sync schedule follows `schedule.cron` of salesmetrics.yml: daily by default, intraday when the
analyst wants the dashboard near real time. Every tick runs (no partitions: the cursor in the
warehouse says what changed since the last run)."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines.config import load_config
from pipelines.schedules import daily_sync_job, daily_sync_schedule_for


def test_the_default_cron_is_daily(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no salesmetrics.yml here: the built-in default
    assert load_config(None).schedule.cron == "0 6 * * *"


def test_the_cron_of_the_configuration_reaches_the_schedule(tmp_path):
    config = tmp_path / "salesmetrics.yml"
    config.write_text("schedule:\n  cron: '*/15 * * * *'\n")
    schedule = daily_sync_schedule_for(load_config(config).schedule.cron)
    assert schedule.cron_schedule == "*/15 * * * *" and schedule.execution_timezone == "UTC"
    assert schedule.job_name == daily_sync_job.name


@pytest.mark.parametrize(
    "cron, tick", [("0 6 * * *", dt.datetime(2026, 12, 2, 6, 0)), ("*/15 * * * *", dt.datetime(2026, 12, 2, 14, 45))]
)
def test_every_tick_requests_a_run_of_the_sync(cron, tick):
    schedule = daily_sync_schedule_for(cron)
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick.replace(tzinfo=dt.UTC))
        requests = schedule.evaluate_tick(context).run_requests
    assert len(requests) == 1
