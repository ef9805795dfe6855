"""The raw-layer store on a real DuckDB file: each verb (upsert rows, replace a table, replace children,
quarantine, drop merged, advance a cursor), their composition in one transaction, and locks."""

from datetime import datetime

import pandas as pd
import pytest

from pipelines.errors import WarehouseLockedError
from pipelines.hubspot.flatten import child_frame, flatten_records
from pipelines.hubspot.objects import DEAL_COMPANIES, DEALS
from pipelines.warehouse.store import Load, Warehouse, connect, quarantine_frame

T = datetime(2024, 5, 1)


def deals(*versions):
    records = []
    for id_, updated, amount, companies in versions:
        record = {
            "id": id_,
            "properties": {"amount": amount, "pipeline": "default", "dealstage": "closedwon"},
            "updatedAt": updated,
            "archived": False,
        }
        record["associations"] = {
            "companies": {"results": [{"id": c, "type": "deal_to_company_unlabeled"} for c in companies]}
        }
        records.append(record)
    frame, _ = flatten_records(DEALS, records)
    return records, frame


def write(wh, records, frame, sync="s1", cursor=None):
    """The verbs composed as a sync composes them, in one transaction; returns the rows written."""
    load = Load(sync, T)
    with wh.transaction():
        if cursor is not None:
            wh.advance_cursor("deals", cursor, load)
        written = wh.upsert_rows("deals", frame, load)
        wh.replace_children(DEAL_COMPANIES, child_frame(DEAL_COMPANIES, records), written, load)
        wh.resolve_quarantine("deals", written)
    return len(written)


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


def test_a_warehouse_whose_crm_tables_still_carry_a_primary_key_loses_it_and_keeps_its_rows(tmp_path):
    """Warehouses created before the CRM tables lost their key: opening one rebuilds those tables
    without it (the key's index would have to fit in a sync's memory cap), with every row and column."""
    from pipelines.warehouse.raw_tables import RAW_TABLES, column_ddl

    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(("1", "2024-01-02T00:00:00Z", "100", ["9"]), ("2", "2024-01-03T00:00:00Z", "50", []))
        write(wh, records, frame)
        before = table(wh, "select * from raw.deals order by id")
    con = connect(tmp_path / "w.duckdb")
    con.execute("alter table raw.deals rename to deals_rows")
    con.execute(f"create table raw.deals ({column_ddl(RAW_TABLES['deals'][0])}, primary key (id))")
    con.execute("insert into raw.deals select * from raw.deals_rows")
    con.execute("drop table raw.deals_rows")
    keys = "select count(*) from duckdb_constraints() where constraint_type = 'PRIMARY KEY' and table_name = 'deals'"
    assert con.execute(keys).fetchall() == [(1,)]
    con.close()
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert table(wh, keys) == [(0,)]
        assert table(wh, "select * from raw.deals order by id") == before
        newer, newer_frame = deals(("1", "2024-02-01T00:00:00Z", "120", ["8"]))
        assert write(wh, newer, newer_frame, "s2") == 1
        assert table(wh, "select id, amount from raw.deals order by id") == [("1", 120.0), ("2", 50.0)]


def test_duplicate_ids_in_one_batch_keep_the_newest(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(
            ("1", "2024-01-02T00:00:00Z", "100", []),
            ("1", "2024-03-02T00:00:00Z", "300", []),
            ("1", "2024-02-02T00:00:00Z", "200", []),
        )
        write(wh, records, frame)
        assert table(wh, "select amount from raw.deals") == [(300.0,)]


def test_cursor_commits_with_the_rows_and_rolls_back_with_them(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(("1", "2024-01-02T00:00:00Z", "100", []))
        write(wh, records, frame, cursor=datetime(2024, 1, 2))
        assert wh.cursor("deals") == datetime(2024, 1, 2)
        broken = frame.drop(columns=["amount"])  # the upsert fails after the cursor is staged
        with pytest.raises(KeyError):
            write(wh, records, broken, cursor=datetime(2030, 1, 1))
        assert wh.cursor("deals") == datetime(2024, 1, 2)


def test_quarantine_keeps_the_raw_record_and_is_idempotent_and_resolved_by_a_good_version(tmp_path):
    bad = {"id": "7", "properties": {"amount": "-5"}, "updatedAt": "2024-01-01T00:00:00Z"}
    rejected = pd.DataFrame(
        [{"row": 0, "check_name": "greater_than_or_equal_to(0)", "column_name": "amount", "failure_value": "-5.0"}]
    )
    q = quarantine_frame("deals", rejected, [bad])
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.record_quarantine(q, Load("s1", T))
        wh.record_quarantine(q, Load("s2", T))
        rows = table(
            wh,
            "select record_id, check_name, column_name, failure_value, raw_record->>'$.properties.amount', "
            "sync_id from raw.quarantine",
        )
        assert rows == [("7", "greater_than_or_equal_to(0)", "amount", "-5.0", "-5", "s2")]
        records, frame = deals(("7", "2024-02-01T00:00:00Z", "5", []))
        write(wh, records, frame, "s3")
        assert table(wh, "select count(*) from raw.quarantine") == [(0,)]


def test_a_second_writer_gets_an_actionable_lock_error(tmp_path):
    path = tmp_path / "w.duckdb"
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(
            WarehouseLockedError, match=f"held by process {holder.pid} \\(python[0-9.]* -c import duckdb"
        ):
            connect(path)
    finally:
        holder.kill()


def test_replace_table_replaces_the_whole_contents(tmp_path):
    rows = pd.DataFrame({"id": ["a", "b"], "label": ["Busy", "Connected"]}).astype("str")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.replace_table("call_dispositions", rows, Load("s1", T)) == 2
        assert wh.replace_table("call_dispositions", rows.iloc[1:], Load("s2", T)) == 1
        assert table(wh, "select id, label, _sync_id from raw.call_dispositions") == [("b", "Connected", "s2")]


def test_replace_children_touches_only_the_given_parents(tmp_path):
    links = pd.DataFrame({"deal_id": ["1", "2"], "company_id": ["9", "8"], "is_primary": [True, False]})
    links = links.astype({"deal_id": "str", "company_id": "str", "is_primary": "boolean"})
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.replace_children(DEAL_COMPANIES, links, ["1", "2"], Load("s1", T))
        newer = links.assign(company_id=["7", "6"])
        wh.replace_children(DEAL_COMPANIES, newer, ["2"], Load("s2", T))  # deal 1's version lost the upsert
        assert table(wh, "select deal_id, company_id from raw.deal_companies order by deal_id") == [
            ("1", "9"),
            ("2", "6"),
        ]


def test_resolve_quarantine_removes_only_the_given_records_of_the_table(tmp_path):
    rejected = pd.DataFrame(
        [
            {"row": 0, "check_name": "c", "column_name": "amount", "failure_value": "x"},
            {"row": 1, "check_name": "c", "column_name": "amount", "failure_value": "y"},
        ]
    )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.record_quarantine(quarantine_frame("deals", rejected, [{"id": "7"}, {"id": "8"}]), Load("s1", T))
        wh.record_quarantine(quarantine_frame("companies", rejected.iloc[:1], [{"id": "7"}]), Load("s1", T))
        wh.resolve_quarantine("deals", ["7"])
        assert table(wh, "select object, record_id from raw.quarantine order by all") == [
            ("companies", "7"),
            ("deals", "8"),
        ]


def test_drop_merged_removes_the_merged_away_records_and_their_children(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(
            ("1", "2024-01-02T00:00:00Z", "100", ["9"]),
            ("2", "2024-01-02T00:00:00Z", "50", ["8"]),
            ("3", "2024-01-02T00:00:00Z", "70", ["7"]),
        )
        frame.loc[frame["id"] == "1", "hs_merged_object_ids"] = "2; 4"
        write(wh, records, frame)
        wh.drop_merged(DEALS)
        assert table(wh, "select id from raw.deals order by id") == [("1",), ("3",)]
        assert table(wh, "select deal_id from raw.deal_companies order by deal_id") == [("1",), ("3",)]


def test_advance_cursor_moves_the_object_cursor_only(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.cursor("deals") is None
        wh.advance_cursor("deals", datetime(2024, 1, 2), Load("s1", T))
        wh.advance_cursor("deals", datetime(2024, 1, 3), Load("s2", T))
        wh.advance_cursor("calls", datetime(2024, 1, 1), Load("s2", T))
        assert (wh.cursor("deals"), wh.cursor("calls")) == (datetime(2024, 1, 3), datetime(2024, 1, 1))


def test_remove_missing_deletes_records_hubspot_no_longer_has_and_their_children(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(("1", "2024-01-02T00:00:00Z", "100", ["9"]), ("2", "2024-01-02T00:00:00Z", "50", ["8"]))
        write(wh, records, frame)
        assert wh.remove_missing(DEALS, ["1"]) == 1
        assert table(wh, "select id from raw.deals") == [("1",)]
        assert table(wh, "select deal_id from raw.deal_companies") == [("1",)]


def test_a_failing_verb_rolls_back_every_verb_of_the_transaction(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records, frame = deals(("1", "2024-01-02T00:00:00Z", "100", ["9"]))
        with pytest.raises(KeyError), wh.transaction():
            written = wh.upsert_rows("deals", frame, Load("s1", T))
            wh.replace_children(DEAL_COMPANIES, child_frame(DEAL_COMPANIES, records), written, Load("s1", T))
            wh.replace_table("call_dispositions", pd.DataFrame({"id": ["a"]}), Load("s1", T))  # no label column
        assert table(wh, "select (select count(*) from raw.deals), (select count(*) from raw.deal_companies)") == [
            (0, 0)
        ]
