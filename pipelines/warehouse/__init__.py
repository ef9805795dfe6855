"""The DuckDB warehouse: raw-layer DDL, upserts, quarantine, sync state, publishing for BI."""
