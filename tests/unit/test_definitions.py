"""The code location, loaded in process as Dagster loads it: the asset graph, jobs, schedules and
checks it defines, the settings it is made from, and what it says when dbt's manifest is missing."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.assets.dbt import dbt_definitions
from pipelines.definitions import defs as load_definitions
from pipelines.paths import DBT_PROJECT_DIR, REPO_ROOT
from pipelines.project import dbt_project
from pipelines.settings import Settings

RAW = [
    "calls",
    "companies",
    "deals",
    "emails",
    "goal_targets",
    "meetings",
    "notes",
    "tasks",
    "owners",
    "deal_pipeline_stages",
    "call_dispositions",
    "deal_stage_history",
    "deal_companies",
]


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    if not dbt_project().manifest_path.exists():
        pytest.skip("no dbt manifest: run `salesmetrics prepare` (make install does)")
    return load_definitions()


def keys(graph, group: str) -> set[str]:
    return {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).group_name == group}


def test_the_asset_graph_runs_from_hubspot_through_the_marts_to_the_dashboard(defs):
    graph = defs.resolve_asset_graph()
    assert keys(graph, "hubspot") == {f"hubspot/{t}" for t in RAW}
    assert {"marts/arr_monthly", "marts/sales_kpis_monthly", "marts/quota_attainment"} <= keys(graph, "marts")
    assert keys(graph, "dashboard") == {"sales_dashboard"}
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} == {
        "hubspot",
        "staging",
        "intermediate",
        "marts",
        "seeds",
        "salesmetrics_config",
        "dashboard",
    }
    # dbt's sources are the raw assets: the marts reach back to HubSpot with no extra wiring
    upstream = set(graph.upstream_key_iterator(dg.AssetKey(["marts", "arr_monthly"])))
    assert dg.AssetKey(["hubspot", "deals"]) in upstream
    assert graph.get(dg.AssetKey(["sales_dashboard"])).parent_keys >= {dg.AssetKey(["marts", "arr_monthly"])}
    assert all(graph.get(k).freshness_policy for k in graph.get_all_asset_keys() if graph.get(k).group_name == "marts")


def test_every_raw_table_and_dbt_test_is_a_check(defs):
    checks = {(c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys}
    assert {
        (f"hubspot/{t}", "quarantine_share")
        for t in RAW
        if t not in ("call_dispositions", "deal_stage_history", "deal_companies")
    } <= checks
    assert ("hubspot/deals", "source_unique_hubspot_deals_id") in checks
    assert ("marts/arr_monthly", "assert_arr_bridge_balances") in checks


def test_jobs_schedules_and_sensor(defs):
    assert {j.name for j in defs.jobs} == {
        "hubspot_daily_sync",
        "hubspot_first_load",
        "hubspot_backfill",
        "hubspot_weekly_reconcile",
    }
    schedules = {s.name: s for s in defs.schedules}
    assert schedules["hubspot_daily_sync_schedule"].cron_schedule == "0 6 * * *"
    assert schedules["hubspot_weekly_reconcile_schedule"].cron_schedule == "0 4 * * 0"
    assert [s.name for s in defs.sensors] == ["run_failure_alert"]
    for job in ("hubspot_daily_sync", "hubspot_first_load", "hubspot_backfill", "hubspot_weekly_reconcile"):
        defs.resolve_job_def(job)  # every job resolves against the resources


def test_the_resources_come_from_the_settings_and_the_token_stays_an_env_var(defs, monkeypatch):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-never-stored")
    monkeypatch.setenv("HUBSPOT_TIER", "professional")
    loaded = load_definitions()
    hubspot = loaded.resources["hubspot"]
    assert hubspot.tier == "professional" and hubspot.base_url == "http://127.0.0.1:9"
    assert isinstance(hubspot.access_token, dg.EnvVar) and hubspot.access_token.env_var_name == "HUBSPOT_ACCESS_TOKEN"
    assert loaded.resources["warehouse"].path == os.environ["SALESMETRICS_DB"]
    assert "pat-na1-never-stored" not in repr(loaded.resources)


def test_the_default_warehouse_is_in_the_checkout_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("SALESMETRICS_DB")
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env().in_repository().db_path == REPO_ROOT / "data" / "salesmetrics.duckdb"


def test_without_a_manifest_the_location_still_loads_and_says_what_to_run(tmp_path):
    from dagster_dbt import DbtProject

    project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path=tmp_path / "no-target")
    loaded = dbt_definitions(Settings.from_env(), project)
    [spec] = loaded.assets
    assert "salesmetrics prepare" in spec.description and str(project.manifest_path) in spec.description


def test_importing_the_code_location_does_nothing():
    """No environment written, no dbt started, no settings or configuration read: only definitions."""
    code = (
        "import os, subprocess, sys\n"
        "import dagster, dagster_dbt, pandera.pandas  # the libraries' own imports may run `file`; ours start nothing\n"
        "before = dict(os.environ)\n"
        "subprocess.Popen = None  # starting dbt (or anything) would fail\n"
        "import pipelines.config\n"
        "pipelines.config.load_config = None  # so would reading salesmetrics.yml\n"
        "import pipelines.definitions\n"
        "assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())\n"
    )
    env = {**os.environ, "SALESMETRICS_DB": "relative/never-resolved.duckdb"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
