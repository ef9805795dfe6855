"""The Dagster jobs in process: the weekly id reconciliation removes hard-deleted records.
(The webserver, the first load and backfills through the UI: test_dagster_ui.py.)"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal

pytestmark = pytest.mark.e2e


def test_the_weekly_reconcile_job_removes_hard_deleted_records(tmp_path):
    from pipelines.hubspot.client import HubSpotClient
    from pipelines.resources import HubSpotResource, WarehouseResource
    from pipelines.schedules import hubspot_weekly_reconcile
    from pipelines.sync import sync_portal
    from pipelines.warehouse.store import Warehouse

    portal = generate_portal(seed=5, size="small", end_date=dt.date(2026, 10, 31))
    db = tmp_path / "w.duckdb"
    with DemoPortalServer(portal, token="t") as server:
        with Warehouse(db) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "s1")
        gone = next(r for r in portal.objects["calls"] if r["id"] and not r["archived"])
        with portal.lock:
            portal.objects["calls"].remove(gone)
            portal.version += 1
        result = hubspot_weekly_reconcile.execute_in_process(
            resources={
                "hubspot": HubSpotResource(access_token="t", base_url=server.url, tier="unlimited"),
                "warehouse": WarehouseResource(path=str(db)),
            }
        )
    assert result.success
    assert result.output_for_node("reconcile_hubspot_ids")["calls"] == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(f"select count(*) from raw.calls where id = '{gone['id']}'").fetchone() == (0,)
    con.close()


def test_dagsters_dbt_runs_at_the_warehouse_caps(tmp_path, monkeypatch):
    """dagster-dbt starts dbt as a process of its own, with a DuckDB instance of its own: the caps
    reach it through profiles.yml's `settings:`, not through the connections this process opens."""
    import json
    import shutil

    from pipelines.paths import DBT_PROJECT_DIR
    from pipelines.project import dbt_project
    from pipelines.resources import WarehouseDbtResource
    from pipelines.transform import dbt_executable
    from pipelines.warehouse import limits

    for name in ("SALESMETRICS_DUCKDB_MEMORY_LIMIT", "SALESMETRICS_DUCKDB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(limits, "_configured", {})
    limits.configure("300MB", 1)  # what `warehouse:` in salesmetrics.yml sets when the location loads
    dbt = WarehouseDbtResource(
        project_dir=dbt_project(), dbt_executable=dbt_executable(), warehouse_path=str(tmp_path / "w.duckdb")
    )
    target = tmp_path / "target"  # with the partial parse of `prepare`, if any: no full parse
    target.mkdir()
    if (DBT_PROJECT_DIR / "target" / "partial_parse.msgpack").exists():
        shutil.copy(DBT_PROJECT_DIR / "target" / "partial_parse.msgpack", target)
    query = "select current_setting('memory_limit') as memory, current_setting('threads') as threads"
    invocation = dbt.cli(["show", "--inline", query, "--output", "json"], target_path=target)
    shown = [e.raw_event["data"] for e in invocation.stream_raw_events() if e.raw_event["info"]["name"] == "ShowNode"]
    assert json.loads(shown[0]["preview"]) == [{"memory": "286.1 MiB", "threads": 1}]
