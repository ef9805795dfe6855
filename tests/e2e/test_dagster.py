"""The Dagster code location: it loads in `dagster dev`, and materializing every asset against the
demo portal gives the same warehouse as the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal
from tests.e2e.conftest import BIN, REPO

CRM_OBJECTS = ["deals", "companies", "calls", "emails", "meetings", "notes", "tasks", "goal_targets"]
from tests.support.warehouse_snapshot import snapshot

pytestmark = pytest.mark.e2e
MARTS = ["arr_by_account_month", "arr_monthly", "churn_monthly", "sales_kpis_monthly", "quota_attainment",
         "rep_activity_weekly", "rep_activity_daily", "funnel_conversion", "rep_scorecard", "rep_scorecard_summary",
         "north_star_plan", "fct_deals", "fct_engagements", "dim_owners", "dim_companies", "dim_deal_stages"]


def marts(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS}
    finally:
        con.close()


def test_materializing_every_asset_equals_the_cli(tmp_path, clean_env):
    portal = generate_portal(seed=5, size="small", end_date=dt.date(2026, 10, 31))
    with DemoPortalServer(portal, token="t") as server:
        base = {**clean_env, "HUBSPOT_BASE_URL": server.url, "HUBSPOT_ACCESS_TOKEN": "t",
                "SALESMETRICS_AS_OF": "2026-10-31"}
        dagster_db, cli_db = tmp_path / "dagster.duckdb", tmp_path / "cli.duckdb"
        # The first load of a portal: one partition with `full_refresh` lists every record (a range
        # of daily partitions would search window by window, and record one event per partition).
        full_refresh = {"ops": {f"hubspot_{name}": {"config": {"full_refresh": True}} for name in CRM_OBJECTS}}
        proc = subprocess.run(
            [str(BIN / "dagster"), "asset", "materialize", "-m", "pipelines.definitions", "--select", "*",
             "--partition", "2026-10-30", "--config-json", json.dumps(full_refresh)],
            env={**base, "SALESMETRICS_DB": str(dagster_db)}, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "RUN_SUCCESS" in proc.stderr + proc.stdout
        cli = subprocess.run([str(BIN / "salesmetrics"), "run"], env={**base, "SALESMETRICS_DB": str(cli_db)},
                             cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert cli.returncode == 0, cli.stderr[-3000:]
    assert snapshot(dagster_db) == snapshot(cli_db)
    assert marts(dagster_db) == marts(cli_db)
    assert "as of 2026-10-31" in (tmp_path / "dagster.dashboard.html").read_text()  # the asset downstream of the marts
    assert len(marts(dagster_db)["arr_monthly"]) > 12


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def test_dagster_dev_loads_the_workspace_and_shows_the_whole_graph(tmp_path, clean_env):
    port = free_port()
    env = {**clean_env, "SALESMETRICS_DB": str(tmp_path / "w.duckdb")}
    proc = subprocess.Popen([str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-p", str(port), "-h", "127.0.0.1"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 180
        status = None
        while time.time() < deadline:
            try:
                data = graphql(port, "{workspaceOrError{... on Workspace{locationEntries{name loadStatus "
                                     "locationOrLoadError{__typename ... on PythonError{message}}}}}}")
                entries = data["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["loadStatus"] == "LOADED":
                    status = entries[0]["locationOrLoadError"]
                    break
            except OSError:
                pass
            time.sleep(1)
        assert status is not None, "dagster dev did not load the code location in time"
        assert status["__typename"] == "RepositoryLocation", status
        keys = {"/".join(n["assetKey"]["path"]) for n in graph_nodes(port)}
        assert {"hubspot/deals", "hubspot/calls", "hubspot/owners", "staging/stg_hubspot__deals",
                "marts/arr_monthly", "marts/sales_kpis_monthly", "sales_dashboard"} <= keys
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def graph_nodes(port: int) -> list[dict]:
    return graphql(port, "{assetNodes{assetKey{path}}}")["assetNodes"]


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
        result = hubspot_weekly_reconcile.execute_in_process(resources={
            "hubspot": HubSpotResource(access_token="t", base_url=server.url, tier="unlimited"),
            "warehouse": WarehouseResource(path=str(db)),
        })
    assert result.success
    assert result.output_for_node("reconcile_hubspot_ids")["calls"] == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(f"select count(*) from raw.calls where id = '{gone['id']}'").fetchone() == (0,)
    con.close()
