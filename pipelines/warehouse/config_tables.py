"""The analyst's configuration as tables in the warehouse schema `config`, rewritten before every
dbt build, so that dbt reads only tables (never Python, never YAML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from pipelines.config import SalesmetricsConfig
from pipelines.errors import ConfigError
from pipelines.warehouse.store import transaction
from schemas import QuotaFile

CONFIG_SCHEMA = "config"
QUOTA_COLUMNS = ["owner_id", "owner_email", "period_start", "period_end", "quota_deals", "quota_revenue"]


def read_quota_file(path: Path) -> pd.DataFrame:
    """Read and check the quota CSV; any bad row stops the build with the row and the rule."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(f"cannot read the quota file {path}: {exc}") from None
    missing = [c for c in ("period_start", "period_end") if c not in frame]
    unknown = [c for c in frame if c not in QUOTA_COLUMNS]
    if missing or unknown or not ({"owner_id", "owner_email"} & set(frame)):
        raise ConfigError(
            f"quota file {path} must have the columns owner_id or owner_email, period_start, period_end, "
            f"quota_deals, quota_revenue (missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})."
        )
    for column in QUOTA_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame = frame[QUOTA_COLUMNS]
    try:
        checked = QuotaFile.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.drop_duplicates(subset=["index", "check"]).head(10)
        detail = "; ".join(
            # line numbers as an editor shows them: the header is line 1
            f"line {int(r.index) + 2 if pd.notna(r.index) else '?'}: {r.check}"
            + (f" ({r.column}={r.failure_case})" if r.column in QUOTA_COLUMNS else "")
            for r in cases.itertuples()
        )
        raise ConfigError(f"quota file {path} has bad rows: {detail}") from None
    checked["period_start"] = checked["period_start"].dt.date
    checked["period_end"] = checked["period_end"].dt.date
    return checked


def write_config_tables(con: duckdb.DuckDBPyConnection, config: SalesmetricsConfig, as_of: date,
                        quotas_path: Path | None) -> None:
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
