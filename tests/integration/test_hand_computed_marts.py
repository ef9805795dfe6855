"""The whole pipeline on a portal designed by hand; every mart value below was computed on paper
(the portal and the arithmetic are in tests/support/hand_portal.py)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer
from pipelines.hubspot.client import HubSpotClient
from pipelines.settings import Settings
from pipelines.sync import sync_portal
from pipelines.transform import build
from pipelines.warehouse.store import Warehouse
from tests.support.hand_portal import hand_portal

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("hand") / "hand.duckdb"
    with DemoPortalServer(hand_portal(), token="t") as server:
        with Warehouse(db) as wh:
            sync_portal(HubSpotClient("t", server.url), wh, "hand-1")
    build(
        Settings(
            access_token=None,
            base_url="http://unused",
            db_path=db,
            as_of=date(2024, 6, 30),
            timezone="UTC",
            quotas_path=None,
        )
    )
    return db


@pytest.fixture(scope="module")
def marts(hand_warehouse):
    con = duckdb.connect(str(hand_warehouse), read_only=True)
    yield con
    con.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_arr_monthly_follows_contracts_and_the_bridge(marts):
    got = rows(
        marts,
        """select strftime(month, '%Y-%m'), arr, customers, new_arr, expansion_arr, contraction_arr,
                                churned_arr, reactivation_arr from marts.arr_monthly order by month""",
    )
    assert got == [
        ("2024-01", 36000, 2, 36000, 0, 0, 0, 0),
        ("2024-02", 48000, 3, 12000, 0, 0, 0, 0),
        ("2024-03", 48000, 3, 0, 0, 0, 0, 0),
        ("2024-04", 36000, 2, 0, 12000, 0, 24000, 0),
        ("2024-05", 36000, 2, 0, 0, 0, 0, 0),
        ("2024-06", 36000, 2, 0, 0, 0, 0, 0),
    ]


def test_arr_by_account_month_movements(marts):
    got = rows(
        marts,
        """select account_id, strftime(month, '%Y-%m'), arr, prev_arr, movement
                         from marts.arr_by_account_month where month in ('2024-01-01', '2024-04-01', '2024-05-01')
                         order by account_id, month""",
    )
    assert got == [
        ("1001", "2024-01", 12000, 0, "new"),
        ("1001", "2024-04", 24000, 12000, "expansion"),
        ("1001", "2024-05", 24000, 24000, "flat"),
        ("1002", "2024-04", 12000, 12000, "flat"),
        ("1002", "2024-05", 12000, 12000, "flat"),
        ("1003", "2024-01", 24000, 0, "new"),
        ("1003", "2024-04", 0, 24000, "churn"),
        ("1003", "2024-05", 0, 0, "flat"),
    ]


def test_churn_in_april(marts):
    got = rows(
        marts,
        """select customers_start, churned_customers, logo_churn_rate, arr_start, churned_arr,
                                contraction_arr, gross_revenue_churn_rate, net_revenue_retention
                         from marts.churn_monthly where month = '2024-04-01'""",
    )
    assert got == [(3, 1, pytest.approx(1 / 3), 48000, 24000, 0, 0.5, 0.75)]
    assert rows(marts, "select min(month) from marts.churn_monthly") == [(date(2024, 2, 1),)]


def test_team_deal_kpis_in_the_first_half_of_2024(marts):
    got = rows(
        marts,
        """select strftime(month, '%Y-%m'), deals_won, deals_lost, win_rate, won_amount, avg_deal_size,
                                arpa, avg_sales_cycle_days, avg_won_cycle_days, opportunities_created,
                                pipeline_created_amount
                         from marts.sales_kpis_monthly where is_team_total and month >= '2024-01-01' order by month""",
    )
    assert got == [
        ("2024-01", 2, 0, 1.0, 18000, 9000, 9000, 30.0, 30.0, 3, 24000 + 6000 + 5000),
        ("2024-02", 1, 1, 0.5, 24000, 24000, 24000, (31 + 36) / 2, 31.0, 1, 8000),
        ("2024-03", 0, 0, None, 0, None, None, None, None, 1, 6000),
        ("2024-04", 1, 1, 0.5, 6000, 6000, 6000, (35 + 69) / 2, 35.0, 0, 0),
        ("2024-05", 0, 0, None, 0, None, None, None, None, 1, 10000),
        ("2024-06", 0, 0, None, 0, None, None, None, None, 0, 0),
    ]


def test_per_owner_rows_and_the_quarantined_deal(marts):
    got = rows(
        marts,
        """select owner_id, deals_won, won_amount from marts.sales_kpis_monthly
                         where month = '2024-01-01' and not is_team_total order by owner_id""",
    )
    assert got == [("11", 1, 12000), ("12", 1, 6000)]
    assert rows(marts, "select record_id, check_name, column_name from raw.quarantine order by all") == [
        ("9", "greater_than_or_equal_to(0)", "amount"),
        ("9", "greater_than_or_equal_to(0)", "amount_in_home_currency"),
    ]
    assert rows(marts, "select archived from raw.deals where id = '8'") == [(True,)]


def test_dbt_docs_generate_documents_every_mart(hand_warehouse, tmp_path):
    import json
    import shutil

    from pipelines.transform import run_dbt

    db = tmp_path / "copy.duckdb"  # other tests of this module hold the original open, read-only
    shutil.copy(hand_warehouse, db)
    run_dbt(["docs", "generate", "--target-path", str(tmp_path / "target")], db)
    tmp_path = tmp_path / "target"
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    documented = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for mart in ("arr_monthly", "sales_kpis_monthly", "north_star_plan", "rep_scorecard", "funnel_conversion"):
        assert f"model.salesmetrics.{mart}" in catalog["nodes"]
        assert documented[mart]["description"].strip()
        assert all(c["description"].strip() for c in documented[mart]["columns"].values())


def test_every_mart_reads_the_same_in_duckdb_1x_from_both_bi_copies(hand_warehouse, marts):
    """The copies `build` published, read by DuckDB 1.5.6 (the DuckDB BI tools embed) in its own
    environment: every mart of the DuckDB copy and of the Parquet files, row for row as in the warehouse."""
    import json
    import subprocess
    from pathlib import Path

    from pipelines.warehouse.publish import bi_copy_path, parquet_dir_path

    repo = Path(__file__).resolve().parents[2]
    python = repo / ".venv-bi-reader" / "bin" / "python"
    assert python.exists(), "the DuckDB 1.x reader environment is missing: run `make test` (it creates it)"
    proc = subprocess.run(
        [
            str(python),
            str(repo / "tests" / "bi_reader" / "read_marts.py"),
            "dump",
            str(bi_copy_path(hand_warehouse)),
            str(parquet_dir_path(hand_warehouse)),
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    assert got["duckdb_version"] == "1.5.6"
    tables = [
        r[0] for r in rows(marts, "select table_name from information_schema.tables where table_schema = 'marts'")
    ]
    expected = {t: sorted(json.dumps(r, default=str) for r in rows(marts, f"from marts.{t}")) for t in tables}
    assert len(expected) >= 16 and sum(map(len, expected.values())) > 100
    assert got["copy"] == expected
    assert got["parquet"] == expected
