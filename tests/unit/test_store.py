"""The raw-layer store on a real DuckDB file: upserts, child rows, quarantine, cursors, locks."""

from datetime import datetime

import pandas as pd
import pytest

from pipelines.errors import WarehouseLockedError
from pipelines.hubspot.flatten import deal_companies_frame, flatten_records
from pipelines.hubspot.objects import DEALS
from pipelines.warehouse.store import Batch, ChildRows, Warehouse, connect, quarantine_frame

T = datetime(2024, 5, 1)


def deals(*versions):
    records = []
    for id_, updated, amount, companies in versions:
        record = {"id": id_, "properties": {"amount": amount, "pipeline": "default", "dealstage": "closedwon"},
                  "updatedAt": updated, "archived": False}
        record["associations"] = {"companies": {"results": [{"id": c, "type": "deal_to_company_unlabeled"}
                                                            for c in companies]}}
        records.append(record)
    frame, _ = flatten_records(DEALS, records)
    return records, frame


def write(wh, records, frame, sync="s1", cursor=None):
    companies = deal_companies_frame(records)
    return wh.write_batch(Batch("deals", frame, children=[ChildRows("deal_companies", "deal_id", companies)],
                                cursor=cursor), sync, T)


def table(wh, sql):
    return wh.con.execute(sql).fetchall()


def test_upsert_keeps_the_newest_version_and_a_replay_changes_nothing(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(("1", "2024-01-02T00:00:00Z", "100", ["9"]), ("2", "2024-01-02T00:00:00Z", "50", []))
        assert write(wh, records, frame) == 2
        newer, newer_frame = deals(("1", "2024-02-01T00:00:00Z", "120", ["8"]))
        assert write(wh, newer, newer_frame, "s2") == 1
        older, older_frame = deals(("1", "2024-01-15T00:00:00Z", "999", ["7"]))
        assert write(wh, older, older_frame, "s3") == 0  # stale: neither the row nor its children change
        before = table(wh, "select * exclude (_loaded_at) from raw.deals order by id")
        assert write(wh, newer, newer_frame, "s2") == 1  # replay of the same version
        assert table(wh, "select * exclude (_loaded_at) from raw.deals order by id") == before
        assert table(wh, "select id, amount from raw.deals order by id") == [("1", 120.0), ("2", 50.0)]
        assert table(wh, "select deal_id, company_id from raw.deal_companies") == [("1", "8")]


def test_duplicate_ids_in_one_batch_keep_the_newest(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(("1", "2024-01-02T00:00:00Z", "100", []), ("1", "2024-03-02T00:00:00Z", "300", []),
                               ("1", "2024-02-02T00:00:00Z", "200", []))
        write(wh, records, frame)
        assert table(wh, "select amount from raw.deals") == [(300.0,)]


def test_cursor_commits_with_the_rows_and_rolls_back_with_them(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(("1", "2024-01-02T00:00:00Z", "100", []))
        write(wh, records, frame, cursor=datetime(2024, 1, 2))
        assert wh.cursor("deals") == datetime(2024, 1, 2)
        broken = frame.drop(columns=["amount"])  # the insert fails after the cursor is staged
        with pytest.raises(KeyError):
            write(wh, records, broken, cursor=datetime(2030, 1, 1))
        assert wh.cursor("deals") == datetime(2024, 1, 2)


def test_quarantine_keeps_the_raw_record_and_is_idempotent_and_resolved_by_a_good_version(tmp_path):
    bad = {"id": "7", "properties": {"amount": "-5"}, "updatedAt": "2024-01-01T00:00:00Z"}
    rejected = pd.DataFrame([{"row": 0, "check_name": "greater_than_or_equal_to(0)", "column_name": "amount",
                              "failure_value": "-5.0"}])
    q = quarantine_frame("deals", rejected, [bad])
    with Warehouse(tmp_path / "w.duckdb") as wh:
        empty = flatten_records(DEALS, [])[0]
        wh.write_batch(Batch("deals", empty, quarantine=q), "s1", T)
        wh.write_batch(Batch("deals", empty, quarantine=q), "s2", T)
        rows = table(wh, "select record_id, check_name, column_name, failure_value, raw_record->>'$.properties.amount', "
                         "sync_id from raw.quarantine")
        assert rows == [("7", "greater_than_or_equal_to(0)", "amount", "-5.0", "-5", "s2")]
        records, frame = deals(("7", "2024-02-01T00:00:00Z", "5", []))
        write(wh, records, frame, "s3")
        assert table(wh, "select count(*) from raw.quarantine") == [(0,)]


def test_a_second_writer_gets_an_actionable_lock_error(tmp_path):
    path = tmp_path / "w.duckdb"
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); "
                               "print('ready', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseLockedError, match=f"held by process {holder.pid} \\(python[0-9.]* -c import duckdb"):
            connect(path)
    finally:
        holder.kill()
