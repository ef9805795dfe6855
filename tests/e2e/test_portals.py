"""Many portals at once, as a user runs them: three demo portals on real sockets, each with its own
token, `salesmetrics run --all-portals --parallelism 2` as a subprocess; one portal's token is
rejected (401) and that portal fails alone. Then the fleet copy, read by DuckDB 1.x, holds each
built portal's marts row for row, and the fleet page links each portal's own dashboard.
(One run of two dbt builds is shared by the module's tests: a build costs ~30 s or more.)"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal
from tests.e2e.conftest import BIN, REPO, user_env

pytestmark = pytest.mark.e2e

AS_OF = dt.date(2026, 10, 31)
TOKENS = {"acme": "token-acme-1", "beta": "token-beta-2", "gamma": "token-gamma-3"}
BI_READER = REPO / ".venv-bi-reader" / "bin" / "python"


@dataclass
class Fleet:
    cwd: Path
    proc: subprocess.CompletedProcess
    requests: dict[str, int]

    @property
    def data(self) -> Path:
        return self.cwd / "data"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Fleet:
    cwd = tmp_path_factory.mktemp("portals")
    env = user_env(cwd)
    servers = {
        name: DemoPortalServer(generate_portal(seed=seed, size="small", end_date=AS_OF), token=token)
        for seed, (name, token) in enumerate(TOKENS.items(), start=3)
    }
    for server in servers.values():
        server.start()
    try:
        entries = "\n".join(
            f"  - {{name: {name}, token_env: {name.upper()}_TOKEN, base_url: '{server.url}', tier: unlimited"
            f"{', currency: EUR' if name == 'acme' else ''}}}"
            for name, server in servers.items()
        )
        (cwd / "salesmetrics.yml").write_text(f"reporting:\n  as_of: {AS_OF}\nportals:\n{entries}\n")
        env.update(ACME_TOKEN=TOKENS["acme"], BETA_TOKEN="not-beta's-token", GAMMA_TOKEN=TOKENS["gamma"])
        proc = subprocess.run(
            [str(BIN / "salesmetrics"), "run", "--all-portals", "--parallelism", "2"],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=900,
        )
        return Fleet(cwd, proc, {name: s.request_count for name, s in servers.items()})
    finally:
        for server in servers.values():
            server.stop()


def test_a_rejected_token_fails_its_portal_alone_and_is_named(fleet):
    out, err = fleet.proc.stdout, fleet.proc.stderr
    assert fleet.proc.returncode == 13, (out, err)
    assert "Traceback" not in out + err
    assert "error: 1 of 3 portals failed: beta" in err
    # the failure's own line names the portal and the variable its token comes from, never a token
    assert "portal beta (token from BETA_TOKEN): HubSpot rejected the access token (401" in err
    for token in (*TOKENS.values(), "not-beta's-token"):
        assert token not in out + err
    # the summary table: one line per portal with its result, records, requests and seconds
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert lines["acme"].startswith("  acme ok: records ") and "requests " in lines["acme"]
    assert lines["gamma"].startswith("  gamma ok: records ")
    assert lines["beta"].startswith("  beta failed (token_rejected): records 0")
    # progress: a line per portal per phase (piped)
    for name in ("acme", "gamma"):
        assert f"portal {name}: syncing" in err and f"portal {name}: ok, " in err


def test_each_portal_has_its_own_files(fleet):
    for name in ("acme", "gamma"):
        for suffix in (".duckdb", ".bi.duckdb", ".dashboard.html", ".marts"):
            assert (fleet.data / f"{name}{suffix}").exists(), (name, suffix)
        con = duckdb.connect(str(fleet.data / f"{name}.duckdb"), read_only=True)
        synced = con.execute("select count(*) from raw.sync_cursors").fetchone()[0]
        con.close()
        assert synced > 0
    assert not (fleet.data / "beta.bi.duckdb").exists()
    assert fleet.requests["acme"] > 20 and fleet.requests["gamma"] > 20  # each read from its own server


def test_fleet_rows_equal_each_portals_marts_read_by_duckdb_1x(fleet):
    script = textwrap.dedent("""
        import json, sys, duckdb
        data = sys.argv[1]
        fleet = duckdb.connect(f"{data}/fleet.bi.duckdb", read_only=True)
        marts = [r[0] for r in fleet.execute("select table_name from information_schema.tables "
                                             "where table_schema = 'marts' order by 1").fetchall()]
        out = {"version": duckdb.__version__, "marts": marts, "diff": [], "rows": {}, "currency": {}}
        for portal in ("acme", "gamma"):
            own = duckdb.connect(f"{data}/{portal}.bi.duckdb", read_only=True)
            for mart in marts:
                a = sorted(map(repr, fleet.execute(f"select * exclude (portal, currency) from marts.{mart} "
                                                   "where portal = ?", [portal]).fetchall()))
                b = sorted(map(repr, own.execute(f"select * from marts.{mart}").fetchall()))
                out["rows"][f"{portal}.{mart}"] = len(b)
                if a != b:
                    out["diff"].append(f"{portal}.{mart}")
            out["currency"][portal] = fleet.execute("select distinct currency from marts.arr_monthly "
                                                    "where portal = ?", [portal]).fetchall()
        out["portals"] = fleet.execute("select portal, marts from pipeline.portals order by 1").fetchall()
        print(json.dumps(out))
    """)
    proc = subprocess.run([str(BI_READER), "-c", script, str(fleet.data)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["version"].startswith("1.")
    assert len(result["marts"]) >= 10 and "arr_monthly" in result["marts"]
    assert result["diff"] == []
    assert result["rows"]["acme.fct_deals"] > 0 and result["rows"]["gamma.fct_deals"] > 0
    assert result["currency"] == {"acme": [["EUR"]], "gamma": [[None]]}  # never converted, never guessed
    assert result["portals"] == [["acme", len(result["marts"])], ["beta", 0], ["gamma", len(result["marts"])]]


def test_the_fleet_page_compares_portals_and_links_their_dashboards(fleet):
    page = (fleet.data / "fleet.dashboard.html").read_text()
    for name in ("acme", "gamma"):
        assert f'<a href="{name}.dashboard.html">{name}</a>' in page
    assert 'beta</a> <span class="none">(not built yet)</span>' in page
    for header in ("ARR", "NRR", "win rate", "quota attainment", "pipeline coverage"):
        assert f"<th>{header}" in page
    con = duckdb.connect(str(fleet.data / "acme.bi.duckdb"), read_only=True)
    arr = con.execute("select arr from marts.arr_monthly where month = date '2026-10-01'").fetchone()[0]
    con.close()
    assert f"{float(arr):,.0f} EUR" in page


def test_each_portal_has_its_own_lock_and_a_held_one_fails_alone(tmp_path):
    """A notebook holding one portal's warehouse stops that portal (exit 5 in its process) and no
    other: `salesmetrics sync --all-portals` (no dbt) syncs the other portal and names the held one."""
    env = user_env(tmp_path)
    servers = [
        DemoPortalServer(generate_portal(seed=seed, size="small", end_date=AS_OF), token=f"t{seed}")
        for seed in (11, 12)
    ]
    for server in servers:
        server.start()
    try:
        (tmp_path / "salesmetrics.yml").write_text(
            "portals:\n"
            + "".join(
                f"  - {{name: p{i}, token_env: P{i}_TOKEN, base_url: '{s.url}', tier: unlimited}}\n"
                for i, s in enumerate(servers)
            )
        )
        env.update(P0_TOKEN="t11", P1_TOKEN="t12")
        (tmp_path / "data").mkdir()
        holder = duckdb.connect(str(tmp_path / "data" / "p0.duckdb"))  # read-write: DuckDB's one writer
        try:
            proc = subprocess.run(
                [str(BIN / "salesmetrics"), "sync", "--all-portals"],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=600,
            )
        finally:
            holder.close()
        requests = [s.request_count for s in servers]
    finally:
        for server in servers:
            server.stop()
    assert proc.returncode == 13, (proc.stdout, proc.stderr)
    assert "  p0 failed (warehouse_locked): records 0" in proc.stdout
    assert "  p1 ok: records " in proc.stdout
    assert "portal p0: the warehouse " in proc.stderr and "error: 1 of 2 portals failed: p0" in proc.stderr
    assert requests[0] == 0 and requests[1] > 20  # the held portal stopped before its first request
    con = duckdb.connect(str(tmp_path / "data" / "p1.duckdb"), read_only=True)
    assert con.execute("select count(*) from raw.deals").fetchone()[0] > 0
    con.close()


def test_a_dagster_run_of_one_portal_partition_reads_that_portal_into_its_warehouse(tmp_path):
    """The code location as Dagster loads it (a fresh process beside the configuration): the backfill
    job run for partition p1 uses p1's token (from P1_TOKEN; HUBSPOT_ACCESS_TOKEN is not set), its
    server and its warehouse, and records the materializations under that partition."""
    servers = [
        DemoPortalServer(generate_portal(seed=seed, size="small", end_date=AS_OF), token=f"t{seed}")
        for seed in (21, 22)
    ]
    for server in servers:
        server.start()
    try:
        (tmp_path / "salesmetrics.yml").write_text(
            "portals:\n"
            + "".join(
                f"  - {{name: p{i}, token_env: P{i}_TOKEN, base_url: '{s.url}', tier: unlimited}}\n"
                for i, s in enumerate(servers)
            )
        )
        script = textwrap.dedent("""
            import json, warnings
            warnings.simplefilter("ignore")
            import dagster as dg
            from pipelines.definitions import defs as load_definitions
            defs = load_definitions()
            instance = dg.DagsterInstance.ephemeral()
            result = defs.resolve_job_def("hubspot_backfill").execute_in_process(partition_key="p1", instance=instance)
            events = instance.get_latest_materialization_events([dg.AssetKey(["hubspot", "deals"])])
            event = events[dg.AssetKey(["hubspot", "deals"])]
            print(json.dumps({"success": result.success, "tags": result.dagster_run.tags,
                              "partition": event.asset_materialization.partition}))
        """)
        env = {**user_env(tmp_path), "P0_TOKEN": "t21", "P1_TOKEN": "t22"}
        proc = subprocess.run(
            [str(BIN / "python"), "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        requests = [s.request_count for s in servers]
    finally:
        for server in servers:
            server.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["success"] and out["partition"] == "p1" and out["tags"]["dagster/partition"] == "p1"
    assert requests[0] == 0 and requests[1] > 20
    assert (tmp_path / "data" / "p1.duckdb").exists() and not (tmp_path / "data" / "p0.duckdb").exists()
    for token in ("t21", "t22"):
        assert f'"{token}"' not in proc.stdout + proc.stderr
