"""Every measure of every metric mart says whether it is a lead or a lag indicator (dbt column meta).

A measure column is any column of a metric mart that is not a key (`*_id`), a flag (`is_*`,
`has_*`) or one of the period and category columns below. The dimensional layer (`fct_*`, `dim_*`)
holds one row per record: a deal's amount becomes lead (pipeline created) or lag (revenue won) only
once a mart aggregates it, so those tables carry no indicator. The integration test of the dbt
project checks that the yml lists every column the built marts have, so no column escapes this rule.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

MARTS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
README = Path(__file__).resolve().parents[2] / "README.md"
INDICATORS = {"lead", "lag"}
DIMENSIONS = {
    "month",
    "week_start",
    "activity_date",
    "cohort_month",
    "period_start",
    "period_end",
    "window_start",
    "window_end",
    "period_days",
    "elapsed_days",
    "measure",
    "movement",
    "quota_source",
    "from_stage_position",
}


@lru_cache(maxsize=1)
def metric_marts() -> dict[str, list[dict]]:
    """Model name -> its yml columns, for every mart outside the dimensional layer."""
    models = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(MARTS_DIR.glob("*.yml")):
        for model in yaml.load(path.read_text(), Loader=loader).get("models", []):
            if not model["name"].startswith(("fct_", "dim_")):
                models[model["name"]] = model.get("columns", [])
    return models


def is_measure(column: str) -> bool:
    return not (column.endswith("_id") or column.startswith(("is_", "has_")) or column in DIMENSIONS)


def indicator(column: dict) -> str | None:
    """`config.meta.indicator` (dbt >= 1.10), or the older top-level `meta.indicator`."""
    meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
    return meta.get("indicator")


def test_the_metric_marts_are_found():
    assert {"arr_monthly", "sales_kpis_monthly", "north_star_plan", "rep_activity_weekly"} <= set(metric_marts())


@pytest.mark.parametrize("model", sorted(metric_marts()))
def test_every_measure_column_is_lead_or_lag(model):
    columns = metric_marts()[model]
    missing = [c["name"] for c in columns if is_measure(c["name"]) and indicator(c) not in INDICATORS]
    assert not missing, f"{model}: measure columns without meta indicator lead|lag: {missing}"
    labelled_dimensions = [c["name"] for c in columns if not is_measure(c["name"]) and indicator(c) is not None]
    assert not labelled_dimensions, f"{model}: keys, flags and periods carry no indicator: {labelled_dimensions}"
    assert any(is_measure(c["name"]) for c in columns), f"{model} has no measure column"


def test_the_contracts_lead_and_lag_examples():
    """The lead/lag split of docs/metrics.md, read back from the yml."""
    got = {(m, c["name"]): indicator(c) for m, cols in metric_marts().items() for c in cols}
    lead = [
        ("rep_activity_weekly", "calls"),
        ("rep_activity_weekly", "meetings_booked"),
        ("sales_kpis_monthly", "opportunities_created"),
        ("sales_kpis_monthly", "pipeline_created_amount"),
        ("north_star_plan", "pipeline_coverage"),
        ("funnel_conversion", "conversion_rate"),
    ]
    lag = [
        ("arr_monthly", "arr"),
        ("churn_monthly", "net_revenue_retention"),
        ("sales_kpis_monthly", "win_rate"),
        ("sales_kpis_monthly", "won_amount"),
        ("quota_attainment", "revenue_attainment"),
        ("north_star_plan", "won_to_date"),
        ("north_star_plan", "pace"),
    ]
    assert [k for k in lead if got[k] != "lead"] == [] and [k for k in lag if got[k] != "lag"] == []


def test_readme_marts_table_names_the_indicators():
    """Each metric mart's row of the README table says lead, lag or both."""
    text = README.read_text()
    for model, columns in metric_marts().items():
        row = next((line for line in text.splitlines() if re.match(rf"\|[^|]*`{model}`", line)), None)
        assert row is not None, f"README marts table has no row for {model}"
        kinds = {indicator(c) for c in columns} - {None}
        for kind in kinds:
            assert re.search(rf"\b{kind}\b", row), f"README row of {model} does not say {kind}: {row}"
