"""DDL of the raw layer (DuckDB schema `raw`), derived from the object registry.

Timestamps are naive TIMESTAMP in UTC; dbt cuts periods in the reporting time zone.
`CREATE ... IF NOT EXISTS` only: the raw layer is created once and then upserted, never dropped
(`Warehouse` rebuilds once the CRM tables an older warehouse created with a primary key).
"""

from __future__ import annotations

import duckdb

from pipelines.hubspot.objects import (
    CALL_DISPOSITIONS_COLUMNS,
    CRM_OBJECTS,
    OWNERS_COLUMNS,
    PIPELINE_STAGES_COLUMNS,
    PropertyType,
)

RAW_SCHEMA = "raw"

SQL_TYPES: dict[PropertyType, str] = {
    "string": "VARCHAR",
    "number": "DOUBLE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
    "int": "BIGINT",
}

# Table name -> (columns, primary key). Child tables have no key: they are replaced per parent. Nor
# have the CRM objects' tables: their ids are unique by the upsert (`Warehouse.upsert_rows` deletes
# an id before it writes it), and a key's index must stay in DuckDB's memory while a table is written
# (about 100 MB at a million deals and five million engagements, which a 128MB cap could not hold).
RAW_TABLES: dict[str, tuple[dict[str, PropertyType], tuple[str, ...]]] = {
    **{obj.name: (obj.columns, ()) for obj in CRM_OBJECTS},
    "owners": (OWNERS_COLUMNS, ("id",)),
    "deal_pipeline_stages": (PIPELINE_STAGES_COLUMNS, ("pipeline_id", "stage_id")),
    **{child.name: (child.columns, ()) for obj in CRM_OBJECTS for child in obj.children},
    "call_dispositions": (CALL_DISPOSITIONS_COLUMNS, ("id",)),
}

STATE_DDL = f"""
create table if not exists {RAW_SCHEMA}.quarantine (
    object          varchar not null,   -- raw table the record was meant for
    record_id       varchar,            -- null when the record had no id
    check_name      varchar not null,   -- the failing pandera check, e.g. greater_than_or_equal_to(0)
    column_name     varchar,            -- null for record-level checks
    failure_value   varchar,            -- the offending value, as text
    raw_record      json not null,      -- the record exactly as HubSpot sent it
    sync_id         varchar not null,
    quarantined_at  timestamp not null
);
create table if not exists {RAW_SCHEMA}.sync_cursors (
    object       varchar primary key,
    cursor_value timestamp not null,    -- highest hs_lastmodifieddate loaded (UTC)
    sync_id      varchar not null,
    updated_at   timestamp not null
);
create table if not exists {RAW_SCHEMA}.sync_log (
    sync_id             varchar not null,   -- the CLI's sync id or the Dagster run id
    object              varchar not null,
    mode                varchar not null,   -- full | incremental
    started_at          timestamp not null,
    finished_at         timestamp not null,
    records_read        bigint not null,
    records_loaded      bigint not null,
    records_quarantined bigint not null,
    requests            bigint not null,
    cursor_value        timestamp,
    primary key (sync_id, object)
);
"""


def column_ddl(columns: dict[str, PropertyType]) -> str:
    return ",\n    ".join(f'"{name}" {SQL_TYPES[kind]}' for name, kind in columns.items())


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` schema and every raw, quarantine and state table that does not exist yet."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table, (columns, key) in RAW_TABLES.items():
        pk = f",\n    primary key ({', '.join(key)})" if key else ""
        con.execute(f"create table if not exists {RAW_SCHEMA}.{table} (\n    {column_ddl(columns)}{pk}\n)")
    con.execute(STATE_DDL)
