"""Extraction through the real hubspot-api-client against the demo portal over a real socket,
into a real DuckDB file."""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, FaultRule
from pipelines.errors import HubSpotAuthError, HubSpotScopeError, HubSpotUnavailableError
from pipelines.hubspot.client import HubSpotClient
from pipelines.sync import sync_portal
from pipelines.warehouse.store import Warehouse
from tests.support.warehouse_snapshot import snapshot

pytestmark = pytest.mark.integration
TOKEN = "pat-na1-test-secret"


def run_sync(server, db, sync_id="s1", full=False, **client_kwargs):
    client = HubSpotClient(TOKEN, server.url, **client_kwargs)
    with Warehouse(db) as wh:
        return {r.object: r for r in sync_portal(client, wh, sync_id, full=full)}, client


def query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_full_sync_loses_nothing_and_quarantines_bad_records_with_reasons(small_portal, tmp_path):
    db = tmp_path / "w.duckdb"
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        results, _ = run_sync(server, db)
    for name, records in small_portal.objects.items():
        loaded = query(db, f"select count(*) from raw.{name}")[0][0]
        quarantined = query(
            db,
            f"select count(distinct coalesce(record_id, md5(raw_record::varchar))) "
            f"from raw.quarantine where object = '{name}'",
        )[0][0]
        assert loaded + quarantined == len(records), name  # every record is either loaded or quarantined
        assert results[name].records_read == len(records)
    checks = {(o, c, col) for o, c, col in query(db, "select object, check_name, column_name from raw.quarantine")}
    assert ("deals", "greater_than_or_equal_to(0)", "amount") in checks
    assert ("deals", "parse_datetime", "closedate") in checks
    assert ("deals", "dealstage_in_pipelines", "dealstage") in checks
    assert ("calls", "not_nullable", "id") in checks
    archived = [r["id"] for r in small_portal.objects["deals"] if r["archived"]]
    assert archived and query(db, "select count(*) from raw.deals where archived")[0][0] == len(archived)
    assert query(db, "select count(*) from raw.owners where archived")[0][0] >= 1
    assert query(db, "select count(*) from raw.deal_stage_history")[0][0] > len(small_portal.objects["deals"])
    # Inline associations repeat the primary company; it is stored once and flagged primary.
    assert (
        query(
            db,
            "select count(*) from (select deal_id from raw.deal_companies group by deal_id "
            "having count(*) filter (where is_primary) > 1)",
        )[0][0]
        == 0
    )


def test_each_object_reports_the_requests_it_made(small_portal, tmp_path):
    """Owners and call dispositions are read beside the CRM objects: each object's count is its own
    requests, and together they are every request the portal answered."""
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        results, _ = run_sync(server, tmp_path / "w.duckdb")
        by_route = server.requests_by_route
        answered = server.request_count
    assert results["owners"].requests == by_route["owners.list"] >= 2  # live and archived
    assert results["call_dispositions"].requests == by_route["dispositions"] == 1
    assert results["deal_pipeline_stages"].requests == by_route["pipelines.list"] == 1
    assert sum(r.requests for r in results.values()) == answered


def test_a_rerun_changes_nothing(small_portal, tmp_path):
    db = tmp_path / "w.duckdb"
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        run_sync(server, db, "s1")
        first = snapshot(db)
        results, _ = run_sync(server, db, "s2")
    assert results["deals"].mode == "incremental"
    assert snapshot(db) == first


def test_incremental_sync_reads_changes_and_ends_where_a_full_sync_does(small_portal, tmp_path):
    incremental_db, full_db = tmp_path / "inc.duckdb", tmp_path / "full.duckdb"
    live = [
        r
        for r in small_portal.objects["deals"]
        if r["id"]
        and not r["archived"]
        and r["properties"]["pipeline"] == "default"
        and r["properties"]["hs_is_closed"] == "false"
    ]
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        first, first_client = run_sync(server, incremental_db, "s1")
        at = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
        small_portal.update("deals", live[0]["id"], {"dealstage": "contractsent", "amount": "4321"}, at)
        small_portal.archive("deals", live[1]["id"], at)
        small_portal.merge("deals", live[2]["id"], live[3]["id"], at)
        calls = [r for r in small_portal.objects["calls"] if r["id"]]
        small_portal.update("calls", calls[0]["id"], {"hs_call_duration": "1000"}, at)
        server.reset_stats()
        second, second_client = run_sync(server, incremental_db, "s2")
        deal_requests = [e for e in server.request_log if e.object_type == "deals"]
        run_sync(server, full_db, "f1")
    assert second["deals"].mode == "incremental"
    assert second_client.request_count < first_client.request_count / 2
    assert snapshot(incremental_db) == snapshot(full_db)
    assert query(incremental_db, f"select amount, dealstage from raw.deals where id = '{live[0]['id']}'") == [
        (4321.0, "contractsent")
    ]
    assert query(incremental_db, f"select archived from raw.deals where id = '{live[1]['id']}'") == [(True,)]
    # The daily sync lists archived deals without history and reads by id, with it, only the one
    # archived since: the others are in the warehouse as they are.
    archived_listing = [e for e in deal_requests if e.route == "objects.list" and "archived=true" in e.query.lower()]
    assert archived_listing and not any("propertiesWithHistory" in e.query for e in archived_listing)
    assert [
        e.route for e in deal_requests if e.route == "objects.batch_read" and "archived=true" in e.query.lower()
    ] == ["objects.batch_read"]
    assert query(incremental_db, f"select count(*) from raw.deal_stage_history where deal_id = '{live[1]['id']}'")[0][0]
    merged = query(incremental_db, f"select hs_merged_object_ids from raw.deals where id = '{live[2]['id']}'")[0][0]
    assert live[3]["id"] in merged.split(";")


@pytest.mark.parametrize(
    "rule",
    [
        FaultRule(status=429, count=3, retry_after=1),
        FaultRule(status=429, count=3),
        FaultRule(status=500, count=2),
        FaultRule(status=502, count=2, html=True),
        FaultRule(kind="truncate", count=2),
        FaultRule(kind="drop", count=2),
    ],
    ids=["429-retry-after", "429-bare", "500", "html-502", "truncated-json", "dropped-connection"],
)
def test_faults_end_in_the_same_data_as_a_clean_run(small_portal, tmp_path, rule):
    clean_db, faulty_db = tmp_path / "clean.duckdb", tmp_path / "faulty.duckdb"
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        run_sync(server, clean_db)
        for prefix in ("/crm/v3/objects/deals", "/crm/v3/objects/calls", "/crm/v3/owners"):
            server.faults.add(FaultRule(**{**rule.__dict__, "path_prefix": prefix}))
        run_sync(server, faulty_db, backoff_seconds=0.05)
    assert snapshot(faulty_db) == snapshot(clean_db)


def test_faults_on_search_and_batch_posts_are_retried(small_portal, tmp_path):
    db, clean_db = tmp_path / "w.duckdb", tmp_path / "clean.duckdb"
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        run_sync(server, db, "s1")
        at = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
        deal = next(r for r in small_portal.objects["deals"] if r["id"] and not r["archived"])
        small_portal.update("deals", deal["id"], {"amount": "777"}, at)
        server.faults.add(FaultRule(status=429, count=2, path_prefix="/crm/v3/objects/deals/search"))
        server.faults.add(FaultRule(kind="drop", count=1, path_prefix="/crm/v3/objects/deals/batch/read"))
        server.faults.add(FaultRule(status=503, count=1, path_prefix="/crm/v4/associations"))
        run_sync(server, db, "s2", backoff_seconds=0.05)
        run_sync(server, clean_db, "c1")
    assert snapshot(db) == snapshot(clean_db)


def test_persistent_failure_is_an_error_not_a_short_read(small_portal, tmp_path):
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        server.faults.add(FaultRule(kind="truncate", count=1000, path_prefix="/crm/v3/objects/companies"))
        with pytest.raises(HubSpotUnavailableError, match="kept failing") as info:
            run_sync(server, tmp_path / "w.duckdb", backoff_seconds=0.01)
    assert TOKEN not in str(info.value)


def test_a_bad_token_is_a_clear_error(small_portal, tmp_path):
    with DemoPortalServer(small_portal, token="the-right-one") as server:
        with pytest.raises(HubSpotAuthError, match="HUBSPOT_ACCESS_TOKEN") as info:
            run_sync(server, tmp_path / "w.duckdb")
    assert TOKEN not in str(info.value)


def test_a_missing_scope_is_named(small_portal, tmp_path):
    with DemoPortalServer(small_portal, token=TOKEN, denied_scopes={"crm.objects.goals.read"}) as server:
        with pytest.raises(HubSpotScopeError, match="crm.objects.goals.read"):
            run_sync(server, tmp_path / "w.duckdb")


def test_an_unreachable_host_fails_fast_and_says_which():
    client = HubSpotClient(TOKEN, "http://127.0.0.1:9")
    started = time.perf_counter()
    with pytest.raises(HubSpotUnavailableError, match="Cannot reach HubSpot at http://127.0.0.1:9"):
        client.deal_pipelines()
    assert time.perf_counter() - started < 15


def test_timeouts_are_retried_and_end_in_the_same_data(small_portal, tmp_path):
    clean_db, slow_db = tmp_path / "clean.duckdb", tmp_path / "slow.duckdb"
    with DemoPortalServer(small_portal, token=TOKEN) as server:
        run_sync(server, clean_db)
        # The server stalls past the client's 0.5 s read timeout, twice, on two endpoints.
        for prefix in ("/crm/v3/objects/calls", "/crm/v3/pipelines"):
            server.faults.add(FaultRule(kind="hook", count=2, path_prefix=prefix, hook=lambda: time.sleep(1.5)))
        run_sync(server, slow_db, timeout=(2.0, 0.5), backoff_seconds=0.05)
    assert snapshot(slow_db) == snapshot(clean_db)


def test_a_record_changed_while_the_sync_reads_is_caught_by_the_next_sync(small_portal, tmp_path):
    db, clean_db = tmp_path / "w.duckdb", tmp_path / "clean.duckdb"
    target = next(r for r in small_portal.objects["calls"] if r["id"] and not r["archived"])
    changed_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # before the sync "started"

    def change():
        small_portal.update("calls", target["id"], {"hs_call_duration": "424242"}, changed_at)

    with DemoPortalServer(small_portal, token=TOKEN) as server:
        # Fires on a later page of the calls listing, after the page holding `target` was served.
        server.faults.add(FaultRule(kind="hook", count=1, skip=5, path_prefix="/crm/v3/objects/calls", hook=change))
        run_sync(server, db, "s1")
        run_sync(server, db, "s2")
        run_sync(server, clean_db, "clean")
    assert query(db, f"select hs_call_duration from raw.calls where id = '{target['id']}'") == [(424242.0,)]
    assert snapshot(db) == snapshot(clean_db)
