"""Upsert benchmark: today's anti-join against DuckDB's `INSERT ... ON CONFLICT DO UPDATE`; prints figures.

    .venv/bin/python benchmarks/upsert.py [--rows 100000] [--changed 10000] [--repeat 3]

Both statements keep the newest-`updated_at`-wins rule. Into a real DuckDB file holding the deals
table, each way upserts `--rows` new deals, then `--changed` rows of which half are newer versions
(written), a quarter older ones (skipped) and a quarter new ids, in one transaction each, as a sync does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.warehouse.raw_tables import RAW_TABLES, create_raw_tables  # noqa: E402

TABLE = "raw.deals"
COLUMNS = list(RAW_TABLES["deals"][0])
DEDUP = "select * from batch_rows qualify row_number() over (partition by id order by updated_at desc) = 1"


def anti_join(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        f"""create or replace temp table batch_winners as
        select s.* from ({DEDUP}) s left join {TABLE} t on t.id = s.id
        where t.id is null or s.updated_at >= t.updated_at"""
    )
    con.execute(f"insert or replace into {TABLE} select * from batch_winners")
    return len(con.execute("select id from batch_winners").df())


def on_conflict(con: duckdb.DuckDBPyConnection) -> int:
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in COLUMNS if c != "id")
    return len(
        con.execute(
            f"""insert into {TABLE} {DEDUP} on conflict (id) do update set {updates}
            where excluded.updated_at >= deals.updated_at returning id"""
        ).df()
    )


def deals(ids: np.ndarray, updated: pd.Timestamp) -> pd.DataFrame:
    """Typed deal rows with every column of the raw table."""
    n = len(ids)
    rng = np.random.default_rng(int(ids[0]))
    frame = pd.DataFrame({c: pd.Series([None] * n, dtype="str") for c in COLUMNS})
    frame["id"] = ids.astype("str")
    for column, kind in RAW_TABLES["deals"][0].items():
        if kind == "number":
            frame[column] = rng.uniform(0, 100_000, n)
        elif kind == "datetime":
            frame[column] = pd.Series([updated] * n, dtype="datetime64[us]")
        elif kind == "bool":
            frame[column] = pd.array(rng.integers(0, 2, n).astype(bool), dtype="boolean")
        elif column != "id":
            frame[column] = pd.Series(rng.integers(0, 50, n).astype("str"), dtype="str")
    return frame


def run(upsert, rows: int, changed: int, workdir: Path) -> tuple[float, float, int]:
    """(seconds for the initial rows, seconds for the changed rows, rows the change wrote)."""
    con = duckdb.connect(str(workdir / f"{upsert.__name__}-{time.perf_counter_ns()}.duckdb"))
    try:
        create_raw_tables(con)
        first = deals(np.arange(1, rows + 1), pd.Timestamp("2024-01-01"))
        quarter = changed // 4
        change = pd.concat(
            [
                deals(np.arange(1, 2 * quarter + 1), pd.Timestamp("2024-02-01")),  # newer: written
                deals(np.arange(2 * quarter + 1, 3 * quarter + 1), pd.Timestamp("2023-12-01")),  # older: skipped
                deals(np.arange(rows + 1, rows + quarter + 1), pd.Timestamp("2024-02-01")),  # new ids
            ],
            ignore_index=True,
        )
        timings = []
        for frame in (first, change):
            started = time.perf_counter()
            con.execute("begin transaction")
            con.register("batch_rows", frame)
            written = upsert(con)
            con.unregister("batch_rows")
            con.execute("commit")
            timings.append(time.perf_counter() - started)
        return timings[0], timings[1], written
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="salesmetrics-upsert-") as tmp:
        results: dict[str, list[tuple[float, float, int]]] = {"anti_join": [], "on_conflict": []}
        for _ in range(args.repeat):  # interleaved, so machine load falls on both ways alike
            for upsert in (anti_join, on_conflict):
                results[upsert.__name__].append(run(upsert, args.rows, args.changed, Path(tmp)))
    for name, runs in results.items():
        first = statistics.median(r[0] for r in runs)
        change = statistics.median(r[1] for r in runs)
        print(
            f"{name:12} {args.rows:,} new rows: {first * 1000:7.0f} ms   {args.changed:,} changed rows: "
            f"{change * 1000:6.0f} ms ({runs[0][2]:,} written)   median of {len(runs)}"
        )


if __name__ == "__main__":
    main()
