"""Publish benchmark: what the BI copies of the marts cost, on a built warehouse. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/publish.py data/demo.duckdb            # after `salesmetrics demo`
    .venv/bin/python benchmarks/publish.py data/demo.duckdb --runs 5

Works on a copy of the warehouse in a temporary directory (the original is only read). Compares
ways of writing the DuckDB copy (the earlier table-by-table copy in DuckDB 2.0 storage, and the
same in DuckDB 1.x storage versions, in one transaction or not; one COPY FROM DATABASE, which
copies every schema, with and without dropping all but the marts) and the whole `publish` (DuckDB
copy + Parquet), each the median of `--runs` runs, with the size of what it wrote.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.warehouse.publish import MARTS_SCHEMA, parquet_dir_path, publish  # noqa: E402


def copy_marts(db: Path, target: Path, storage_version: str | None, one_transaction: bool) -> None:
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    option = f" (read_write, storage_version '{storage_version}')" if storage_version else " (read_write)"
    con.execute(f"attach '{target}' as bi_copy{option}")
    con.execute(f"create schema bi_copy.{MARTS_SCHEMA}")
    marts = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database() "
            "and table_schema = ? and table_type = 'BASE TABLE'",
            [MARTS_SCHEMA],
        ).fetchall()
    ]
    if one_transaction:
        con.execute("begin transaction")
    for mart in marts:
        con.execute(f"create table bi_copy.{MARTS_SCHEMA}.{mart} as from {MARTS_SCHEMA}.{mart}")
    if one_transaction:
        con.execute("commit")
    con.execute("checkpoint bi_copy")
    con.execute("detach bi_copy")
    con.close()


def copy_database(db: Path, target: Path) -> None:
    """One statement, but it cannot leave out the raw layer and staging: for comparison only."""
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    con.execute(f"attach '{target}' as bi_copy (read_write, storage_version 'v1.4.0')")
    con.execute("copy from database warehouse to bi_copy")
    con.execute("detach bi_copy")
    con.close()


def copy_database_marts_only(db: Path, target: Path, storage_version: str) -> None:
    """The one-statement publish a BI copy could use: COPY FROM DATABASE takes no filter, so it copies
    every schema (raw layer, staging, config), and all but the marts are dropped afterwards."""
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    con.execute(f"attach '{target}' as bi_copy (read_write, storage_version '{storage_version}')")
    con.execute(f"copy from database {db.stem} to bi_copy")
    schemas = [
        r[0]
        for r in con.execute(
            "select schema_name from duckdb_schemas() where database_name = 'bi_copy' "
            "and not internal and schema_name not in ('main', ?)",
            [MARTS_SCHEMA],
        ).fetchall()
    ]
    for schema in schemas:
        con.execute(f"drop schema bi_copy.{schema} cascade")
    con.execute("checkpoint bi_copy")
    con.execute("detach bi_copy")
    con.close()


def timed(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="a built warehouse (e.g. data/demo.duckdb)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(args.db, db)
        con = duckdb.connect(str(db), read_only=True)
        rows = con.execute(
            "select count(*), sum(estimated_size) from duckdb_tables() where schema_name = ?", [MARTS_SCHEMA]
        ).fetchone()
        con.close()
        print(f"{args.db}: {rows[0]} marts, about {rows[1]:,} rows; median of {args.runs} runs")
        target = Path(tmp) / "copy.duckdb"
        variants = [
            ("table by table, DuckDB 2.0 storage, autocommit (before)", None, False),
            ("table by table, v1.4.0 storage, autocommit", "v1.4.0", False),
            ("table by table, v1.4.0 storage, one transaction", "v1.4.0", True),
            ("table by table, v1.0.0 storage, one transaction", "v1.0.0", True),
        ]
        for label, version, one_transaction in variants:
            seconds = timed(
                args.runs,
                lambda version=version, one_transaction=one_transaction: copy_marts(
                    db, target, version, one_transaction
                ),
            )
            print(f"  duckdb copy, {label}: {seconds:.3f} s, {size_mb(target):.1f} MB")
        seconds = timed(args.runs, lambda: copy_database(db, target))
        print(
            f"  duckdb copy, COPY FROM DATABASE (every schema, raw layer included), v1.4.0: {seconds:.3f} s, "
            f"{size_mb(target):.1f} MB"
        )
        seconds = timed(args.runs, lambda: copy_database_marts_only(db, target, "v1.0.0"))
        print(
            f"  duckdb copy, COPY FROM DATABASE then drop all but the marts, v1.0.0: {seconds:.3f} s, "
            f"{size_mb(target):.1f} MB"
        )
        seconds = timed(args.runs, lambda: publish(db))
        print(
            f"  publish (v1.0.0 copy + Parquet, fsync, rename): {seconds:.3f} s, "
            f"Parquet {size_mb(parquet_dir_path(db).resolve()):.1f} MB"
        )


if __name__ == "__main__":
    main()
