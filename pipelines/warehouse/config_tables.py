"""The analyst's configuration as tables in the warehouse schema `config`, rewritten before every
dbt build, so that dbt reads only tables (never Python, never YAML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.config import SalesmetricsConfig
from pipelines.quotas import QUOTA_COLUMNS, read_quota_file
from pipelines.warehouse.store import transaction

CONFIG_SCHEMA = "config"


def write_config_tables(
    con: duckdb.DuckDBPyConnection, config: SalesmetricsConfig, as_of: date, quotas_path: Path | None
) -> None:
    """Replace every `config.*` table in one transaction."""
    tables = {
        "scorecard_measures": pd.DataFrame(
            [m.model_dump() for m in config.scorecard.measures], columns=["measure", "weight", "benchmark"]
        ),
        "activity_goals": pd.DataFrame(
            sorted(config.activity.daily_goals.items()), columns=["measure", "daily_goal"]
        ).astype({"measure": "str", "daily_goal": "float64"}),
        "positive_dispositions": pd.DataFrame({"label": config.activity.positive_dispositions}, dtype="str"),
        "revenue_targets": pd.DataFrame(
            [t.model_dump() for t in config.north_star.targets(as_of)],
            columns=["period_start", "period_end", "revenue_target"],
        ),
        "north_star_deal_types": pd.DataFrame({"deal_type": config.north_star.deal_types}, dtype="object"),
        "quotas": read_quota_file(quotas_path) if quotas_path else pd.DataFrame(columns=QUOTA_COLUMNS),
    }
    casts = {
        "scorecard_measures": "measure varchar, weight double, benchmark double",
        "activity_goals": "measure varchar, daily_goal double",
        "positive_dispositions": "label varchar",
        "revenue_targets": "period_start date, period_end date, revenue_target double",
        "north_star_deal_types": "deal_type varchar",
        "quotas": "owner_id varchar, owner_email varchar, period_start date, period_end date, "
        "quota_deals double, quota_revenue double",
    }
    with transaction(con):
        con.execute(f"create schema if not exists {CONFIG_SCHEMA}")
        for name, frame in tables.items():
            specs = [column.split(" ", 1) for column in casts[name].split(", ")]
            select = ", ".join(f"cast({column} as {kind}) as {column}" for column, kind in specs)
            con.register("config_rows", frame)
            con.execute(f"create or replace table {CONFIG_SCHEMA}.{name} ({casts[name]})")
            if len(frame):
                con.execute(f"insert into {CONFIG_SCHEMA}.{name} select {select} from config_rows")
            con.unregister("config_rows")
