"""Compare warehouses row for row, ignoring only the bookkeeping columns of the load."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.warehouse.raw_tables import RAW_TABLES


def snapshot(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {
            t: con.execute(f"select * exclude (_sync_id, _loaded_at) from raw.{t} order by all").fetchall()
            for t in RAW_TABLES
        }
        out["quarantine"] = con.execute(
            "select object, record_id, check_name, column_name, failure_value, raw_record from raw.quarantine "
            "order by all"
        ).fetchall()
        return out
    finally:
        con.close()
