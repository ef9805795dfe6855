"""The `salesmetrics` command behaves like its peers (dbt, dagster, uv), as cron, CI and a person
at an 80-column terminal meet it: a subprocess by absolute path, with no virtualenv on PATH."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest

from pipelines.cli_help import ENVIRONMENT
from pipelines.demo_portal import DemoPortalServer, generate_portal
from pipelines.errors import EXIT_CODES
from tests.e2e.conftest import BIN

pytestmark = pytest.mark.e2e
SALESMETRICS = str(BIN / "salesmetrics")
OBJECTS = {
    "deal_pipeline_stages",
    "owners",
    "call_dispositions",
    "deals",
    "companies",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
    "goal_targets",
}


@pytest.fixture(scope="module")
def portal():
    with DemoPortalServer(generate_portal(seed=7, size="small", end_date=dt.date(2026, 10, 31)), token="t") as server:
        yield server


@pytest.fixture
def env(clean_env, portal, tmp_path):
    return {
        **clean_env,
        "HUBSPOT_BASE_URL": portal.url,
        "HUBSPOT_ACCESS_TOKEN": "t",
        "HUBSPOT_TIER": "unlimited",
        "SALESMETRICS_DB": str(tmp_path / "w.duckdb"),
        "SALESMETRICS_AS_OF": "2026-10-31",
        "COLUMNS": "80",
    }


def salesmetrics(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([SALESMETRICS, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def sync_log(db: Path) -> dict[str, tuple[int, int, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select object, records_read, records_loaded, records_quarantined from raw.sync_log "
            "where sync_id = (select max(sync_id) from raw.sync_log)"
        ).fetchall()
    finally:
        con.close()
    return {name: (read, loaded, held) for name, read, loaded, held in rows}


def test_the_environment_has_no_virtualenv_on_path(clean_env):
    assert str(BIN) not in clean_env["PATH"].split(os.pathsep)


@pytest.mark.parametrize(
    "args",
    [[], ["bogus"], ["sync", "--bogus"], ["backfill", "--start", "2024-01-01"]],
    ids=["bare", "unknown-command", "unknown-option", "missing-option"],
)
def test_usage_errors_print_the_usage_and_exit_2(args, clean_env, tmp_path):
    proc = salesmetrics(args, clean_env, tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Usage: salesmetrics" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    if args:
        assert "Try 'salesmetrics" in proc.stderr and "--help' for help." in proc.stderr


def test_version(clean_env, tmp_path):
    proc = salesmetrics(["--version"], clean_env, tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"salesmetrics {version('salesmetrics')}\n", "")


def test_help_lists_every_exit_code_and_environment_variable_within_80_columns(clean_env, tmp_path):
    proc = salesmetrics(["--help"], {**clean_env, "COLUMNS": "80"}, tmp_path)
    assert proc.returncode == 0
    for e in EXIT_CODES:
        first_words = " ".join(e.cause.split()[:4])
        assert re.search(rf"^\s+{e.code}\s+{re.escape(first_words)}", proc.stdout, re.M), (e.code, proc.stdout)
    for name in ENVIRONMENT:
        assert re.search(rf"^\s+{name}\s+\S", proc.stdout, re.M), name
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80


def test_json_prints_one_document_per_object_and_nothing_else(env, tmp_path):
    db = Path(env["SALESMETRICS_DB"])
    sync = salesmetrics(["sync", "--json"], env, tmp_path)
    assert sync.returncode == 0, sync.stderr
    docs = [json.loads(line) for line in sync.stdout.splitlines()]  # every line is a JSON document
    assert {d["object"] for d in docs} == OBJECTS and len(docs) == len(OBJECTS)
    logged = sync_log(db)
    for d in docs:
        assert d["kind"] == "sync"
        assert (d["records_read"], d["records_loaded"], d["records_quarantined"]) == logged[d["object"]]

    backfill = salesmetrics(["backfill", "--start", "2025-01-01", "--end", "2026-01-01", "--json"], env, tmp_path)
    assert backfill.returncode == 0, backfill.stderr
    modes = {d["object"]: d["mode"] for d in map(json.loads, backfill.stdout.splitlines())}
    assert set(modes) == OBJECTS and modes["deals"] == "backfill"

    reconcile = salesmetrics(["reconcile", "--json"], env, tmp_path)
    assert reconcile.returncode == 0, reconcile.stderr
    removed = [json.loads(line) for line in reconcile.stdout.splitlines()]
    assert {d["object"] for d in removed} == OBJECTS - {"deal_pipeline_stages", "owners", "call_dispositions"}
    assert all(d["kind"] == "reconcile" and d["removed"] == 0 for d in removed)

    run = salesmetrics(["run", "--json"], env, tmp_path)
    assert run.returncode == 0, run.stderr
    docs = [json.loads(line) for line in run.stdout.splitlines()]
    assert [d["kind"] for d in docs] == ["sync"] * len(OBJECTS) + ["build"]
    assert docs[-1]["pass"] > 100 and docs[-1]["error"] == 0


def test_quiet_prints_nothing_on_success_and_verbose_logs_each_step(env, tmp_path):
    quiet = salesmetrics(["-q", "sync"], env, tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    verbose = salesmetrics(["-v", "reconcile"], env, tmp_path)
    assert verbose.returncode == 0
    assert "INFO pipelines.sync: reconciled deals: 0 removed" in verbose.stderr


def test_piped_output_is_plain_lines_with_every_figure_whole(env, tmp_path):
    proc = salesmetrics(["sync"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    logged = sync_log(Path(env["SALESMETRICS_DB"]))
    for name, (read, loaded, held) in logged.items():
        assert f"  {name} full: read {read:,}, loaded {loaded:,}, quarantined {held:,}," in proc.stdout
    assert "…" not in proc.stdout and "─" not in proc.stdout


def in_terminal(args: list[str], env: dict[str, str], cwd: Path, columns: int = 80) -> str:
    """Run in a real pseudo-terminal of `columns` columns; return what it showed, escapes removed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in env.items() if k != "COLUMNS"} | {"TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [SALESMETRICS, *args], env=env, cwd=cwd, stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=600) == 0
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode())


def test_the_table_at_80_columns_never_cuts_a_figure(env, tmp_path):
    shown = in_terminal(["sync", "--full"], env, tmp_path)
    logged = sync_log(Path(env["SALESMETRICS_DB"]))
    rows = {line.split()[0]: line.split() for line in shown.splitlines() if line.strip()}
    for name, (read, loaded, held) in logged.items():
        row = next(r for key, r in rows.items() if name.startswith(key))  # a long name may wrap
        assert row[2:5] == [f"{read:,}", f"{loaded:,}", f"{held:,}"], (name, row)
    assert "…" not in shown
    assert max(len(line) for line in shown.splitlines()) <= 80
