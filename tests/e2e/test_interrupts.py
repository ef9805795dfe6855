"""Ctrl-C and SIGTERM: exit 130 and one line saying what was committed; the next run resumes."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import time

import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal
from pipelines.hubspot.client import HubSpotClient
from pipelines.sync import sync_portal
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
        proc = subprocess.Popen([str(BIN / "salesmetrics"), "sync"], env=env, cwd=tmp_path, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
        resumed = subprocess.run([str(BIN / "salesmetrics"), "sync"], env=env, cwd=tmp_path, capture_output=True,
                                 text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        with Warehouse(clean) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "clean")
    assert snapshot(db) == snapshot(clean)
