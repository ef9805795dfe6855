"""Running dbt (the metric formulas all live there) and publishing the marts for BI.

dbt runs as a subprocess of this interpreter's environment: it opens the warehouse itself, so
the caller must have closed its own connection (DuckDB allows one writer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipelines.errors import TransformError
from pipelines.settings import Settings
from pipelines.warehouse.config_tables import write_config_tables
from pipelines.warehouse.store import Warehouse, connect

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
MARTS_SCHEMA = "marts"


def dbt_env(db_path: Path) -> dict[str, str]:
    """The environment dbt runs in: the warehouse path, and no telemetry."""
    return {
        **os.environ,
        "SALESMETRICS_DB": str(Path(db_path).resolve()),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], db_path: Path, capture: bool = True) -> str:
    """Run one dbt command against the warehouse; raise `TransformError` with dbt's errors on failure."""
    command = [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    proc = subprocess.run(command, env=dbt_env(db_path), capture_output=capture, text=True, cwd=DBT_PROJECT_DIR)
    output = (proc.stdout or "") + (proc.stderr or "")
    if proc.returncode != 0:
        errors = [line for line in output.splitlines() if "ERROR" in line or "FAIL" in line or "Error" in line]
        tail = "\n".join((errors or output.splitlines())[-15:])
        raise TransformError(f"dbt {args[0]} failed (exit {proc.returncode}):\n{tail}")
    return output


def prepare_build(settings: Settings) -> list[str]:
    """Everything dbt needs besides the data; returns the `dbt build` arguments.

    Opening the warehouse fails early with a clear message if another process holds the file, and
    creates the raw layer (dbt's sources and unit tests read its tables even before a first sync);
    the analyst's configuration is written to the `config` schema.
    """
    with Warehouse(settings.db_path) as warehouse:
        write_config_tables(warehouse.con, settings.config, settings.as_of, settings.quotas_path)
    return ["build", "--vars", json.dumps(settings.dbt_vars())]


def build(settings: Settings, select: str | None = None) -> str:
    """`dbt build` (models, unit tests and data tests) with the settings' as-of date and time zone."""
    args = prepare_build(settings)
    if select:
        args += ["--select", select]
    output = run_dbt(args, settings.db_path)
    publish(settings.db_path)
    return output


def parse(db_path: Path) -> None:
    """Write dbt's manifest (Dagster's dbt assets are defined from it)."""
    run_dbt(["parse", "--quiet"], db_path)


def published_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).stem + ".bi.duckdb")


def publish(db_path: Path) -> Path:
    """Copy the marts into `<warehouse>.bi.duckdb` and swap it in atomically.

    BI tools hold read locks for as long as they are connected; pointed at this copy they never
    block the pipeline, and they never see a half-built state (the rename is atomic on POSIX).
    """
    target = published_path(db_path)
    staging = target.with_suffix(".next")
    staging.unlink(missing_ok=True)
    con = connect(Path(db_path))
    try:
        con.execute(f"attach '{staging}' as published")
        con.execute(f"create schema published.{MARTS_SCHEMA}")
        tables = con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database() "
            "and table_schema = ? and table_type = 'BASE TABLE' order by 1",
            [MARTS_SCHEMA],
        ).fetchall()
        for (table,) in tables:
            con.execute(f"create table published.{MARTS_SCHEMA}.{table} as select * from {MARTS_SCHEMA}.{table}")
        publish_quarantine(con, f"published.{MARTS_SCHEMA}")
        con.execute("detach published")
    finally:
        con.close()
    with open(staging, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staging, target)
    return target


def publish_quarantine(con, schema: str) -> None:
    """The records held back, with the reason, as `<schema>.quarantine` in the BI copy: an analyst
    sees what the marts do not count and why. The raw record is JSON text (BI tools may lack the
    json extension)."""
    con.execute(
        f"create table {schema}.quarantine as select object, record_id, check_name, column_name, failure_value, "
        "raw_record::varchar as raw_record, sync_id, quarantined_at from raw.quarantine order by quarantined_at, object"
    )
