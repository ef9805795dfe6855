"""A ten-year backfill launched from the Dagster UI against `salesmetrics backfill` over the same
window: prints figures, asserts nothing.

    .venv/bin/python benchmarks/dagster_backfill.py [--size bench-10k] [--repeat 2]

The lazy demo portal runs in its own process. The CLI is timed as a subprocess, start to exit. The
Dagster side is `dagster dev` started as `make dagster` does, and the `hubspot_backfill` job is
launched through the webserver's GraphQL API (what the Launchpad's button sends); it is timed from
the launch request to the run's SUCCESS, so queueing, the run worker's start and every event
written to the instance (the bookkeeping) are included. Each run writes a new warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WINDOW = ("2016-01-01", "2026-01-01")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


def records(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select sum(records_read) from raw.sync_log").fetchone()[0]
    finally:
        con.close()


def start_dagster(env: dict[str, str], home: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "python"),
            "-W",
            "ignore:Function `dev_command` is superseded",
            "-m",
            "dagster",
            "dev",
            "-w",
            "workspace.yaml",
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
        ],
        cwd=REPO,
        env={**env, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    query = "{workspaceOrError{... on Workspace{locationEntries{loadStatus}}}}"
    while True:
        try:
            entries = graphql(port, query)["workspaceOrError"]["locationEntries"]
            if entries and entries[0]["loadStatus"] == "LOADED":
                return proc, port
        except OSError:
            pass
        time.sleep(0.5)


def dagster_backfill(port: int, db: Path) -> tuple[float, float, str]:
    launch = """mutation($p: ExecutionParams!){launchRun(executionParams: $p){__typename ... on LaunchRunSuccess{run{runId}}}}"""
    params = {
        "selector": {
            "repositoryLocationName": "pipelines.definitions",
            "repositoryName": "__repository__",
            "jobName": "hubspot_backfill",
        },
        "runConfigData": {"ops": {"hubspot_portal": {"config": {"start": WINDOW[0], "end": WINDOW[1]}}}},
    }
    started = time.perf_counter()
    run_id = graphql(port, launch, {"p": params})["launchRun"]["run"]["runId"]
    while True:
        status = graphql(
            port,
            "query($id: ID!){runOrError(runId: $id){... on Run{status creationTime "
            "startTime endTime stepStats{startTime endTime}}}}",
            {"id": run_id},
        )
        run = status["runOrError"]
        if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            assert run["status"] == "SUCCESS", status
            [step] = run["stepStats"]
            # Where the time outside the step goes: in the queue until the daemon hands the run to a
            # new run worker, the worker's start (imports, loading the definitions), then the bookkeeping.
            phases = (
                f"queued {run['startTime'] - run['creationTime']:.1f} s, worker start to step "
                f"{step['startTime'] - run['startTime']:.1f} s, step end to run end "
                f"{run['endTime'] - step['endTime']:.1f} s"
            )
            return time.perf_counter() - started, step["endTime"] - step["startTime"], phases
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="bench-10k")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dagster-backfill-"))
    portal = subprocess.Popen(
        [str(BIN / "salesmetrics"), "serve-demo-portal", "--port", "0", "--size", args.size],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    url = portal.stdout.readline().strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "SALESMETRICS_"))}
    env.update(
        HUBSPOT_BASE_URL=url,
        HUBSPOT_ACCESS_TOKEN="bench",
        HUBSPOT_TIER="unlimited",
        DAGSTER_DISABLE_TELEMETRY="1",
        DO_NOT_TRACK="1",
    )
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    dagster_db = tmp / "dagster.duckdb"
    dagster, port = start_dagster({**env, "SALESMETRICS_DB": str(dagster_db)}, home)
    try:
        print(f"portal {args.size} at {url}; window [{WINDOW[0]}, {WINDOW[1]})")
        for i in range(args.repeat):
            cli_db = tmp / f"cli{i}.duckdb"
            started = time.perf_counter()
            subprocess.run(
                [str(BIN / "salesmetrics"), "-q", "backfill", "--start", WINDOW[0], "--end", WINDOW[1]],
                env={**env, "SALESMETRICS_DB": str(cli_db)},
                cwd=tmp,
                check=True,
            )
            cli = time.perf_counter() - started
            for suffix in ("", ".wal"):
                Path(str(dagster_db) + suffix).unlink(missing_ok=True)
            ui, step, phases = dagster_backfill(port, dagster_db)
            print(
                f"run {i + 1}: salesmetrics backfill {cli:.1f} s ({records(cli_db):,} records); "
                f"Dagster hubspot_backfill from launch to SUCCESS {ui:.1f} s, of which the sync step "
                f"{step:.1f} s ({records(dagster_db):,} records); ratio {ui / cli:.2f}\n"
                f"       outside the step: {phases}"
            )
    finally:
        os.killpg(dagster.pid, signal.SIGTERM)
        dagster.wait(timeout=60)
        os.killpg(portal.pid, signal.SIGTERM)
        portal.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
