"""The dbt project on a hand-made raw layer: `dbt build` (models, unit tests, data tests) passes and
a few mart values computed on paper come out exactly.

The raw rows are inserted with plain SQL into tables created by `create_raw_tables`, so this test
covers dbt alone (no portal, no loader). As of 2024-12-31, reporting zone UTC:

account c1: d1 12,000/12 mo from Jan; d2 6,000/12 mo from Apr (expansion); d13 2,400/24 mo from Oct
            (a closed 1.0 stage labelled "Signed" in another pipeline)       -> 12,000 / 18,000 / 19,200
account c2: d3 24,000/24 mo from Feb (12,000 a year) + d6 1,500/3 mo Feb-Apr (6,000 a year)
            -> 18,000, contraction to 12,000 in May; d8 is on company c5, merged into c2: +1,200 in Jul
account c3: d4 9,000/6 mo Mar-Aug (18,000 a year), churn in Sep, d5 6,000/12 mo from Nov (reactivation)
account c4: d7 10,000 EUR = 11,000 home from Jun (cost 4,000 EUR = 4,400 home); d19 (no owner) +1,000 in Oct
no account: d9 (company c6 deleted) and d10 (no company) count in deal KPIs only.
d11 lost; d12 sits in a closed 0.0 stage labelled "Closed Won" with hs_is_closed_won true: lost.
d14/d15 open; d16 archived, d17 merged into d3, d18 won after the as-of date: none of them count
(d18 does count as an opportunity created in December).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.raw_tables import create_raw_tables

pytestmark = pytest.mark.integration

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

RAW_ROWS = """
insert into raw.deal_pipeline_stages
    (pipeline_id, pipeline_label, pipeline_display_order, pipeline_archived, stage_id, stage_label,
     display_order, is_closed, probability, archived)
values
    ('default', 'Sales Pipeline', 0, false, 'appointmentscheduled', 'Appointment Scheduled', 0, false, 0.2, false),
    ('default', 'Sales Pipeline', 0, false, 'qualifiedtobuy', 'Qualified To Buy', 1, false, 0.4, false),
    ('default', 'Sales Pipeline', 0, false, 'contractsent', 'Contract Sent', 2, false, 0.9, false),
    ('default', 'Sales Pipeline', 0, false, 'closedwon', 'Closed Won', 3, true, 1.0, false),
    ('default', 'Sales Pipeline', 0, false, 'closedlost', 'Closed Lost', 4, true, 0.0, false),
    ('renewals', 'Renewals', 1, false, '1001', 'Signed', 1, true, 1.0, false),
    ('renewals', 'Renewals', 1, false, '1002', 'Closed Won', 2, true, 0.0, false),
    ('renewals', 'Renewals', 1, false, '1003', 'Negotiation', 0, false, 0.5, false);

insert into raw.owners (id, email, first_name, last_name, user_id, primary_team_id, primary_team_name, archived)
values
    ('o1', 'alice@example.com', 'Alice', 'Archer', 101, 't1', 'East', false),
    ('o2', 'bob@example.com', 'Bob', 'Baker', 102, 't1', 'East', false);

insert into raw.companies (id, name, archived, hs_merged_object_ids)
values
    ('c1', 'Acme', false, null),
    ('c2', 'Globex', false, 'c5'),
    ('c3', 'Initech', false, null),
    ('c4', 'Umbrella', false, null),
    ('c5', 'Globex Old', false, null),
    ('c6', 'Deleted Co', true, null);

insert into raw.deals
    (id, dealname, pipeline, dealstage, hubspot_owner_id, primary_company_id, amount, amount_in_home_currency,
     contract_term_months, contract_start_date, cost_of_fulfillment, createdate, closedate, hs_is_closed_won,
     archived, hs_merged_object_ids)
values
    ('d1', 'Acme initial', 'default', 'closedwon', 'o1', 'c1', 12000, null, 12, null, 3000,
     '2023-12-01 09:00', '2024-01-15 10:00', true, false, null),
    ('d2', 'Acme expansion', 'default', 'closedwon', 'o1', 'c1', 6000, null, 12, '2024-04-01', null,
     '2024-03-01 09:00', '2024-03-20 10:00', true, false, null),
    ('d3', 'Globex 2y', 'default', 'closedwon', 'o2', 'c2', 24000, null, 24, '2024-02-01', null,
     '2024-01-05 00:00', '2024-01-25 12:00', true, false, 'd17'),
    ('d4', 'Initech 6m', 'default', 'closedwon', 'o2', 'c3', 9000, null, 6, '2024-03-01', null,
     '2024-02-01 00:00', '2024-02-20 00:00', true, false, null),
    ('d5', 'Initech back', 'default', 'closedwon', 'o2', 'c3', 6000, null, 12, '2024-11-01', null,
     '2024-10-01 00:00', '2024-10-25 00:00', true, false, null),
    ('d6', 'Globex pilot', 'default', 'closedwon', 'o2', 'c2', 1500, null, 3, '2024-02-01', null,
     '2024-01-10 00:00', '2024-01-30 00:00', true, false, null),
    ('d7', 'Umbrella EUR', 'default', 'closedwon', 'o1', 'c4', 10000, 11000, 12, null, 4000,
     '2024-05-01 00:00', '2024-06-10 00:00', true, false, null),
    ('d8', 'Globex old co', 'default', 'closedwon', 'o2', 'c5', 1200, null, 12, null, null,
     '2024-07-01 00:00', '2024-07-15 00:00', true, false, null),
    ('d9', 'Deleted co deal', 'default', 'closedwon', 'o1', 'c6', 5000, null, 12, null, null,
     '2024-07-20 00:00', '2024-08-05 00:00', true, false, null),
    ('d10', 'No company', 'default', 'closedwon', 'o2', null, 3000, null, 12, null, null,
     '2024-08-01 00:00', '2024-08-20 00:00', true, false, null),
    ('d11', 'Lost one', 'default', 'closedlost', 'o1', 'c1', 4000, null, null, null, null,
     '2024-01-10 00:00', '2024-02-10 00:00', false, false, null),
    ('d12', 'Lost by metadata', 'renewals', '1002', 'o2', 'c2', 8000, null, null, null, null,
     '2024-04-01 00:00', '2024-05-05 00:00', true, false, null),
    ('d13', 'Signed 2y', 'renewals', '1001', 'o1', 'c1', 2400, null, 24, '2024-10-01', null,
     '2024-09-01 00:00', '2024-09-28 00:00', true, false, null),
    ('d14', 'Open no amount', 'default', 'qualifiedtobuy', 'o1', 'c3', null, null, null, null, null,
     '2024-11-10 00:00', '2025-02-01 00:00', false, false, null),
    ('d15', 'Open with amount', 'default', 'contractsent', 'o2', 'c4', 5000, null, null, null, null,
     '2024-12-05 00:00', '2025-01-15 00:00', false, false, null),
    ('d16', 'Archived', 'default', 'closedwon', 'o1', 'c1', 99999, null, 12, null, null,
     '2024-01-01 00:00', '2024-02-01 00:00', true, true, null),
    ('d17', 'Merged away', 'default', 'closedwon', 'o2', 'c2', 77777, null, 12, null, null,
     '2024-01-01 00:00', '2024-02-01 00:00', true, false, null),
    ('d18', 'Future', 'default', 'closedwon', 'o1', 'c1', 50000, null, 12, null, null,
     '2024-12-01 00:00', '2025-01-10 00:00', true, false, null),
    ('d19', 'Unowned', 'default', 'closedwon', null, 'c4', 1000, null, 12, null, null,
     '2024-09-15 00:00', '2024-10-10 00:00', true, false, null);
"""


def run_dbt(args: list[str], db: Path) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "SALESMETRICS_DB": str(db), "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [str(dbt) if dbt.exists() else "dbt", *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR,
    )


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    db = tmp_path_factory.mktemp("dbt") / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    create_raw_tables(con)
    con.execute(RAW_ROWS)
    con.close()
    started = time.perf_counter()
    proc = run_dbt(["build", "--vars", json.dumps({"as_of_date": "2024-12-31", "reporting_timezone": "UTC"})], db)
    elapsed = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-5000:]
    assert "ERROR=0" in output and "WARN=0" in output, output[-3000:]
    print(f"dbt build: {elapsed:.1f}s")
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_arr_monthly_bridge(marts):
    got = rows(marts, """
        select strftime(month, '%Y-%m'), arr, customers, new_arr, expansion_arr, contraction_arr,
               churned_arr, reactivation_arr
        from marts.arr_monthly order by month""")
    assert got == [
        ("2024-01", 12000, 1, 12000, 0, 0, 0, 0),
        ("2024-02", 30000, 2, 18000, 0, 0, 0, 0),
        ("2024-03", 48000, 3, 18000, 0, 0, 0, 0),
        ("2024-04", 54000, 3, 0, 6000, 0, 0, 0),
        ("2024-05", 48000, 3, 0, 0, 6000, 0, 0),
        ("2024-06", 59000, 4, 11000, 0, 0, 0, 0),
        ("2024-07", 60200, 4, 0, 1200, 0, 0, 0),
        ("2024-08", 60200, 4, 0, 0, 0, 0, 0),
        ("2024-09", 42200, 3, 0, 0, 0, 18000, 0),
        ("2024-10", 44400, 3, 0, 2200, 0, 0, 0),
        ("2024-11", 50400, 4, 0, 0, 0, 0, 6000),
        ("2024-12", 50400, 4, 0, 0, 0, 0, 0),
    ]


def test_account_movements(marts):
    got = rows(marts, """
        select account_id, strftime(month, '%Y-%m'), arr, prev_arr, movement
        from marts.arr_by_account_month where movement <> 'flat' order by month, account_id""")
    assert got == [
        ("c1", "2024-01", 12000, 0, "new"),
        ("c2", "2024-02", 18000, 0, "new"),
        ("c3", "2024-03", 18000, 0, "new"),
        ("c1", "2024-04", 18000, 12000, "expansion"),
        ("c2", "2024-05", 12000, 18000, "contraction"),
        ("c4", "2024-06", 11000, 0, "new"),
        ("c2", "2024-07", 13200, 12000, "expansion"),
        ("c3", "2024-09", 0, 18000, "churn"),
        ("c1", "2024-10", 19200, 18000, "expansion"),
        ("c4", "2024-10", 12000, 11000, "expansion"),
        ("c3", "2024-11", 6000, 0, "reactivation"),
    ]
    # churned accounts keep rows at 0 until they come back; no account for deleted/absent companies
    assert rows(marts, "select arr from marts.arr_by_account_month where account_id = 'c3' and month = '2024-10-01'") == [(0,)]
    assert rows(marts, "select distinct account_id from marts.arr_by_account_month order by 1") == [
        ("c1",), ("c2",), ("c3",), ("c4",)]


def test_churn_in_september(marts):
    got = rows(marts, """
        select customers_start, churned_customers, logo_churn_rate, arr_start, churned_arr, contraction_arr,
               gross_revenue_churn_rate, net_revenue_retention
        from marts.churn_monthly where month = '2024-09-01'""")
    assert got == [(4, 1, 0.25, 60200, 18000, 0, pytest.approx(18000 / 60200), pytest.approx(42200 / 60200))]
    assert rows(marts, "select min(month), max(month), count(*) from marts.churn_monthly") == [
        (date(2024, 2, 1), date(2024, 12, 1), 11)]


def test_team_deal_kpis(marts):
    got = rows(marts, """
        select strftime(month, '%Y-%m'), deals_won, deals_lost, win_rate, won_amount, avg_deal_size, arpa,
               avg_profit_per_deal, profit_margin_pct, avg_sales_cycle_days, avg_won_cycle_days,
               opportunities_created, pipeline_created_amount
        from marts.sales_kpis_monthly where is_team_total order by month""")
    by_month = {r[0]: r[1:] for r in got}
    assert list(by_month) == ["2023-12"] + [f"2024-{m:02d}" for m in range(1, 13)]
    cycle_d1 = 45 + 1 / 24  # 2023-12-01 09:00 -> 2024-01-15 10:00
    assert by_month["2024-01"] == (3, 0, 1.0, 37500, 12500, 37500 / 2, 9000, 0.75,
                                   pytest.approx((cycle_d1 + 20.5 + 20) / 3), pytest.approx((cycle_d1 + 20.5 + 20) / 3),
                                   3, 29500)
    assert by_month["2024-02"] == (1, 1, 0.5, 9000, 9000, 9000, None, None, 25.0, 19.0, 1, 9000)
    # d12: closed 0.0 stage labelled "Closed Won", hs_is_closed_won true -> lost; d7 created in May, home currency
    assert by_month["2024-05"] == (0, 1, 0.0, 0, None, None, None, None, 34.0, None, 1, 11000)
    # d7: 11,000 home, cost 4,000 EUR x 1.1 = 4,400 home
    assert by_month["2024-06"][:8] == (1, 0, 1.0, 11000, 11000, 11000, pytest.approx(6600), pytest.approx(0.6))
    # d9 (deleted company) and d10 (no company): in deal size, not in ARPA
    assert by_month["2024-08"][:6] == (2, 0, 1.0, 8000, 4000, None)
    # d18 won after the as-of date: only an opportunity created in December
    assert by_month["2024-12"] == (0, 0, None, 0, None, None, None, None, None, None, 2, 55000)


def test_owner_rows_and_the_unowned_row(marts):
    got = rows(marts, """
        select owner_id, deals_won, won_amount, arpa from marts.sales_kpis_monthly
        where month = '2024-10-01' order by is_team_total, owner_id nulls last""")
    assert got == [("o2", 1, 6000, 6000), (None, 1, 1000, 1000), (None, 2, 7000, 3500)]


def test_outcome_mismatch_is_flagged_and_excluded_deals_are_gone(marts):
    assert rows(marts, "select deal_id from intermediate.int_deals_enriched where has_outcome_mismatch") == [("d12",)]
    assert rows(marts, """select count(*) from intermediate.int_deals_enriched
                          where deal_id in ('d16', 'd17')""") == [(0,)]
    assert rows(marts, "select is_archived, is_merged from staging.stg_hubspot__deals where deal_id = 'd17'") == [
        (False, True)]
