"""Writing the raw layer: idempotent upserts, child-row replacement, quarantine, sync cursors.

Each call of `write_batch` is one transaction, so the cursor of a sync is committed together with
the last rows it covers and a crash leaves either all of a batch or none of it. Rows are staged
from DataFrames (DuckDB scans them as Arrow), never inserted one by one.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Iterator

import duckdb
import pandas as pd

from pipelines.errors import WarehouseLockedError
from pipelines.warehouse.raw_tables import RAW_SCHEMA, RAW_TABLES, create_raw_tables
from pipelines.warehouse.limits import apply_limits


@dataclass
class ChildRows:
    """Rows of a child table (e.g. deal_stage_history) that replace the parents' previous rows."""

    table: str
    parent_column: str
    frame: pd.DataFrame


@dataclass
class Batch:
    """Everything one page of a sync writes, committed atomically."""

    table: str
    rows: pd.DataFrame  # typed, valid rows with the table's columns (load columns are added here)
    key: tuple[str, ...] = ("id",)
    children: list[ChildRows] = field(default_factory=list)
    quarantine: pd.DataFrame | None = None  # object, record_id, check_name, column_name, failure_value, raw_record
    cursor: datetime | None = None  # when set, the object's sync cursor moves here in the same transaction
    replace_all: bool = False  # reference tables are read whole: replace the table's contents
    # Remove rows whose id a surviving record lists in `hs_merged_object_ids` (and their child rows):
    # HubSpot drops a merged-away record without archiving it, so a full sync never sees it again.
    drop_merged_from: tuple[str, ...] | None = None


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


QUARANTINE_FIELDS = ["object", "record_id", "check_name", "column_name", "failure_value", "raw_record"]


class Warehouse:
    """A read-write connection to the warehouse file (DuckDB allows one writer per file)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = connect(self.path)
        # One DuckDB connection, shared by the threads of a concurrent sync: writes take turns.
        self.lock = threading.RLock()
        create_raw_tables(self.con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------

    def write_batch(self, batch: Batch, sync_id: str, loaded_at: datetime) -> int:
        """Upsert a batch; return how many rows were written (older versions are not written).

        The newest `updated_at` wins: a row is written when its id is new or its `updated_at` is
        at least the stored one, so replaying a page, or an overlapping window, changes nothing.
        """
        with self.lock:
            return self._write_batch(batch, sync_id, loaded_at)

    def _write_batch(self, batch: Batch, sync_id: str, loaded_at: datetime) -> int:
        columns = list(RAW_TABLES[batch.table][0])
        rows = batch.rows.assign(_sync_id=sync_id, _loaded_at=pd.Timestamp(loaded_at))[columns]
        target = f"{RAW_SCHEMA}.{batch.table}"
        con = self.con
        try:
            with transaction(con):
                con.register("batch_rows", rows)
                keys = ", ".join(batch.key)
                if batch.replace_all:
                    con.execute(f"delete from {target}")
                    con.execute(f"insert into {target} select * from batch_rows")
                    written = len(rows)
                    winners = rows[list(batch.key)]
                else:
                    newest = "order by updated_at desc" if "updated_at" in columns else ""
                    join = " and ".join(f"t.{k} = s.{k}" for k in batch.key)
                    con.execute(
                        f"""create or replace temp table batch_winners as
                        select s.* from (
                            select * from batch_rows qualify row_number() over (partition by {keys} {newest}) = 1
                        ) s left join {target} t on {join}
                        where t.{batch.key[0]} is null {"or s.updated_at >= t.updated_at" if newest else "or true"}"""
                    )
                    con.execute(f"insert or replace into {target} select * from batch_winners")
                    winners = con.execute(f"select {keys} from batch_winners").df()
                    written = len(winners)
                con.register("batch_winner_keys", winners)
                for child in batch.children:
                    child_columns = list(RAW_TABLES[child.table][0])
                    child_rows = child.frame.assign(_sync_id=sync_id, _loaded_at=pd.Timestamp(loaded_at))[child_columns]
                    con.register("child_rows", child_rows)
                    con.execute(
                        f"delete from {RAW_SCHEMA}.{child.table} where {child.parent_column} in "
                        f"(select {batch.key[0]} from batch_winner_keys)"
                    )
                    con.execute(
                        f"insert into {RAW_SCHEMA}.{child.table} select * from child_rows "
                        f"where {child.parent_column} in (select {batch.key[0]} from batch_winner_keys)"
                    )
                    con.unregister("child_rows")
                if batch.key == ("id",):
                    # A record that now loads cleanly is no longer bad: its quarantine entries are resolved.
                    con.execute(
                        f"delete from {RAW_SCHEMA}.quarantine where object = ? and record_id in "
                        "(select id from batch_winner_keys)",
                        [batch.table],
                    )
                if batch.quarantine is not None and not batch.quarantine.empty:
                    self._quarantine(batch.quarantine, sync_id, loaded_at)
                if batch.drop_merged_from is not None:
                    self._drop_merged(batch.table, batch.drop_merged_from)
                if batch.cursor is not None:
                    con.execute(
                        f"insert or replace into {RAW_SCHEMA}.sync_cursors values (?, ?, ?, ?)",
                        [batch.table, batch.cursor, sync_id, loaded_at],
                    )
        finally:
            for name in ("batch_rows", "batch_winner_keys"):
                try:
                    con.unregister(name)
                except duckdb.Error:
                    pass
        return written

    def _drop_merged(self, table: str, child_tables: tuple[str, ...]) -> None:
        target = f"{RAW_SCHEMA}.{table}"
        self.con.execute(
            f"""create or replace temp table merged_ids as
            select distinct trim(merged.id) as id
            from (select unnest(string_split(hs_merged_object_ids, ';')) as id from {target}
                  where hs_merged_object_ids is not null) merged"""
        )
        self._delete_ids(table, "merged_ids", child_tables)

    def _delete_ids(self, table: str, ids_relation: str, child_tables: tuple[str, ...]) -> None:
        """Delete the rows whose id is in `ids_relation`, and their child rows (children of deals)."""
        self.con.execute(f"delete from {RAW_SCHEMA}.{table} where id in (select id from {ids_relation})")
        for child in child_tables:
            self.con.execute(f"delete from {RAW_SCHEMA}.{child} where deal_id in (select id from {ids_relation})")

    def _quarantine(self, frame: pd.DataFrame, sync_id: str, at: datetime) -> None:
        """Record rejected rows; the same rejection seen again replaces its earlier entry."""
        rows = frame[QUARANTINE_FIELDS].assign(sync_id=sync_id, quarantined_at=pd.Timestamp(at))
        self.con.register("quarantine_rows", rows)
        try:
            self.con.execute(
                f"""delete from {RAW_SCHEMA}.quarantine q using quarantine_rows r
                where q.object = r.object and q.check_name = r.check_name
                  and coalesce(q.column_name, '') = coalesce(r.column_name, '')
                  and coalesce(q.record_id, md5(q.raw_record::varchar)) = coalesce(r.record_id, md5(r.raw_record))"""
            )
            self.con.execute(f"insert into {RAW_SCHEMA}.quarantine select * from quarantine_rows")
        finally:
            self.con.unregister("quarantine_rows")

    def remove_missing(self, table: str, present_ids: list[str], child_tables: tuple[str, ...] = ()) -> int:
        """Delete rows (and their child rows) whose id HubSpot no longer has at all; return how many."""
        with self.lock:
            con = self.con
            with transaction(con):
                con.register("present_ids", pd.DataFrame({"id": pd.Series(present_ids, dtype="str")}))
                try:
                    con.execute(
                        f"create or replace temp table missing_ids as select id from {RAW_SCHEMA}.{table} "
                        "where id not in (select id from present_ids)"
                    )
                    removed = con.execute("select count(*) from missing_ids").fetchall()[0][0]
                    self._delete_ids(table, "missing_ids", child_tables)
                finally:
                    con.unregister("present_ids")
        return int(removed)

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
            row = self.con.execute(f"select cursor_value from {RAW_SCHEMA}.sync_cursors where object = ?", [table]).fetchone()
        return row[0] if row else None

    def known_stage_ids(self) -> set[str]:
        with self.lock:
            rows = self.con.execute(f"select stage_id from {RAW_SCHEMA}.deal_pipeline_stages").fetchall()
        return {r[0] for r in rows}



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
