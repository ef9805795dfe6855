"""Dagster as a data engineer meets it: `make dagster` in a plain shell (no virtualenv on PATH),
then the UI's own GraphQL API: the code location loads with every definition and no warning, the
first load is one launch of a job, the history then shows as loaded, a backfill window is one run,
and the lineage renders in a real browser.

One webserver serves the whole module (`dagster dev` takes 10-20 s to start)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal
from tests.e2e.conftest import BIN, REPO
from tests.support.warehouse_snapshot import snapshot

pytestmark = pytest.mark.e2e
AS_OF = "2026-10-31"
CHROMIUM = Path("/usr/bin/chromium")
MARTS = [
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
]


@dataclass
class Webserver:
    port: int
    stdout: Path
    stderr: Path
    db: Path
    env: dict[str, str]
    portal_url: str

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=180) as response:
            payload = json.loads(response.read())
        assert "errors" not in payload, payload["errors"]
        return payload["data"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plain_shell_env(home: Path) -> dict[str, str]:
    """What a new user's shell has: the system PATH (no .venv/bin), no salesmetrics or HubSpot settings."""
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p and Path(p).resolve() != BIN.resolve()
    )
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "UV_CACHE_DIR")
    return {
        **{k: os.environ[k] for k in keep if k in os.environ},
        "PATH": path,
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
        "PYTHONUNBUFFERED": "1",
    }


LOCATION = (
    "{workspaceOrError{... on Workspace{locationEntries{name loadStatus "
    "locationOrLoadError{__typename ... on PythonError{message}}}}}}"
)


@pytest.fixture(scope="module")
def portal():
    data = generate_portal(seed=5, size="small", end_date=dt.date.fromisoformat(AS_OF))
    with DemoPortalServer(data, token="t") as server:
        yield server


class Webhook(http.server.ThreadingHTTPServer):
    """An incoming-webhook endpoint on 127.0.0.1 that keeps what it was sent."""

    def __init__(self):
        self.received: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                outer.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def webhook():
    server = Webhook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def webserver(tmp_path_factory, portal, webhook):
    tmp = tmp_path_factory.mktemp("dagster")
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **plain_shell_env(home),
        "HUBSPOT_BASE_URL": portal.url,
        "HUBSPOT_ACCESS_TOKEN": "t",
        "HUBSPOT_TIER": "unlimited",
        "SALESMETRICS_DB": str(tmp / "w.duckdb"),
        "SALESMETRICS_AS_OF": AS_OF,
        "SALESMETRICS_ALERT_WEBHOOK": f"http://127.0.0.1:{webhook.server_address[1]}/hook",
    }
    port = free_port()
    stderr = tmp / "stderr.log"
    with open(tmp / "stdout.log", "wb") as out, open(stderr, "wb") as err:
        proc = subprocess.Popen(
            ["make", "-s", "dagster", f"DAGSTER_DEV_ARGS=-p {port} -h 127.0.0.1"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Webserver(port, tmp / "stdout.log", stderr, tmp / "w.duckdb", env, portal.url)
    try:
        deadline, entry = time.time() + 180, None
        while time.time() < deadline and proc.poll() is None:
            try:
                entries = server.graphql(LOCATION)["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["loadStatus"] == "LOADED":
                    entry = entries[0]
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert entry is not None, f"dagster dev did not load the code location:\n{stderr.read_text()[-3000:]}"
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


REPOSITORY = """{repositoriesOrError{... on RepositoryConnection{nodes{name location{name}
  jobs{name} schedules{name cronSchedule} sensors{name}
  assetNodes{assetKey{path} groupName owners{... on TeamAssetOwner{team} ... on UserAssetOwner{email}}
    assetChecksOrError{... on AssetChecks{checks{name blocking}}}}}}}}"""


def repository(server: Webserver) -> dict:
    [repo] = server.graphql(REPOSITORY)["repositoriesOrError"]["nodes"]
    return repo


def test_the_location_loads_in_a_plain_shell_with_every_definition(webserver):
    """What the UI lists is what the code defines: every asset, job, schedule, sensor and check."""
    from pipelines.definitions import defs as load_definitions

    defs = load_definitions()
    repo = repository(webserver)
    graph = defs.resolve_asset_graph()
    shown = {"/".join(n["assetKey"]["path"]): n for n in repo["assetNodes"]}
    assert set(shown) == {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {j["name"] for j in repo["jobs"]} - {"__ASSET_JOB"} == {j.name for j in defs.jobs}
    assert {s["name"] for s in repo["schedules"]} == {s.name for s in defs.schedules or []}
    assert {s["name"] for s in repo["sensors"]} == {s.name for s in defs.sensors or []}
    checks = {(key, c["name"]): c["blocking"] for key, n in shown.items() for c in n["assetChecksOrError"]["checks"]}
    assert set(checks) == {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    # The business invariants (singular dbt tests) guard the mart they are about, and block.
    assert checks[("marts/arr_monthly", "assert_arr_bridge_balances")] is True
    assert checks[("marts/fct_deals", "assert_facts_keep_every_live_record")] is True
    assert checks[("hubspot/deals", "source_unique_hubspot_deals_id")] is True
    assert checks[("hubspot/deals", "quarantine_share")] is True
    # Owners on every asset of ours; no stray `dbt` or default group.
    assert all(n["owners"] for n in shown.values())
    assert {n["groupName"] for n in shown.values()} == {
        "hubspot",
        "staging",
        "intermediate",
        "marts",
        "seeds",
        "salesmetrics_config",
        "dashboard",
    }


def test_a_normal_start_prints_no_warning(webserver):
    """No SupersessionWarning of `dagster dev`, no BetaWarning of our definitions, nothing else."""
    stdout, stderr = webserver.stdout.read_text(), webserver.stderr.read_text()
    assert "Serving dagster-webserver" in stdout  # dagster dev logs its services on stdout
    assert "Warning" not in stderr + stdout, stderr


LAUNCH = """mutation($params: ExecutionParams!){launchRun(executionParams: $params){__typename
  ... on LaunchRunSuccess{run{runId}} ... on PythonError{message} ... on RunConfigValidationInvalid{errors{message}}}}"""
RUN = "query($id: ID!){runOrError(runId: $id){... on Run{status stats{... on RunStatsSnapshot{startTime endTime}}}}}"


def launch(server: Webserver, job: str, run_config: dict | None = None, timeout: float = 600) -> dict:
    """Launch a job as the Launchpad does (its own config unless given) and wait for the end."""
    params = {
        "selector": {
            "repositoryLocationName": "pipelines.definitions",
            "repositoryName": "__repository__",
            "jobName": job,
        }
    }
    # The job's own config is the default of its config schema: what the Launchpad opens with.
    params["runConfigData"] = run_config or {}
    result = server.graphql(LAUNCH, {"params": params})["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    run_id = result["run"]["runId"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = server.graphql(RUN, {"id": run_id})["runOrError"]
        if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            return {"id": run_id, **run}
        time.sleep(1)
    raise AssertionError(f"run {run_id} of {job} did not finish in {timeout} s")


MATERIALIZATIONS = """{assetNodes{assetKey{path} groupName
  assetMaterializations(limit: 1){runId metadataEntries{label __typename
    ... on IntMetadataEntry{intValue} ... on TableSchemaMetadataEntry{schema{columns{name type}}}}}}}"""


def latest(server: Webserver) -> dict[str, dict]:
    nodes = server.graphql(MATERIALIZATIONS)["assetNodes"]
    return {"/".join(n["assetKey"]["path"]): n for n in nodes}


def metadata(materialization: dict) -> dict[str, dict]:
    return {e["label"]: e for e in materialization["metadataEntries"]}


@pytest.mark.timeout(1200)  # two full loads with dbt builds: the Dagster run, then the CLI's
def test_the_first_load_is_one_launch_and_then_the_history_shows_as_loaded(webserver, tmp_path):
    run = launch(webserver, "hubspot_first_load")
    assert run["status"] == "SUCCESS", run
    nodes = latest(webserver)
    for key, node in nodes.items():
        if node["groupName"] in ("hubspot", "marts"):
            assert node["assetMaterializations"], f"{key} shows as never materialized"
            assert node["assetMaterializations"][0]["runId"] == run["id"]
            entries = metadata(node["assetMaterializations"][0])
            assert entries["dagster/row_count"]["intValue"] >= 0, key
            assert entries["dagster/column_schema"]["schema"]["columns"], key
    raw = metadata(nodes["hubspot/deals"]["assetMaterializations"][0])
    con = duckdb.connect(str(webserver.db), read_only=True)
    try:
        assert raw["dagster/row_count"]["intValue"] == con.execute("select count(*) from raw.deals").fetchone()[0] > 0
        held = con.execute("select count(*) from raw.quarantine where object = 'deals'").fetchone()[0]
        assert raw["quarantine_held"]["intValue"] == held
        assert (
            metadata(nodes["marts/arr_monthly"]["assetMaterializations"][0])["dagster/row_count"]["intValue"]
            == con.execute("select count(*) from marts.arr_monthly").fetchone()[0]
            > 12
        )
    finally:
        con.close()
    # What was held back is in the BI copy too, with its reason.
    bi = duckdb.connect(str(webserver.db.with_name("w.bi.duckdb")), read_only=True)
    try:
        assert bi.execute("select count(*) from pipeline.quarantine").fetchone()[0] == held_total(webserver.db)
    finally:
        bi.close()
    # The dashboard asset, downstream of the marts, rewrote the page of this build.
    assert nodes["sales_dashboard"]["assetMaterializations"][0]["runId"] == run["id"]
    assert "Sales dashboard" in webserver.db.with_name("w.dashboard.html").read_text()
    # The same data as the CLI's `salesmetrics run` on the same portal.
    cli_db = tmp_path / "cli.duckdb"
    cli = subprocess.run(
        [str(BIN / "salesmetrics"), "run"],
        env={**webserver.env, "SALESMETRICS_DB": str(cli_db)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert cli.returncode == 0, cli.stderr[-3000:]
    assert snapshot(webserver.db) == snapshot(cli_db)
    assert marts(webserver.db) == marts(cli_db)


def test_the_lineage_renders_in_a_browser(webserver, tmp_path):
    """Headless Chromium opens the global lineage after the first load; UPDATE_DOCS_SCREENSHOT=1
    (`make screenshot`) keeps the picture as the README's docs/dagster-lineage.png."""
    png = tmp_path / "lineage.png"
    profile = tmp_path / "chromium-profile"
    webserver.graphql("mutation { setNuxSeen }")  # the UI's own "seen" flag: no community pop-up on the picture
    proc = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--window-size=1600,1000",
            "--virtual-time-budget=40000",
            f"--screenshot={png}",
            f"http://127.0.0.1:{webserver.port}/asset-groups",
        ],
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a drawn graph, not a blank page
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copy(png, REPO / "docs" / "dagster-lineage.png")


def marts(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS}
    finally:
        con.close()


def test_a_backfill_window_is_one_run_of_the_backfill_job(webserver):
    window = {"ops": {"hubspot_portal": {"config": {"start": "2016-01-01", "end": "2026-01-01"}}}}
    run = launch(webserver, "hubspot_backfill", window)
    assert run["status"] == "SUCCESS", run
    con = duckdb.connect(str(webserver.db), read_only=True)
    try:
        modes = con.execute(
            "select distinct mode from raw.sync_log where sync_id = ? and object = 'deals'", [run["id"]]
        ).fetchall()
    finally:
        con.close()
    assert modes == [("backfill",)]
    deals = metadata(latest(webserver)["hubspot/deals"]["assetMaterializations"][0])
    assert deals["records_read"]["intValue"] > 0


def held_total(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select count(*) from raw.quarantine").fetchone()[0]
    finally:
        con.close()


def test_a_failed_run_reaches_the_webhook_and_the_alert_log(webserver, webhook):
    bad = {"ops": {"hubspot_portal": {"config": {"start": "2026-01-01", "end": "2025-01-01"}}}}
    run = launch(webserver, "hubspot_backfill", bad)
    assert run["status"] == "FAILURE"
    deadline = time.time() + 120
    while time.time() < deadline and not any(a["run_id"] == run["id"] for a in webhook.received):
        time.sleep(1)
    [alert] = [a for a in webhook.received if a["run_id"] == run["id"]]
    assert alert["job"] == "hubspot_backfill" and "must be after" in alert["text"]
    log = webserver.db.with_name("w.alerts.jsonl").read_text().splitlines()
    assert any(json.loads(line)["run_id"] == run["id"] for line in log)
