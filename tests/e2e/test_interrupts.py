"""Ctrl-C and SIGTERM: exit 130 and one line saying what was committed; the next run resumes."""

from __future__ import annotations

import datetime as dt
import hashlib
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal
from pipelines.hubspot.client import HubSpotClient
from pipelines.sync import sync_portal
from pipelines.warehouse.publish import bi_copy_path as published_path
from pipelines.warehouse.publish import publish
from pipelines.warehouse.store import Warehouse
from tests.e2e.conftest import BIN
from tests.support.warehouse_snapshot import snapshot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_sync_exits_130_and_says_what_was_committed(tmp_path, clean_env, signum):
    portal = generate_portal(seed=3, size="small", end_date=dt.date(2026, 10, 31))
    db, clean = tmp_path / "w.duckdb", tmp_path / "clean.duckdb"
    with DemoPortalServer(portal, token="t", latency_ms=40) as server:
        env = {**clean_env, "HUBSPOT_BASE_URL": server.url, "HUBSPOT_ACCESS_TOKEN": "t", "SALESMETRICS_DB": str(db)}
        proc = subprocess.Popen(
            [str(BIN / "salesmetrics"), "sync"],
            env=env,
            cwd=tmp_path,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 120
        while server.request_count < 20 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.005)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in stderr, stderr
        assert lines[0].startswith("interrupted: the sync had finished ") and "resumes" in lines[0]
        server.latency_ms = 0
        resumed = subprocess.run(
            [str(BIN / "salesmetrics"), "sync"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        with Warehouse(clean) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "clean")
    assert snapshot(db) == snapshot(clean)


def _children(pid: int) -> dict[int, str]:
    """pid -> command of the live processes whose parent is `pid` (a dbt child would be one)."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out[int(stat.parent.name)] = (
                    (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
        except OSError:
            continue
    return out


def _gone(pids, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _state(pid: int) -> str:
    try:
        return "zombie" if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z" else "alive"
    except OSError:
        return "zombie"


def test_during_dbt_the_warehouse_stays_locked_and_sigterm_leaves_no_dbt_behind(tmp_path, clean_env):
    portal = generate_portal(seed=4, size="small", end_date=dt.date(2026, 10, 31))
    db = tmp_path / "w.duckdb"
    with DemoPortalServer(portal, token="t") as server:
        with Warehouse(db) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "first")
        publish(db)
        bi_before = hashlib.sha256(published_path(db).read_bytes()).hexdigest()
        env = {
            **clean_env,
            "HUBSPOT_BASE_URL": server.url,
            "HUBSPOT_ACCESS_TOKEN": "t",
            "SALESMETRICS_DB": str(db),
            "SALESMETRICS_AS_OF": "2026-10-31",
        }
        run = subprocess.Popen(
            [str(BIN / "salesmetrics"), "run"],
            env=env,
            cwd=tmp_path,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            for line in run.stdout:  # the sync table is printed just before dbt starts
                if "Sync" in line:
                    break
            # dbt's start (it used to leave the file unlocked for seconds): every reader is turned away
            attempts, got_in, until = 0, 0, time.time() + 3
            while time.time() < until:
                attempts += 1
                try:
                    duckdb.connect(str(db), read_only=True).close()
                    got_in += 1
                except duckdb.IOException:
                    pass
                time.sleep(0.02)
            second = subprocess.run(
                [str(BIN / "salesmetrics"), "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
            )
            assert run.poll() is None, "the run ended before it could be interrupted"
            children = _children(run.pid)
            run.send_signal(signal.SIGTERM)
            stdout, stderr = run.communicate(timeout=120)
        finally:
            run.kill()
    assert attempts >= 10 and got_in == 0
    assert second.returncode == 5, second.stderr
    assert f"is held by process {run.pid} (salesmetrics run)" in second.stderr and len(second.stderr.splitlines()) == 1
    # dbt runs inside the run, not as a child (Python's multiprocessing resource tracker may be one,
    # and it ends with its parent); nothing the run started outlives it
    assert not [cmd for cmd in children.values() if "dbt" in cmd], children
    assert _gone(children), {
        pid: _children_cmd for pid, _children_cmd in children.items() if Path(f"/proc/{pid}").exists()
    }
    assert run.returncode == 130, stderr
    assert stderr.splitlines() == [
        "interrupted: the raw layer is committed; dbt was stopped mid-build (each model is replaced whole or not at "
        "all) and the BI copy is still the last published one. The next run resumes from there."
    ]
    assert hashlib.sha256(published_path(db).read_bytes()).hexdigest() == bi_before
