"""A sync killed with SIGKILL at any point: the next run resumes from the last committed cursor and
the warehouse ends identical, row for row, to a clean run's."""

from __future__ import annotations

import datetime as dt
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


@pytest.mark.parametrize("kill_after_requests", [3, 20, 45])
def test_a_killed_sync_resumes_to_the_same_warehouse(tmp_path, clean_env, kill_after_requests):
    portal = generate_portal(seed=3, size="small", end_date=dt.date(2026, 10, 31))
    crashed, clean = tmp_path / "crashed.duckdb", tmp_path / "clean.duckdb"
    with DemoPortalServer(portal, token="t", latency_ms=40) as server:
        env = {
            **clean_env,
            "HUBSPOT_BASE_URL": server.url,
            "HUBSPOT_ACCESS_TOKEN": "t",
            "SALESMETRICS_DB": str(crashed),
        }
        proc = subprocess.Popen(
            [str(BIN / "salesmetrics"), "sync"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 120
        while server.request_count < kill_after_requests and proc.poll() is None and time.time() < deadline:
            time.sleep(0.005)
        proc.kill()  # SIGKILL: no cleanup, no rollback handler, an open DuckDB write-ahead log
        proc.wait()
        assert proc.returncode == -9, "the sync finished before it could be killed"
        resumed = subprocess.run(
            [str(BIN / "salesmetrics"), "sync"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        server.latency_ms = 0
        with Warehouse(clean) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "clean")
    assert snapshot(crashed) == snapshot(clean)


def test_a_sync_killed_in_the_middle_of_concurrent_reads_resumes_to_the_same_warehouse(tmp_path, clean_env):
    """Issue 12: killed while the listing, search id ranges and batch reads are all in flight."""
    from pipelines.demo_portal import generate_lazy_portal

    portal = generate_lazy_portal(
        seed=11, deals=4_000, engagements=3_000, companies=60, owners=8, end_date=dt.date(2026, 10, 31)
    )
    crashed, clean = tmp_path / "crashed.duckdb", tmp_path / "clean.duckdb"
    with DemoPortalServer(portal, token="t", latency_ms=60, rate_limit=True, burst_limit=100) as server:
        env = {
            **clean_env,
            "HUBSPOT_BASE_URL": server.url,
            "HUBSPOT_ACCESS_TOKEN": "t",
            "SALESMETRICS_DB": str(crashed),
            "HUBSPOT_TIER": "starter",
        }
        proc = subprocess.Popen(
            [str(BIN / "salesmetrics"), "sync"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 120
        while server.requests_by_route["objects.batch_read"] < 8 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.005)
        proc.kill()
        proc.wait()
        assert proc.returncode == -9, "the sync finished before it could be killed"
        assert server.requests_by_route["objects.search"] > 0
        time.sleep(10.5)  # the killed process's requests leave the portal's ten-second window
        resumed = subprocess.run(
            [str(BIN / "salesmetrics"), "sync"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        # No storm: at most a stray 429 when a loaded machine delays sends past the limiters' margins.
        assert [e.status for e in server.request_log].count(429) <= 3
        server.latency_ms = 0
        server.limiter.enforce = False
        with Warehouse(clean) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "clean")
    assert snapshot(crashed) == snapshot(clean)
