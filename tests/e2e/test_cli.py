"""The `salesmetrics` command as a user runs it: a subprocess in a temporary directory."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal
from tests.e2e.conftest import BIN

pytestmark = pytest.mark.e2e
SECRET = "pat-na1-very-secret-token"


def salesmetrics(args, env, cwd, timeout=300):
    return subprocess.run(
        [str(BIN / "salesmetrics"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_demo_prints_kpis_and_leaves_the_marts(demo_run):
    proc, tmp_path = demo_run.proc, demo_run.cwd
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Sales KPIs" in proc.stdout and "win rate" in proc.stdout and "HTTP requests to the portal" in proc.stdout
    assert "Rep scorecard" in proc.stdout and "North star" in proc.stdout and "opportunities" in proc.stdout
    con = duckdb.connect(str(tmp_path / "data" / "demo.duckdb"), read_only=True)
    marts = {
        r[0]
        for r in con.execute("select table_name from information_schema.tables where table_schema='marts'").fetchall()
    }
    assert {
        "arr_by_account_month",
        "arr_monthly",
        "churn_monthly",
        "sales_kpis_monthly",
        "quota_attainment",
        "rep_activity_weekly",
        "rep_activity_daily",
        "funnel_conversion",
        "rep_scorecard",
        "rep_scorecard_summary",
        "north_star_plan",
        "fct_deals",
        "fct_engagements",
        "dim_owners",
        "dim_companies",
        "dim_deal_stages",
    } <= marts
    assert con.execute("select count(*) from marts.arr_monthly where arr > 0").fetchone()[0] > 6
    con.close()
    bi = duckdb.connect(str(tmp_path / "data" / "demo.bi.duckdb"), read_only=True)
    assert bi.execute("select count(*) from marts.sales_kpis_monthly").fetchone()[0] > 0
    bi.close()


def test_run_against_any_hubspot_compatible_server(tmp_path, clean_env):
    portal = generate_portal(seed=11, size="small", end_date=dt.date(2026, 10, 31))
    with DemoPortalServer(portal, token=SECRET) as server:
        env = {
            **clean_env,
            "HUBSPOT_BASE_URL": server.url,
            "HUBSPOT_ACCESS_TOKEN": SECRET,
            "SALESMETRICS_DB": str(tmp_path / "w.duckdb"),
            "SALESMETRICS_AS_OF": "2026-10-31",
        }
        proc = salesmetrics(["run"], env, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("select max(month) from marts.arr_monthly").fetchone()[0] == dt.date(2026, 10, 1)
    con.close()
    assert "as of 2026-10-31" in (tmp_path / "w.dashboard.html").read_text()  # the page is rebuilt with the marts
    for path in tmp_path.rglob("*"):  # the warehouse, its BI copy, any log: the token is nowhere
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    "case, env_extra, expected",
    [
        ("missing-token", {}, "HUBSPOT_ACCESS_TOKEN is not set"),
        (
            "bad-as-of",
            {"SALESMETRICS_AS_OF": "2024-02-30", "HUBSPOT_ACCESS_TOKEN": SECRET},
            "SALESMETRICS_AS_OF must be a date",
        ),
        (
            "bad-timezone",
            {"SALESMETRICS_TIMEZONE": "Europe/Atlantis", "HUBSPOT_ACCESS_TOKEN": SECRET},
            "SALESMETRICS_TIMEZONE 'Europe/Atlantis' is not a known IANA time zone",
        ),
        (
            "unreachable",
            {"HUBSPOT_ACCESS_TOKEN": SECRET, "HUBSPOT_BASE_URL": "http://127.0.0.1:9"},
            "Cannot reach HubSpot at http://127.0.0.1:9",
        ),
    ],
)
def test_expected_errors_are_one_clear_line(tmp_path, clean_env, case, env_extra, expected):
    proc = salesmetrics(["run"], {**clean_env, **env_extra}, tmp_path)
    assert proc.returncode != 0
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr and SECRET not in proc.stdout + proc.stderr


@pytest.mark.parametrize("case", ["401", "403"])
def test_hubspot_refusals_are_clear(tmp_path, clean_env, case):
    portal = generate_portal(seed=1, size="small", end_date=dt.date(2026, 10, 31))
    kwargs = {"token": "another-token"} if case == "401" else {"token": SECRET, "denied_scopes": {"sales-email-read"}}
    with DemoPortalServer(portal, **kwargs) as server:
        env = {**clean_env, "HUBSPOT_BASE_URL": server.url, "HUBSPOT_ACCESS_TOKEN": SECRET}
        proc = salesmetrics(["sync"], env, tmp_path)
    assert proc.returncode == (3 if case == "401" else 7)  # token rejected | scope missing
    assert ("rejected the access token" if case == "401" else "lacks the scope sales-email-read") in proc.stderr
    assert "Traceback" not in proc.stderr and SECRET not in proc.stdout + proc.stderr


def test_a_locked_warehouse_is_a_clear_error(tmp_path, clean_env):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        proc = salesmetrics(["build"], {**clean_env, "SALESMETRICS_DB": str(db)}, tmp_path)
    finally:
        holder.kill()
    assert proc.returncode == 5
    assert f"is held by process {holder.pid}" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_configuration_stops_the_run_before_any_request(tmp_path, clean_env):
    (tmp_path / "bad.yml").write_text(
        "scorecard:\n  measures:\n    - {measure: deals_won, weight: heavy, benchmark: 2}\n"
    )
    portal = generate_portal(seed=1, size="small", end_date=dt.date(2026, 10, 31))
    with DemoPortalServer(portal, token=SECRET) as server:
        env = {
            **clean_env,
            "HUBSPOT_BASE_URL": server.url,
            "HUBSPOT_ACCESS_TOKEN": SECRET,
            "SALESMETRICS_CONFIG": str(tmp_path / "bad.yml"),
            "SALESMETRICS_DB": str(tmp_path / "w.duckdb"),
        }
        proc = salesmetrics(["run"], env, tmp_path)
        assert server.request_count == 0
    assert proc.returncode == 8
    assert "'scorecard.measures.0.weight': Input should be a valid number" in proc.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_backfill_reads_only_its_window(tmp_path, clean_env):
    portal = generate_portal(seed=2, size="small", end_date=dt.date(2026, 10, 31))
    with DemoPortalServer(portal, token=SECRET) as server:
        env = {
            **clean_env,
            "HUBSPOT_BASE_URL": server.url,
            "HUBSPOT_ACCESS_TOKEN": SECRET,
            "SALESMETRICS_DB": str(tmp_path / "w.duckdb"),
        }
        bad = salesmetrics(["backfill", "--start", "2026-10-01", "--end", "2026-09-01"], env, tmp_path)
        proc = salesmetrics(["backfill", "--start", "2026-10-01", "--end", "2026-10-15"], env, tmp_path)
    assert bad.returncode == 2 and "must be after --start" in bad.stderr
    assert proc.returncode == 0, proc.stderr[-2000:]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    bounds = con.execute(
        "select min(hs_lastmodifieddate), max(hs_lastmodifieddate), count(*) from raw.calls where not archived"
    ).fetchone()
    modes = {r[0] for r in con.execute("select mode from raw.sync_log where object = 'calls'").fetchall()}
    cursors = con.execute("select count(*) from raw.sync_cursors").fetchone()[0]
    con.close()
    assert bounds[2] > 0 and bounds[0] >= dt.datetime(2026, 10, 1) and bounds[1] < dt.datetime(2026, 10, 15)
    assert modes == {"backfill"} and cursors == 0  # a backfill never moves the daily sync's cursor
    expected = sum(
        1
        for r in portal.objects["calls"]
        if r["id"] and not r["archived"] and "2026-10-01" <= r["properties"]["hs_lastmodifieddate"][:10] < "2026-10-15"
    )
    assert bounds[2] == expected
