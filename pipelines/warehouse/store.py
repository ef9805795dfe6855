"""Writing the raw layer in small verbs: upsert rows, replace a table, replace children, record
quarantine, drop merged records, advance a cursor.

A sync composes the verbs of one write inside `Warehouse.transaction()`, so a cursor is committed
together with the last rows it covers and a crash leaves either all of a write or none of it. Rows
are staged from DataFrames (DuckDB scans them as Arrow), never inserted one by one.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.errors import WarehouseLockedError
from pipelines.failures import ran_out_of_memory
from pipelines.hubspot.objects import CRM_OBJECTS, ChildTable, CrmObject
from pipelines.warehouse.limits import apply_limits, memory_cap, sync_memory_cap
from pipelines.warehouse.raw_tables import RAW_SCHEMA, RAW_TABLES, create_raw_tables

QUARANTINE_FIELDS = ["object", "record_id", "check_name", "column_name", "failure_value", "raw_record"]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All of the block's statements, or none of them."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


@dataclass(frozen=True)
class Load:
    """Which sync wrote a row, and when: the load columns every raw table carries."""

    sync_id: str
    at: datetime

    def stamp(self, table: str, rows: pd.DataFrame) -> pd.DataFrame:
        """`rows` with the load columns, in the raw table's column order."""
        return rows.assign(_sync_id=self.sync_id, _loaded_at=pd.Timestamp(self.at))[list(RAW_TABLES[table][0])]


class Warehouse:
    """A read-write connection to the warehouse file (DuckDB allows one writer per file)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = connect(self.path)
        # One DuckDB connection, shared by the threads of a concurrent sync: writes take turns.
        self.lock = threading.RLock()
        create_raw_tables(self.con)
        _drop_crm_keys(self.con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """The verbs called in the block commit together or not at all; other threads wait."""
        with self.lock, transaction(self.con):
            yield self

    @contextmanager
    def capped_for_sync(self) -> Iterator[None]:
        """DuckDB at the sync's memory cap for the block, and at the memory limit again after it.

        The cap is the instance's (every connection of this process to the file shares it), so what
        runs after the sync in the same process, dbt above all, gets the larger one back. Running out
        of memory in the block names the sync's cap, the one to raise."""
        cap = sync_memory_cap()
        with self.lock:
            self.con.execute(f"SET memory_limit = '{cap.value}'")
        try:
            yield
        except Exception as exc:
            if ran_out_of_memory(exc):
                raise cap.out_of_memory() from None
            raise
        finally:
            with self.lock, suppress(duckdb.Error):
                self.con.execute(f"SET memory_limit = '{memory_cap().value}'")

    @contextmanager
    def _staged(self, name: str, frame: pd.DataFrame) -> Iterator[None]:
        """`frame` readable as the relation `name` for the block."""
        self.con.register(name, frame)
        try:
            yield
        except BaseException:
            # A failed statement aborts the transaction, which then refuses the unregister: its
            # error would hide the one that matters (an out-of-memory became "transaction aborted").
            with suppress(duckdb.Error):
                self.con.unregister(name)
            raise
        self.con.unregister(name)

    # -- writing ----------------------------------------------------------------------------

    def upsert_rows(self, table: str, rows: pd.DataFrame, load: Load) -> pd.Series:
        """Write the rows whose id is new or whose `updated_at` is at least the stored one, the
        newest of duplicates first; return the ids written.

        The newest `updated_at` wins, so replaying a page, or an overlapping window, changes
        nothing. An anti-join picks the winners, which replace their ids by delete and insert: the
        tables carry no primary-key index (see `raw_tables`), so this is what keeps an id unique.
        """
        target = f"{RAW_SCHEMA}.{table}"
        with self.lock, self._staged("batch_rows", load.stamp(table, rows)):
            self.con.execute(
                f"""create or replace temp table batch_winners as
                select s.* from (
                    select * from batch_rows qualify row_number() over (partition by id order by updated_at desc) = 1
                ) s left join {target} t on t.id = s.id
                where t.id is null or s.updated_at >= t.updated_at"""
            )
            self.con.execute(f"delete from {target} where id in (select id from batch_winners)")
            self.con.execute(f"insert into {target} select * from batch_winners")
            return self.con.execute("select id from batch_winners").df()["id"]

    def replace_table(self, table: str, rows: pd.DataFrame, load: Load) -> int:
        """A reference table read whole: its rows replace the table's contents; return how many."""
        with self.lock, self._staged("table_rows", load.stamp(table, rows)):
            self.con.execute(f"delete from {RAW_SCHEMA}.{table}")
            self.con.execute(f"insert into {RAW_SCHEMA}.{table} select * from table_rows")
        return len(rows)

    def replace_children(self, child: ChildTable, rows: pd.DataFrame, parent_ids: Iterable[str], load: Load) -> None:
        """The child rows of the given parents replace their previous ones; rows of other parents
        (an older version that lost the upsert) are not written."""
        parents = pd.DataFrame({"id": pd.Series(list(parent_ids), dtype="str")})
        target, parent = f"{RAW_SCHEMA}.{child.name}", child.parent_column
        with self.lock, self._staged("parent_ids", parents), self._staged("child_rows", load.stamp(child.name, rows)):
            self.con.execute(f"delete from {target} where {parent} in (select id from parent_ids)")
            self.con.execute(
                f"insert into {target} select * from child_rows where {parent} in (select id from parent_ids)"
            )

    def resolve_quarantine(self, table: str, loaded_ids: Iterable[str]) -> None:
        """Records that now load cleanly are no longer bad: their quarantine entries go."""
        loaded = pd.DataFrame({"id": pd.Series(list(loaded_ids), dtype="str")})
        with self.lock, self._staged("loaded_ids", loaded):
            self.con.execute(
                f"delete from {RAW_SCHEMA}.quarantine where object = ? and record_id in (select id from loaded_ids)",
                [table],
            )

    def record_quarantine(self, rejections: pd.DataFrame, load: Load) -> None:
        """Record rejected rows with their raw record (`quarantine_frame`); the same rejection seen
        again replaces its earlier entry."""
        if rejections.empty:
            return
        quarantine = f"{RAW_SCHEMA}.quarantine"
        rows = rejections[QUARANTINE_FIELDS].assign(sync_id=load.sync_id, quarantined_at=pd.Timestamp(load.at))
        with self.lock, self._staged("quarantine_rows", rows):
            self.con.execute(
                f"""delete from {quarantine} q using quarantine_rows r
                where q.object = r.object and q.check_name = r.check_name
                  and coalesce(q.column_name, '') = coalesce(r.column_name, '')
                  and coalesce(q.record_id, md5(q.raw_record::varchar)) = coalesce(r.record_id, md5(r.raw_record))"""
            )
            self.con.execute(f"insert into {quarantine} select * from quarantine_rows")

    def drop_merged(self, obj: CrmObject) -> None:
        """Remove the records (and their children) whose id a surviving record lists in
        `hs_merged_object_ids`: HubSpot drops a merged-away record without archiving it, so no sync
        would ever see it again."""
        with self.lock:
            self.con.execute(
                f"""create or replace temp table merged_ids as
                select distinct trim(merged.id) as id
                from (select unnest(string_split(hs_merged_object_ids, ';')) as id from {RAW_SCHEMA}.{obj.name}
                      where hs_merged_object_ids is not null) merged"""
            )
            self._delete_ids(obj, "merged_ids")

    def advance_cursor(self, table: str, cursor: datetime, load: Load) -> None:
        """The object's next incremental sync reads the records modified from `cursor` on."""
        with self.lock:
            self.con.execute(
                f"insert or replace into {RAW_SCHEMA}.sync_cursors values (?, ?, ?, ?)",
                [table, cursor, load.sync_id, load.at],
            )

    def remove_missing(self, obj: CrmObject, present_ids: list[str]) -> int:
        """Delete the records (and their children) whose id HubSpot no longer has at all; return how many."""
        present = pd.DataFrame({"id": pd.Series(present_ids, dtype="str")})
        with self.transaction(), self._staged("present_ids", present):
            self.con.execute(
                f"create or replace temp table missing_ids as select id from {RAW_SCHEMA}.{obj.name} "
                "where id not in (select id from present_ids)"
            )
            removed = self.con.execute("select count(*) from missing_ids").fetchall()[0][0]
            self._delete_ids(obj, "missing_ids")
        return int(removed)

    def _delete_ids(self, obj: CrmObject, ids_relation: str) -> None:
        """Delete the records whose id is in `ids_relation`, and their child rows."""
        self.con.execute(f"delete from {RAW_SCHEMA}.{obj.name} where id in (select id from {ids_relation})")
        for child in obj.children:
            self.con.execute(
                f"delete from {RAW_SCHEMA}.{child.name} where {child.parent_column} in (select id from {ids_relation})"
            )

    def log_sync(self, row: dict[str, Any]) -> None:
        with self.lock:
            self.con.execute(
                f"insert or replace into {RAW_SCHEMA}.sync_log by name select * from (select "
                + ", ".join(f"? as {k}" for k in row)
                + ")",
                list(row.values()),
            )

    # -- reading state ----------------------------------------------------------------------

    def cursor(self, table: str) -> datetime | None:
        with self.lock:
            rows = self.con.execute(  # read to the end: a half-read result blocks `register`
                f"select cursor_value from {RAW_SCHEMA}.sync_cursors where object = ?", [table]
            ).fetchall()
        return rows[0][0] if rows else None

    def stored_archived(self, table: str, ids: list[str]) -> dict[str, datetime]:
        """The records among `ids` stored as archived: id -> their `updated_at`."""
        if not ids:
            return {}
        # The ids as one list parameter: a single query, no frame to register.
        with self.lock:
            rows = self.con.execute(
                f"select id, updated_at from {RAW_SCHEMA}.{table} where archived and list_contains(?, id)", [ids]
            ).fetchall()
        return dict(rows)

    def known_stage_ids(self) -> set[str]:
        with self.lock:
            rows = self.con.execute(f"select stage_id from {RAW_SCHEMA}.deal_pipeline_stages").fetchall()
        return {r[0] for r in rows}


def _drop_crm_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild, once, the CRM tables of a warehouse created while they had a primary key: its index
    must stay in memory while a table is written (about 100 MB at xlarge), more than a sync's cap.
    DuckDB cannot drop a key, so each table is copied without it in one transaction: all or nothing."""
    crm = {obj.name for obj in CRM_OBJECTS}
    keyed = con.execute(
        "select table_name from duckdb_constraints() where schema_name = ? and constraint_type = 'PRIMARY KEY'",
        [RAW_SCHEMA],
    ).fetchall()
    for name in [name for (name,) in keyed if name in crm]:
        with transaction(con):
            con.execute(f"create table {RAW_SCHEMA}.{name}__unkeyed as select * from {RAW_SCHEMA}.{name}")
            con.execute(f"drop table {RAW_SCHEMA}.{name}")
            con.execute(f"alter table {RAW_SCHEMA}.{name}__unkeyed rename to {name}")


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, turning DuckDB's lock conflict into an error that names the holder."""
    try:
        return apply_limits(duckdb.connect(str(path), read_only=read_only))
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        pid = re.search(r"PID (\d+)", str(exc))
        holder = f"process {pid.group(1)}{_command_of(int(pid.group(1)))}" if pid else "another process"
        raise WarehouseLockedError(
            f"the warehouse {path} is held by {holder}. DuckDB allows one writer and no reader beside it: wait "
            "for that process or stop it (point BI tools at the .bi.duckdb copy), then run again."
        ) from None


def _command_of(pid: int) -> str:
    """' (salesmetrics run)': the holder's command line as a person would have typed it, if readable."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return ""
    argv = [a for a in argv if a]
    if len(argv) > 1 and Path(argv[0]).name.startswith("python") and not argv[1].startswith("-"):
        argv = argv[1:]  # a console script: `python .../salesmetrics run` -> `salesmetrics run`
    if not argv:
        return ""
    text = " ".join([Path(argv[0]).name, *argv[1:]])
    return f" ({text[:80]}{'...' if len(text) > 80 else ''})"


def quarantine_frame(table: str, rejected: pd.DataFrame, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Rejections (row, check_name, column_name, failure_value) -> quarantine rows with the raw record."""
    if rejected.empty:
        return pd.DataFrame(columns=QUARANTINE_FIELDS)
    raw = [records[int(r)] for r in rejected["row"]]
    return pd.DataFrame(
        {
            "object": table,
            "record_id": [None if rec.get("id") in (None, "") else str(rec.get("id")) for rec in raw],
            "check_name": rejected["check_name"].to_numpy(),
            "column_name": rejected["column_name"].to_numpy(),
            "failure_value": rejected["failure_value"].to_numpy(),
            "raw_record": [json.dumps(rec, sort_keys=True, default=str) for rec in raw],
        }
    )
