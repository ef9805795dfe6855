"""What an operator reads on an asset: its row count and column types, straight from the warehouse.

Dagster shows `dagster/row_count` and `dagster/column_schema` in the asset's overview and plots the
row count over time. Both are one cheap catalog or count query per table in DuckDB.
"""

from __future__ import annotations

import dagster as dg
import duckdb


def table_metadata(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, object]:
    """Row count and column schema of `schema.table`; empty when the table does not exist."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if not columns:
        return {}
    (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns]),
    }


def quarantine_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Records held in `raw.quarantine`, per raw table (what an analyst would not find in the marts)."""
    return dict(con.execute("select object, count(*) from raw.quarantine group by object").fetchall())
